// The BatchProcessor the runtime loop talks to for one (tenant, function version). It builds the
// bundle once, keeps one Sandbox, and replaces it after any failure that leaves its state in
// doubt: the failing call rejects with a SandboxError, the next call starts a fresh child. Calls
// are queued, one at a time, in the order they were made.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchProcessor, FunctionIdentity, InputEnvelope, PrepareResult, ProcessRequest, ProcessResult } from './contract.ts';
import { buildBundle, buildChildScript, DEFAULT_BUILD_OPTIONS } from './build.ts';
import type { BundleBuildOptions, BundleSource } from './build.ts';
import { SandboxError, SandboxErrorCode } from './errors.ts';
import { NetworkIsolation, networkNamespaceSupport, parentDeathSignalSupport } from './launch.ts';
import { checkBatchResult } from './protocol.ts';
import { Sandbox } from './sandbox.ts';
import type { SandboxHooks } from './sandbox.ts';
import type { CallBudget } from './watchdog.ts';

export interface SandboxLimits {
  /** V8 heap limit of the child in MiB; past it the child aborts (SandboxOutOfMemory). */
  heapMiB: number;
  /** Resident memory limit in MiB, for ArrayBuffer memory outside the heap (SandboxOutOfMemory);
   *  2 × heapMiB + 128 when not given. Linux only (read from /proc). */
  residentMiB?: number;
  /** CPU time one prepare or process call may use (SandboxTimeout past it). */
  cpuTimeMs: number;
  /** Wall time one call may take, for calls that hang without using CPU. */
  wallTimeMs: number;
  /** Wall time to start the child and load the bundle (its CPU is bounded by cpuTimeMs). */
  startTimeMs: number;
  /** How long close() waits for the child to exit before SIGKILL. */
  shutdownGraceMs: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  heapMiB: 256,
  cpuTimeMs: 5_000,
  wallTimeMs: 30_000,
  startTimeMs: 30_000,
  shutdownGraceMs: 2_000,
});

/** `auto`: a network namespace when this host can make one, else the in-process layer alone. */
export type NetworkMode = 'auto' | NetworkIsolation;

export interface SandboxLogEntry { identity: FunctionIdentity; level: 'debug' | 'info' | 'warn' | 'error'; msg: string }

export interface SandboxProcessorOptions {
  identity: FunctionIdentity;
  bundle: BundleSource;
  build?: Partial<BundleBuildOptions>;
  limits?: Partial<SandboxLimits>;
  /** `namespace` refuses to start (SandboxUnavailable) where no network namespace can be made. */
  network?: NetworkMode;
  /** Node builtins the bundle may require; node:crypto by default, for the executor's id hashing. */
  allowedBuiltins?: string[];
  /** Where built files go; a fresh temporary directory by default, removed by close(). */
  workDir?: string;
  /** console output of the function (bounded per call). */
  onLog?: (entry: SandboxLogEntry) => void;
}

export interface SandboxFailure { code: SandboxErrorCode; message: string; at: string }

/** What the status API shows for this function instance. */
export interface SandboxStatus {
  identity: FunctionIdentity;
  state: 'idle' | 'running' | 'closed';
  pid: number | null;
  network: NetworkIsolation | null;
  /** Whether the kernel kills the child if the worker dies (setpriv --pdeathsig); null before the first start. */
  parentDeathSignal: boolean | null;
  /** Child processes started so far; restarts = starts - 1 once any has started. */
  starts: number;
  restarts: number;
  failures: Partial<Record<SandboxErrorCode, number>>;
  lastError: SandboxFailure | null;
  /** Things the function tried that the sandbox refused (e.g. require('node:fs')). */
  violations: number;
  lastViolation: { what: string; at: string } | null;
}

/** Where a processor's built files are; the child may read childScript and bundleDir only. */
interface BuiltFiles { childScript: string; bundleFile: string; bundleDir: string; workDir: string; ownsWorkDir: boolean }

/** Errors after which the child's state cannot be trusted: the next call gets a fresh one. */
const REPLACE_AFTER: ReadonlySet<SandboxErrorCode> = new Set([
  SandboxErrorCode.SandboxCrashed,
  SandboxErrorCode.SandboxTimeout,
  SandboxErrorCode.SandboxOutOfMemory,
  SandboxErrorCode.ExecutorFailed,
  SandboxErrorCode.BundleLoadFailed,
]);

export class SandboxProcessor implements BatchProcessor {
  readonly identity: FunctionIdentity;
  readonly #options: SandboxProcessorOptions;
  readonly #limits: SandboxLimits;
  readonly #build: BundleBuildOptions;
  #built: Promise<BuiltFiles> | undefined;
  #sandbox: Sandbox | undefined;
  /** The sandbox that holds #lastBatch as its prepared batch. */
  #preparedIn: Sandbox | undefined;
  #lastBatch: InputEnvelope[] | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #network: NetworkIsolation | null = null;
  #parentDeathSignal: boolean | null = null;
  #starts = 0;
  #failures: Partial<Record<SandboxErrorCode, number>> = {};
  #lastError: SandboxFailure | null = null;
  #violations = 0;
  #lastViolation: { what: string; at: string } | null = null;

  constructor(options: SandboxProcessorOptions) {
    this.identity = Object.freeze({ ...options.identity });
    this.#options = options;
    this.#limits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
    this.#build = Object.freeze({ ...DEFAULT_BUILD_OPTIONS, ...options.build });
  }

  /** Builds the bundle and starts the child now rather than on the first call. */
  start(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#ensureSandbox();
    });
  }

  prepare(batch: InputEnvelope[]): Promise<PrepareResult> {
    return this.#enqueue(async () => {
      // This is now the batch a later process() is for, even if preparing it fails here: a retried
      // process() then prepares it on the fresh child instead of running the one before.
      this.#lastBatch = batch;
      this.#preparedIn = undefined;
      const sandbox = await this.#ensureSandbox();
      const result = await this.#call(sandbox, () => sandbox.call('prepare', batch, this.#budget()), 'prepare', batch.length);
      this.#preparedIn = sandbox;
      return result;
    });
  }

  process(request: ProcessRequest): Promise<ProcessResult> {
    return this.#enqueue(async () => {
      const batch = this.#lastBatch;
      if (batch === undefined) throw new SandboxError(SandboxErrorCode.ExecutorFailed, 'process() before any prepare()', { retriable: false });
      const sandbox = await this.#ensureSandbox();
      if (this.#preparedIn !== sandbox) {
        // A fresh child has not seen the batch: phase 1 again (it is deterministic) before phase 2.
        await this.#call(sandbox, () => sandbox.call('prepare', batch, this.#budget()), 'prepare', batch.length);
        this.#preparedIn = sandbox;
      }
      return this.#call(sandbox, () => sandbox.call('process', request, this.#budget()), 'process', batch.length);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Ends a call in flight at once (it rejects with SandboxClosed), else asks the child to exit;
    // then once more for a child whose start was under way when close() came.
    await this.#sandbox?.shutdown(this.#limits.shutdownGraceMs);
    await this.#queue.catch(() => undefined);
    await this.#sandbox?.shutdown(this.#limits.shutdownGraceMs);
    this.#sandbox = undefined;
    const built = await this.#built?.catch(() => undefined);
    if (built !== undefined) await rm(built.ownsWorkDir ? built.workDir : built.bundleDir, { recursive: true, force: true });
  }

  status(): SandboxStatus {
    const sandbox = this.#sandbox;
    return {
      identity: this.identity,
      state: this.#closed ? 'closed' : sandbox?.alive === true ? 'running' : 'idle',
      pid: sandbox?.alive === true ? (sandbox.pid ?? null) : null,
      network: this.#network,
      parentDeathSignal: this.#parentDeathSignal,
      starts: this.#starts,
      restarts: Math.max(0, this.#starts - 1),
      failures: { ...this.#failures },
      lastError: this.#lastError,
      violations: this.#violations,
      lastViolation: this.#lastViolation,
    };
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new SandboxError(SandboxErrorCode.SandboxClosed, 'the sandbox processor is closed');
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #budget(wallTimeMs = this.#limits.wallTimeMs): CallBudget {
    const residentMiB = this.#limits.residentMiB ?? 2 * this.#limits.heapMiB + 128;
    return { cpuTimeMs: this.#limits.cpuTimeMs, wallTimeMs, residentMiB };
  }

  async #call<T>(sandbox: Sandbox, call: () => Promise<T>, method: 'prepare' | 'process', batchSize: number): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      throw this.#failed(sandbox, error);
    }
    const problem = checkBatchResult(method, result, batchSize);
    if (problem !== undefined) throw this.#failed(sandbox, new SandboxError(SandboxErrorCode.ExecutorFailed, `the sandbox answered ${method} with a malformed result: ${problem}`));
    return result;
  }

  /** Records the failure and retires the sandbox if its state is in doubt. */
  #failed(sandbox: Sandbox | undefined, error: unknown): unknown {
    if (!(error instanceof SandboxError)) return error;
    if (error.code !== SandboxErrorCode.SandboxClosed) this.#record(error);
    if (sandbox !== undefined && REPLACE_AFTER.has(error.code)) {
      sandbox.kill();
      if (this.#sandbox === sandbox) this.#sandbox = undefined;
    }
    return error;
  }

  #record(error: SandboxError): void {
    this.#failures[error.code] = (this.#failures[error.code] ?? 0) + 1;
    this.#lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
  }

  async #ensureSandbox(): Promise<Sandbox> {
    if (this.#sandbox?.alive === true) return this.#sandbox;
    this.#sandbox = undefined;
    let built;
    let unshare: string | undefined;
    let setpriv: string | undefined;
    try {
      built = await (this.#built ??= this.#buildOnce());
      unshare = await this.#networkIsolation();
      setpriv = await parentDeathSignalSupport();
      this.#parentDeathSignal = setpriv !== undefined;
    } catch (error) {
      throw this.#failed(undefined, error);
    }
    const hooks: SandboxHooks = {
      onLog: (entry) => this.#options.onLog?.({ identity: this.identity, ...entry }),
      onViolation: (what) => {
        this.#violations++;
        this.#lastViolation = { what, at: new Date().toISOString() };
      },
      // No call saw this death, so no batch fails for it: record it; the next call starts afresh.
      onUnexpectedEnd: (error) => this.#record(error),
    };
    this.#starts++;
    try {
      this.#sandbox = await Sandbox.start(
        { script: built.childScript, readable: [built.childScript, built.bundleDir], heapMiB: this.#limits.heapMiB, cwd: built.bundleDir, unshare, setpriv },
        { bundleFile: built.bundleFile, identity: this.identity, allowedBuiltins: this.#options.allowedBuiltins ?? ['crypto'] },
        this.#budget(this.#limits.startTimeMs),
        hooks,
      );
    } catch (error) {
      throw this.#failed(undefined, error);
    }
    if (this.#closed) throw new SandboxError(SandboxErrorCode.SandboxClosed, 'the sandbox processor was closed while its sandbox started');
    return this.#sandbox;
  }

  /** The unshare path to use, or undefined for in-process isolation only. */
  async #networkIsolation(): Promise<string | undefined> {
    const mode = this.#options.network ?? 'auto';
    if (mode === NetworkIsolation.InProcess) {
      this.#network = NetworkIsolation.InProcess;
      return undefined;
    }
    const unshare = await networkNamespaceSupport();
    if (unshare === undefined && mode === NetworkIsolation.Namespace) {
      throw new SandboxError(SandboxErrorCode.SandboxUnavailable,
        'a network namespace is required but `unshare -n` does not work here (needs Linux and root or unprivileged user namespaces)', { retriable: false });
    }
    this.#network = unshare === undefined ? NetworkIsolation.InProcess : NetworkIsolation.Namespace;
    return unshare;
  }

  async #buildOnce(): Promise<BuiltFiles> {
    const ownsWorkDir = this.#options.workDir === undefined;
    const workDir = this.#options.workDir ?? await mkdtemp(join(tmpdir(), 'lodestar-sandbox-'));
    // A directory of its own per bundle: the child may read this directory and nothing beside it.
    const bundleDir = await mkdtemp(join(workDir, 'bundle-'));
    const bundleFile = join(bundleDir, 'bundle.cjs');
    const childScript = join(workDir, 'sandbox-child.cjs');
    // Both builds settle before anything is removed: a build still writing would refill the directory.
    const builds = await Promise.allSettled([buildChildScript(childScript), buildBundle(this.#options.bundle, this.#build, bundleFile)]);
    const failed = builds.find((b) => b.status === 'rejected');
    if (failed !== undefined) {
      // The failure is kept (a build is deterministic); the directories are not.
      await rm(ownsWorkDir ? workDir : bundleDir, { recursive: true, force: true });
      throw failed.reason;
    }
    return { childScript, bundleFile, bundleDir, workDir, ownsWorkDir };
  }
}
