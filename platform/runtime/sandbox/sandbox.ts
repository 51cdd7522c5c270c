// One sandbox: one child process for one (tenant, function version), one call at a time. It
// correlates requests and answers by id, watches each call's CPU and wall time, and turns the
// child's end into exactly one SandboxError for the call in flight. It never restarts itself: a
// dead Sandbox stays dead, and SandboxProcessor starts a fresh one.
import type { ChildProcess } from 'node:child_process';
import { SandboxError, SandboxErrorCode, RemoteError } from './errors.ts';
import { launchSandboxProcess } from './launch.ts';
import type { LaunchSpec } from './launch.ts';
import { FailureOrigin, parseChildMessage } from './protocol.ts';
import type { InitParams, LogMessage, Method, Methods, RequestMessage } from './protocol.ts';
import { CallWatchdog } from './watchdog.ts';
import type { CallBudget, Overrun } from './watchdog.ts';

/** Bytes of the child's stderr kept for diagnosis (V8's out-of-memory report lands there). */
const STDERR_TAIL_BYTES = 8 * 1024;
/** What V8 prints on stderr when the old space is exhausted (heap.cc / api.cc FatalProcessOutOfMemory). */
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit|FatalProcessOutOfMemory/;

export interface SandboxHooks {
  onLog?(entry: Pick<LogMessage, 'level' | 'msg'>): void;
  onViolation?(what: string): void;
  /** The child ended between calls, and not because we asked (e.g. a late unhandled rejection). */
  onUnexpectedEnd?(error: SandboxError): void;
}

/** The line of a crash report that says what happened (Node prints the source line and a caret first). */
function summariseStderr(tail: string): string {
  const lines = tail.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Node.js v'));
  const headline = lines.findLast((l) => /^([\w.]*(Error|Exception)\b|FATAL ERROR|Uncaught)/.test(l));
  return headline ?? lines.at(-1) ?? '';
}

interface PendingCall {
  id: number;
  method: Method;
  resolve(value: unknown): void;
  reject(error: SandboxError): void;
  watchdog: CallWatchdog;
}

export class Sandbox {
  readonly #child: ChildProcess;
  readonly #hooks: SandboxHooks;
  readonly #closed: Promise<void>;
  #nextId = 1;
  #pending: PendingCall | undefined;
  #stderrTail = '';
  /** Why we killed the child, when we did: decides the error its end is reported as. */
  #killReason: SandboxError | undefined;
  #alive = true;

  private constructor(spec: LaunchSpec, hooks: SandboxHooks) {
    this.#hooks = hooks;
    this.#child = launchSandboxProcess(spec);
    this.#child.stdout?.resume(); // the bundle has no stdout of its own; drain whatever node writes
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.#child.on('message', (message) => this.#onMessage(message));
    this.#closed = new Promise((resolve) => {
      this.#child.on('error', (error) => {
        this.#killReason ??= new SandboxError(SandboxErrorCode.SandboxUnavailable, `could not start the sandbox process: ${error.message}`, { cause: error });
        // 'close' may never come for a process that never started.
        if (this.#child.pid === undefined) this.#onEnd(null, null, resolve);
      });
      // 'close', not 'exit': by then stderr has been read to its end, so an OOM report is complete.
      this.#child.once('close', (code, signal) => this.#onEnd(code, signal, resolve));
    });
  }

  /** Starts the child and loads the bundle into it; rejects (and leaves nothing running) on failure. */
  static async start(spec: LaunchSpec, init: InitParams, budget: CallBudget, hooks: SandboxHooks = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(spec, hooks);
    try {
      await sandbox.call('init', init, budget);
    } catch (error) {
      sandbox.kill();
      await sandbox.#closed;
      throw error;
    }
    return sandbox;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Resolves once the child has exited and its pipes are closed. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  call<M extends Method>(method: M, params: Methods[M]['params'], budget: CallBudget): Promise<Methods[M]['result']> {
    if (!this.#alive) return Promise.reject(new SandboxError(SandboxErrorCode.SandboxClosed, 'the sandbox has ended'));
    if (this.#pending !== undefined) {
      return Promise.reject(new Error(`sandbox call ${method} while ${this.#pending.method} is in flight (calls are sequential)`));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const pid = this.#child.pid ?? -1;
      const watchdog = new CallWatchdog(pid, budget, (overrun) => this.#onOverrun(method, overrun));
      this.#pending = { id, method, resolve: resolve as (value: unknown) => void, reject, watchdog };
      const request: RequestMessage<M> = { kind: 'request', id, method, params };
      const unsent = (error: Error): void => this.#killWith(
        new SandboxError(SandboxErrorCode.SandboxCrashed, `could not send ${method} to the sandbox: ${error.message}`, { cause: error }));
      try {
        // With a callback, a closed channel is reported there instead of as an 'error' event.
        this.#child.send(request, (error) => { if (error !== null) unsent(error); });
      } catch (error) {
        unsent(error as Error);
      }
    });
  }

  /** Asks the child to exit; kills it if it has not within graceMs, or if a call is in flight. */
  async shutdown(graceMs: number): Promise<void> {
    if (!this.#alive) return this.#closed;
    if (this.#pending !== undefined) {
      this.#killWith(new SandboxError(SandboxErrorCode.SandboxClosed, `the sandbox was closed during ${this.#pending.method}`));
      return this.#closed;
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      await this.call('shutdown', null, { cpuTimeMs: graceMs, wallTimeMs: graceMs });
    } catch {
      // The child ended anyway: that is all shutdown wants.
    }
    await this.#closed;
    clearTimeout(timer);
  }

  /** SIGKILL, at once. */
  kill(): void {
    this.#killWith(new SandboxError(SandboxErrorCode.SandboxClosed, 'the sandbox was killed'));
  }

  #killWith(reason: SandboxError): void {
    this.#killReason ??= reason;
    if (this.#alive) this.#child.kill('SIGKILL');
  }

  #onOverrun(method: Method, overrun: Overrun): void {
    if (overrun.kind === 'memory') {
      return this.#killWith(new SandboxError(SandboxErrorCode.SandboxOutOfMemory,
        `${method} grew the sandbox to ${overrun.usedMiB} MiB resident, over its limit of ${overrun.limitMiB} MiB; the sandbox was killed`));
    }
    const what = overrun.kind === 'cpu' ? 'CPU time' : 'wall time';
    this.#killWith(new SandboxError(SandboxErrorCode.SandboxTimeout,
      `${method} used ${overrun.usedMs} ms of ${what}, over its budget of ${overrun.limitMs} ms; the sandbox was killed`));
  }

  #onMessage(raw: unknown): void {
    const message = parseChildMessage(raw);
    if (typeof message === 'string') return this.#protocolViolation(message);
    if (message.kind === 'log') return this.#hooks.onLog?.({ level: message.level, msg: message.msg });
    if (message.kind === 'violation') return this.#hooks.onViolation?.(message.what);
    const pending = this.#pending;
    if (pending === undefined || pending.id !== message.id) return this.#protocolViolation(`an answer to request ${message.id}, which is not in flight`);
    this.#pending = undefined;
    pending.watchdog.stop();
    if (message.ok) return pending.resolve(message.result);
    const cause = new RemoteError(message.error);
    const error = message.origin === FailureOrigin.Load
      ? new SandboxError(SandboxErrorCode.BundleLoadFailed, `the bundle failed to load: ${cause.name}: ${cause.message}`, { cause })
      : new SandboxError(SandboxErrorCode.ExecutorFailed, `${pending.method} failed in the sandbox: ${cause.name}: ${cause.message}`, { cause });
    pending.reject(error);
  }

  #protocolViolation(problem: string): void {
    this.#killWith(new SandboxError(SandboxErrorCode.SandboxCrashed, `the sandbox sent a message outside the protocol (${problem}); it was killed`));
  }

  #onEnd(code: number | null, signal: NodeJS.Signals | null, resolve: () => void): void {
    if (!this.#alive) return;
    this.#alive = false;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.watchdog.stop();
    if (pending !== undefined) pending.reject(this.#endError(pending.method, code, signal));
    else if (this.#killReason === undefined) this.#hooks.onUnexpectedEnd?.(this.#endError(undefined, code, signal));
    resolve();
  }

  #endError(method: Method | undefined, code: number | null, signal: NodeJS.Signals | null): SandboxError {
    const details = { exitCode: code, signal, stderrTail: this.#stderrTail };
    const when = method === undefined ? 'between calls' : `during ${method}`;
    if (OUT_OF_MEMORY.test(this.#stderrTail)) {
      return new SandboxError(SandboxErrorCode.SandboxOutOfMemory, `the sandbox ran out of heap ${when} and aborted`, details);
    }
    const killed = this.#killReason;
    if (killed !== undefined) {
      return new SandboxError(killed.code, killed.message, { ...details, cause: killed.cause, retriable: killed.retriable });
    }
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    const headline = summariseStderr(this.#stderrTail);
    return new SandboxError(SandboxErrorCode.SandboxCrashed, `the sandbox ${how} ${when}${headline === '' ? '' : `: ${headline}`}`, details);
  }
}
