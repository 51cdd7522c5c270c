// @lodestar/sdk: what a function author imports (defineFunction, state kinds, input codecs, the
// harness), and the executor and protocol types the sandbox and runtime use.
export { defineFunction, isFunctionDefinition, checkDefinition } from './define.ts';
export type { AnyFunctionDefinition, AuditOptions, ConfigOf, Context, EmitOptions, FunctionDefinition, FunctionSpec, Logger } from './define.ts';
export { counter, map, value } from './state.ts';
export type { CounterSpec, CounterState, MapSpec, MapState, StateHandle, StateHandles, StateSpec, StateSpecs, ValueSpec, ValueState } from './state.ts';
export { jsonInput, protobufInput } from './input.ts';
export type { DecodeResult, EventOf, InputCodec, InputSpec, ProtobufObject } from './input.ts';
export { applyStateChanges, createExecutor } from './executor.ts';
export type { Executor } from './executor.ts';
export { createHarness, rawInput } from './harness.ts';
export type { EventOfDefinition, Harness, HarnessDeadLetter, HarnessOptions, HarnessResult, RawInput } from './harness.ts';
export { recordId, RecordKind } from './ids.ts';
export { isSdkError, SdkError, SdkErrorCode } from './errors.ts';
export { DeadLetterReason } from './protocol.ts';
export type {
  AuditRecord,
  DecisionRecord,
  FunctionIdentity,
  InputEnvelope,
  LogRecord,
  OutputRecord,
  Prepared,
  PrepareResult,
  Processed,
  ProcessRequest,
  ProcessResult,
  Rejected,
  StateSnapshot,
} from './protocol.ts';
