// The types that cross the boundary between the runtime, the sandbox and the SDK's executor
// (issue 10's contract). They will come from @lodestar/sdk (platform/sdk/protocol.ts); until the
// SDK lands they are declared here, copied from the contract, and the import is switched at merge.

export interface FunctionIdentity { tenant: string; pipeline: string; function: string; version: number }

/** One input message as the runtime received it. */
export interface InputEnvelope {
  index: number;
  data: Uint8Array;
  properties: Record<string, string>;
  partitionKey?: string;
  eventTime?: number;
  publishTime: number;
  /** `${producerName}:${sequenceId}`: the same in every region; never the message id. */
  identity: string;
  /** For dead letters and audit only; differs per region. */
  messageId: string;
}

export const DeadLetterReason = {
  Undecodable: 'undecodable', SchemaInvalid: 'schema-invalid', FunctionThrew: 'function-threw',
  SandboxCrashed: 'sandbox-crashed', SandboxTimeout: 'sandbox-timeout', KeyFailed: 'key-failed',
} as const;
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

export interface Rejected { index: number; ok: false; reason: DeadLetterReason; message: string }

export interface PrepareResult { events: Array<{ index: number; ok: true; key: string; identity: string } | Rejected> }

/** key -> state name -> JSON value (absent = initial value). */
export type StateSnapshot = Record<string, Record<string, unknown>>;

export interface ProcessRequest { watermark: number; config: unknown; state: StateSnapshot }

export interface OutputRecord { id: string; output: string; key: string; value: unknown }
export interface DecisionRecord { id: string; key: string; action: string; details: unknown }
export interface AuditRecord { id: string; key: string; decisionId?: string; details: unknown }
export interface LogRecord { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }

export interface ProcessedEvent {
  index: number; ok: true; outputs: OutputRecord[]; decisions: DecisionRecord[]; audits: AuditRecord[]; logs: LogRecord[];
}

export interface ProcessResult {
  events: Array<ProcessedEvent | Rejected>;
  /** Final value after the batch for each (key, state name) the batch changed; null = cleared. */
  stateChanges: Record<string, Record<string, unknown | null>>;
}
