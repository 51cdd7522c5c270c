// The types that cross the boundary between the executor (this package), the sandbox that serves
// it over IPC and the runtime loop (platform/runtime). Everything here is structured-clone and JSON
// safe. The shapes are the runtime contract of issue 10; fields may be added only as optional.

export interface FunctionIdentity {
  tenant: string;
  pipeline: string;
  function: string;
  version: number;
}

/** One input message as the runtime received it. */
export interface InputEnvelope {
  /** Position in the batch, 0..n-1. */
  index: number;
  /** Payload bytes exactly as received. */
  data: Uint8Array;
  properties: Record<string, string>;
  partitionKey?: string;
  /** ms, when the producer set it. */
  eventTime?: number;
  /** ms; differs per region, so the executor never shows it to the function. */
  publishTime: number;
  /**
   * Deterministic identity of the input, the same in every region: the runtime passes
   * `${producerName}:${sequenceId}` (geo-replication preserves both). The definition may override
   * it with a field of the event (`id: (e) => e.eventId`). Never the message id.
   */
  identity: string;
  /** For dead letters and audit only; differs per region. */
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

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown>;
}

export interface Rejected {
  index: number;
  ok: false;
  reason: DeadLetterReason;
  message: string;
  /** What the function logged before it threw (its other effects are dropped). */
  logs?: LogRecord[];
}

export interface Prepared {
  index: number;
  ok: true;
  key: string;
  identity: string;
}

/** Phase 1: decode + validate each event and compute its key (so the runtime can load state). */
export interface PrepareResult {
  events: Array<Prepared | Rejected>;
}

/** Keyed state as loaded by the runtime: key -> state name -> JSON value (absent = initial value). */
export type StateSnapshot = Record<string, Record<string, unknown>>;

/** Phase 2: run the function over the prepared events, in batch order. */
export interface ProcessRequest {
  watermark: number;
  config: unknown;
  state: StateSnapshot;
}

export interface OutputRecord {
  id: string;
  output: string;
  key: string;
  value: unknown;
}

export interface DecisionRecord {
  id: string;
  key: string;
  action: string;
  details: unknown;
}

export interface AuditRecord {
  id: string;
  key: string;
  decisionId?: string;
  details: unknown;
}

export interface Processed {
  index: number;
  ok: true;
  outputs: OutputRecord[];
  decisions: DecisionRecord[];
  audits: AuditRecord[];
  logs: LogRecord[];
}

export interface ProcessResult {
  /** Every event of the batch in batch order; those rejected by prepare appear again as Rejected. */
  events: Array<Processed | Rejected>;
  /** Final value after the batch for each (key, state name) the batch changed; null = cleared. */
  stateChanges: Record<string, Record<string, unknown | null>>;
}
