// The shapes the sandbox shares with the SDK and the runtime loop. The data types are the SDK's
// (platform/sdk/protocol.ts): the executor inside the child produces them, the runtime consumes
// them. Only `Executor` and `ExecutorFactory` are the sandbox's own reading of "the executor":
// what the child process needs from a loaded bundle.
import type {
  FunctionIdentity, InputEnvelope, PrepareResult, ProcessRequest, ProcessResult,
} from '@lodestar/sdk';

export {
  DeadLetterReason,
  type FunctionIdentity, type InputEnvelope, type Rejected, type PrepareResult, type StateSnapshot, type ProcessRequest,
  type OutputRecord, type DecisionRecord, type AuditRecord, type LogRecord, type ProcessResult,
} from '@lodestar/sdk';

export interface BatchProcessor {
  readonly identity: FunctionIdentity;
  prepare(batch: InputEnvelope[]): Promise<PrepareResult>;
  /** Runs phase 2 for the batch last prepared. */
  process(request: ProcessRequest): Promise<ProcessResult>;
  close(): Promise<void>;
}

/**
 * The executor bound to one definition, as the child process drives it: `process` runs phase 2
 * for the batch that the last `prepare` received. May answer synchronously or with a promise.
 */
export interface Executor {
  prepare(batch: InputEnvelope[]): PrepareResult | Promise<PrepareResult>;
  process(request: ProcessRequest): ProcessResult | Promise<ProcessResult>;
}

/**
 * The SDK export the sandbox calls with the bundle's default export (the definition) and the
 * function's identity (ids are derived from tenant, pipeline and function).
 */
export type ExecutorFactory = (definition: unknown, identity: FunctionIdentity) => Executor;
