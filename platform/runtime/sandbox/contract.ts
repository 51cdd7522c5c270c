// The shapes the sandbox shares with the SDK and the runtime loop, copied from the runtime contract
// of issue 10. They will come from @lodestar/sdk (platform/sdk/protocol.ts) and
// platform/runtime/processor.ts once those land; when merging, replace this file's declarations
// by re-exports from there. Only `Executor` and `ExecutorFactory` are the sandbox's own reading
// of "the executor": what the child process needs from a loaded bundle.

export interface FunctionIdentity { tenant: string; pipeline: string; function: string; version: number }

/** One input message as the runtime received it. */
export interface InputEnvelope {
  index: number;
  data: Uint8Array;
  properties: Record<string, string>;
  partitionKey?: string;
  eventTime?: number;
  publishTime: number;
  identity: string;
  messageId: string;
}

export const DeadLetterReason = {
  Undecodable: 'undecodable',
  SchemaInvalid: 'schema-invalid',
  FunctionThrew: 'function-threw',
  SandboxCrashed: 'sandbox-crashed',
  SandboxTimeout: 'sandbox-timeout',
  KeyFailed: 'key-failed',
} as const;
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

export interface Rejected { index: number; ok: false; reason: DeadLetterReason; message: string }

export interface PrepareResult { events: Array<{ index: number; ok: true; key: string; identity: string } | Rejected> }

export type StateSnapshot = Record<string, Record<string, unknown>>;

export interface ProcessRequest { watermark: number; config: unknown; state: StateSnapshot }

export interface OutputRecord { id: string; output: string; key: string; value: unknown }
export interface DecisionRecord { id: string; key: string; action: string; details: unknown }
export interface AuditRecord { id: string; key: string; decisionId?: string; details: unknown }
export interface LogRecord { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }

export interface ProcessResult {
  events: Array<{ index: number; ok: true; outputs: OutputRecord[]; decisions: DecisionRecord[];
                  audits: AuditRecord[]; logs: LogRecord[] } | Rejected>;
  stateChanges: Record<string, Record<string, unknown | null>>;
}

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
