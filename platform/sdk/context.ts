// The ctx one event's process() gets, and the records it collects. Records are kept per event so
// the executor can drop them all when the event throws; ids count per kind within the event.
import type { Context, Logger } from './define.ts';
import { SdkError, SdkErrorCode } from './errors.ts';
import { recordId, RecordKind } from './ids.ts';
import { frozenJson } from './json.ts';
import type { AuditRecord, DecisionRecord, FunctionIdentity, LogRecord, OutputRecord } from './protocol.ts';
import type { BatchState } from './state.ts';

export interface EventRecords {
  outputs: OutputRecord[];
  decisions: DecisionRecord[];
  audits: AuditRecord[];
  logs: LogRecord[];
}

export interface EventContextInput {
  fn: Readonly<FunctionIdentity>;
  /** The definition's declared outputs, when it declares them. */
  outputs: ReadonlySet<string> | undefined;
  state: BatchState;
  config: unknown;
  watermark: number;
  key: string;
  identity: string;
  eventTime: number | undefined;
  properties: Readonly<Record<string, string>>;
}

export function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new SdkError(SdkErrorCode.INVALID_DEFINITION, `${what} returned ${value === '' ? 'an empty string' : typeof value}, not a non-empty string`);
  return value;
}

function logFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (fields === undefined) return undefined;
  try {
    return frozenJson(fields, 'log fields');
  } catch (error) {
    // A log line is not worth an event: keep the line, say why its fields are missing.
    return { fieldsDropped: (error as Error).message };
  }
}

export function createEventContext(input: EventContextInput): { ctx: Context; records: EventRecords; close: () => void } {
  const { fn, outputs: declared, key, identity } = input;
  const records: EventRecords = { outputs: [], decisions: [], audits: [], logs: [] };
  let open = true;
  const check = () => {
    if (!open) throw new SdkError(SdkErrorCode.CONTEXT_CLOSED, 'ctx was used after its event finished; keep no ctx or state handle beyond process()');
  };
  const id = (kind: RecordKind, ordinal: number) => recordId(fn, identity, kind, ordinal);
  let logger: Logger | undefined;
  const makeLogger = (): Logger => {
    const log = (level: LogRecord['level']) => (msg: string, fields?: Record<string, unknown>) => {
      check();
      const copied = logFields(fields);
      records.logs.push(copied === undefined ? { level, msg: String(msg) } : { level, msg: String(msg), fields: copied });
    };
    return Object.freeze({ debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') });
  };
  const ctx: Context = Object.freeze({
    state: input.state.handles(key) as Context['state'],
    config: input.config,
    key,
    identity,
    function: fn,
    eventTime: input.eventTime,
    properties: input.properties,
    now: () => (check(), input.watermark),
    emit(output: string, value: unknown, options?: { key?: string }) {
      check();
      if (typeof output !== 'string' || (declared && !declared.has(output))) {
        throw new SdkError(SdkErrorCode.UNKNOWN_OUTPUT, `emit(${JSON.stringify(output)}): not one of this function's outputs (${[...(declared ?? [])].join(', ')})`);
      }
      const record = { id: id(RecordKind.Output, records.outputs.length), output, key: options?.key === undefined ? key : nonEmptyString(options.key, 'emit key'), value: frozenJson(value, `emit("${output}")`) };
      records.outputs.push(record);
      return record.id;
    },
    decide(action: string, details?: unknown) {
      check();
      const record = { id: id(RecordKind.Decision, records.decisions.length), key, action: nonEmptyString(action, 'decide action'), details: frozenJson(details ?? null, `decide("${action}")`) };
      records.decisions.push(record);
      return record.id;
    },
    audit(details: unknown, options?: { decisionId?: string }) {
      check();
      const record: AuditRecord = { id: id(RecordKind.Audit, records.audits.length), key, details: frozenJson(details, 'audit') };
      if (options?.decisionId !== undefined) record.decisionId = nonEmptyString(options.decisionId, 'audit decisionId');
      records.audits.push(record);
      return record.id;
    },
    get log() {
      return (logger ??= makeLogger());
    },
  });
  return { ctx, records, close: () => (open = false) };
}
