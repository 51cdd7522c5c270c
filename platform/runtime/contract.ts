// The types that cross the boundary between the runtime, the sandbox and the SDK's executor. They
// are the SDK's (platform/sdk/protocol.ts): the executor produces them inside the sandbox, the
// runtime consumes them. One place, so the three parts cannot drift apart.
export {
  DeadLetterReason,
  type FunctionIdentity, type InputEnvelope, type Rejected, type PrepareResult, type StateSnapshot, type ProcessRequest,
  type OutputRecord, type DecisionRecord, type AuditRecord, type LogRecord, type ProcessResult,
  type Processed as ProcessedEvent,
} from '@lodestar/sdk';
