// The shapes the sandbox shares with the SDK and the runtime loop: the runtime's contract
// (../contract.ts, the SDK's types) and the BatchProcessor it implements (../processor.ts).
// Only `Executor` and `ExecutorFactory` are the sandbox's own reading of "the executor": what
// the child process needs from a loaded bundle.
import type { FunctionIdentity, InputEnvelope, PrepareResult, ProcessRequest, ProcessResult } from '../contract.ts';

export * from '../contract.ts';
export type { BatchProcessor } from '../processor.ts';

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
