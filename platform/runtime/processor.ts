// What the runtime calls to run a function over a batch (issue 10's contract). The sandbox
// (platform/runtime/sandbox) implements it; tests implement it in-process.
import type { FunctionIdentity, PrepareResult, ProcessRequest, ProcessResult, InputEnvelope } from './contract.ts';

export interface BatchProcessor {
  readonly identity: FunctionIdentity;
  prepare(batch: InputEnvelope[]): Promise<PrepareResult>;
  /** Runs phase 2 for the batch last prepared. */
  process(request: ProcessRequest): Promise<ProcessResult>;
  close(): Promise<void>;
}

/** Makes a fresh processor for a function version (after a crash, a new sandbox). */
export type ProcessorFactory = (identity: FunctionIdentity) => Promise<BatchProcessor>;

/** The sandbox's failure codes (SandboxError in platform/runtime/sandbox), matched by code so the loop needs no import of it. */
export const SandboxErrorCode = { Crashed: 'SandboxCrashed', Timeout: 'SandboxTimeout', OutOfMemory: 'SandboxOutOfMemory' } as const;

export function sandboxFailureCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (Object.values(SandboxErrorCode) as string[]).includes(code) ? code : undefined;
}
