// Every failure the sandbox reports is one SandboxError with a stable `code`. Errors raised inside
// the child (by the bundle or the executor) cross the IPC channel as plain data and come back as
// a RemoteError carrying the original name, code, message and stack, so a stack trace from tenant
// code is still readable in the worker's logs (Temporal's failure conversion does the same).

export const SandboxErrorCode = {
  /** The child died during a call: a crash, an exit, a signal, or a message it had no right to send. */
  SandboxCrashed: 'SandboxCrashed',
  /** A call overran its CPU-time or wall-time budget; the child was killed. */
  SandboxTimeout: 'SandboxTimeout',
  /** The child reached its V8 heap limit and aborted. */
  SandboxOutOfMemory: 'SandboxOutOfMemory',
  /** esbuild could not turn the bundle's sources into one file (syntax error, missing import...). */
  BundleBuildFailed: 'BundleBuildFailed',
  /** The built bundle threw while loading, or does not export a definition the executor accepts. */
  BundleLoadFailed: 'BundleLoadFailed',
  /** The executor threw (not an event: events that throw are Rejected by the executor itself), or
   *  answered with something that is not a result. The sandbox is replaced before the next call. */
  ExecutorFailed: 'ExecutorFailed',
  /** The child process could not be started, or the network isolation that was required is missing. */
  SandboxUnavailable: 'SandboxUnavailable',
  /** A call after close(). */
  SandboxClosed: 'SandboxClosed',
} as const;
export type SandboxErrorCode = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode];

/** Worth running the same batch again on a fresh sandbox (the runtime does so once). */
const RETRIABLE: ReadonlySet<SandboxErrorCode> = new Set([
  SandboxErrorCode.SandboxCrashed,
  SandboxErrorCode.SandboxTimeout,
  SandboxErrorCode.SandboxOutOfMemory,
  SandboxErrorCode.SandboxUnavailable,
]);

export interface SandboxErrorOptions {
  /** Overrides the code's default. */
  retriable?: boolean;
  cause?: unknown;
  /** Child pid, exit code and signal, last lines of the child's stderr: what an operator needs. */
  exitCode?: number | null;
  signal?: string | null;
  stderrTail?: string;
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  readonly code: SandboxErrorCode;
  readonly retriable: boolean;
  readonly exitCode: number | null | undefined;
  readonly signal: string | null | undefined;
  readonly stderrTail: string | undefined;

  constructor(code: SandboxErrorCode, message: string, options: SandboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? RETRIABLE.has(code);
    this.exitCode = options.exitCode;
    this.signal = options.signal;
    this.stderrTail = options.stderrTail;
  }
}

export function isSandboxError(error: unknown, code?: SandboxErrorCode): error is SandboxError {
  return error instanceof SandboxError && (code === undefined || error.code === code);
}

/** An error as it crosses the process boundary: plain, structured-clone safe data. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SerializedError;
}

const MAX_CAUSE_DEPTH = 4;
const MAX_TEXT = 16 * 1024;

/** Turns anything thrown into SerializedError; never throws itself (getters may, so guard them). */
export function serializeError(thrown: unknown, depth = 0): SerializedError {
  try {
    if (thrown !== null && typeof thrown === 'object') {
      const e = thrown as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown };
      const out: SerializedError = {
        name: typeof e.name === 'string' ? e.name.slice(0, 200) : 'Error',
        message: typeof e.message === 'string' ? e.message.slice(0, MAX_TEXT) : String(thrown).slice(0, MAX_TEXT),
      };
      if (typeof e.code === 'string' || typeof e.code === 'number') out.code = String(e.code);
      if (typeof e.stack === 'string') out.stack = e.stack.slice(0, MAX_TEXT);
      if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(e.cause, depth + 1);
      return out;
    }
    return { name: 'Error', message: `non-error thrown: ${String(thrown).slice(0, MAX_TEXT)}` };
  } catch {
    return { name: 'Error', message: 'an error that could not be read (its properties threw)' };
  }
}

/** An error raised in the child, rebuilt in the parent with the child's own name, code and stack. */
export class RemoteError extends Error {
  readonly remoteName: string;
  readonly code: string | undefined;

  constructor(serialized: SerializedError) {
    super(serialized.message, serialized.cause === undefined ? undefined : { cause: new RemoteError(serialized.cause) });
    this.name = serialized.name;
    this.remoteName = serialized.name;
    this.code = serialized.code;
    if (serialized.stack !== undefined) this.stack = serialized.stack;
  }
}

/** Checks that data from the child really is a SerializedError before it is trusted as one. */
export function isSerializedError(value: unknown, depth = 0): value is SerializedError {
  if (value === null || typeof value !== 'object' || depth > MAX_CAUSE_DEPTH + 1) return false;
  const e = value as Record<string, unknown>;
  return typeof e.name === 'string' && typeof e.message === 'string'
    && (e.code === undefined || typeof e.code === 'string')
    && (e.stack === undefined || typeof e.stack === 'string')
    && (e.cause === undefined || isSerializedError(e.cause, depth + 1));
}
