// The executor: runs a definition over a batch, with no I/O. Used in exactly two places — inside
// the sandbox child process and by the harness — so tests and production run the same code.
//
// Phase 1, prepare(): decode and validate each input, compute its key and identity; the runtime
// then loads the state of those keys. Phase 2, process(): run the events in batch order against
// that state. An event that throws keeps none of its effects (records dropped, state mutations
// undone), so later events see the state as if it had never run. Record ids are derived from the
// input's identity (ids.ts): the same input and state give the same records everywhere.
import { createEventContext, nonEmptyString } from './context.ts';
import type { AnyFunctionDefinition } from './define.ts';
import { checkDefinition } from './define.ts';
import { SdkError, SdkErrorCode } from './errors.ts';
import type { InputCodec } from './input.ts';
import { describeIssues, toCodec } from './input.ts';
import { frozenJson } from './json.ts';
import type {
  FunctionIdentity,
  InputEnvelope,
  PrepareResult,
  Processed,
  ProcessRequest,
  ProcessResult,
  Rejected,
  StateSnapshot,
} from './protocol.ts';
import { DeadLetterReason } from './protocol.ts';
import { BatchState } from './state.ts';

export interface Executor {
  readonly identity: Readonly<FunctionIdentity>;
  prepare(batch: InputEnvelope[]): PrepareResult;
  /** Runs phase 2 for the batch last prepared. */
  process(request: ProcessRequest): ProcessResult;
}

interface ReadyEvent {
  index: number;
  ok: true;
  event: unknown;
  key: string;
  identity: string;
  eventTime: number | undefined;
  properties: Readonly<Record<string, string>>;
}

/** Longest message a rejection carries: it lands in a dead letter, not a log file. */
const MAX_MESSAGE = 2000;

function messageOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${typeof error === 'string' ? JSON.stringify(error) : String(error)}`;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function reject(index: number, reason: Rejected['reason'], message: string): Rejected {
  return { index, ok: false, reason, message };
}

function isThenable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

class BatchExecutor implements Executor {
  readonly identity: Readonly<FunctionIdentity>;
  readonly #definition: AnyFunctionDefinition;
  readonly #codec: InputCodec<unknown>;
  readonly #outputs: ReadonlySet<string> | undefined;
  #prepared: Array<ReadyEvent | Rejected> | undefined;
  #config: { json: string; value: unknown } | { json: string; error: string } | undefined;

  constructor(definition: AnyFunctionDefinition, identity: FunctionIdentity) {
    checkDefinition(definition);
    if (definition.name !== identity.function) throw new SdkError(SdkErrorCode.INVALID_DEFINITION, `the bundle defines function ${definition.name}, but runs as ${identity.function}`);
    this.#definition = definition;
    this.#codec = toCodec(definition.input);
    this.#outputs = definition.outputs ? new Set(definition.outputs) : undefined;
    this.identity = Object.freeze({ ...identity });
  }

  prepare(batch: InputEnvelope[]): PrepareResult {
    this.#prepared = batch.map((envelope) => this.#prepareOne(envelope));
    return { events: this.#prepared.map((e) => (e.ok ? { index: e.index, ok: true, key: e.key, identity: e.identity } : e)) };
  }

  #prepareOne(envelope: InputEnvelope): ReadyEvent | Rejected {
    let decoded;
    try {
      decoded = this.#codec.decode(envelope.data);
    } catch (error) {
      return reject(envelope.index, DeadLetterReason.Undecodable, messageOf(error));
    }
    if (!decoded.ok) return reject(envelope.index, decoded.reason, decoded.message);
    let key: string;
    let identity: string;
    try {
      key = nonEmptyString(this.#definition.key(decoded.value), 'key()');
      identity = this.#definition.id ? nonEmptyString(this.#definition.id(decoded.value), 'id()') : envelope.identity;
    } catch (error) {
      return reject(envelope.index, DeadLetterReason.KeyFailed, messageOf(error));
    }
    return { index: envelope.index, ok: true, event: decoded.value, key, identity, eventTime: envelope.eventTime, properties: Object.freeze({ ...envelope.properties }) };
  }

  process(request: ProcessRequest): ProcessResult {
    const prepared = this.#prepared;
    if (!prepared) throw new SdkError(SdkErrorCode.PROTOCOL, 'process() before prepare(): there is no batch to run');
    this.#prepared = undefined;
    const config = this.#parseConfig(request.config);
    const state = new BatchState(this.#definition.state ?? {}, request.state);
    const events = prepared.map((event) => {
      if (!event.ok) return event;
      if ('error' in config) return reject(event.index, DeadLetterReason.FunctionThrew, config.error);
      return this.#run(event, state, config.value, request.watermark);
    });
    return { events, stateChanges: state.changes() };
  }

  #parseConfig(raw: unknown): { value: unknown } | { error: string } {
    // The runtime sends the config with every batch; parse it again only when it changed.
    const json = JSON.stringify(raw) ?? 'undefined';
    if (this.#config?.json === json) return this.#config;
    let parsed: { value: unknown } | { error: string };
    try {
      parsed = { value: frozenJson(this.#checkConfig(raw), 'config') };
    } catch (error) {
      parsed = { error: messageOf(error) };
    }
    this.#config = { json, ...parsed };
    return parsed;
  }

  #checkConfig(raw: unknown): unknown {
    const schema = this.#definition.config;
    if (!schema) return raw ?? null;
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    throw new SdkError(SdkErrorCode.INVALID_CONFIG, `the pipeline's config does not fit function ${this.identity.function}: ${describeIssues(result.error)}`);
  }

  #run(event: ReadyEvent, state: BatchState, config: unknown, watermark: number): Processed | Rejected {
    const { key, identity, eventTime, properties } = event;
    const { ctx, records, close } = createEventContext({ fn: this.identity, outputs: this.#outputs, state, config, watermark, key, identity, eventTime, properties });
    state.begin(key);
    try {
      const returned: unknown = this.#definition.process(event.event, ctx);
      if (isThenable(returned)) {
        // Its rejection (an async process that throws, or touches ctx after we closed it) must not
        // surface as an unhandled rejection, which would take the whole sandbox down.
        (returned as PromiseLike<unknown>).then(undefined, () => {});
        throw new SdkError(SdkErrorCode.ASYNC_PROCESS, 'process() returned a promise; functions are synchronous (no I/O, nothing to await)');
      }
      state.commit();
      return { index: event.index, ok: true, ...records };
    } catch (error) {
      state.rollback();
      const rejected = reject(event.index, DeadLetterReason.FunctionThrew, messageOf(error));
      if (records.logs.length > 0) rejected.logs = records.logs;
      return rejected;
    } finally {
      close();
    }
  }
}

/** An executor for one function version. Throws SdkError INVALID_DEFINITION for a bad definition. */
export function createExecutor(definition: AnyFunctionDefinition, identity: FunctionIdentity): Executor {
  return new BatchExecutor(definition, identity);
}

/** `snapshot` with a batch's state changes applied (null = removed), as the runtime's store would hold it. */
export function applyStateChanges(snapshot: StateSnapshot, changes: ProcessResult['stateChanges']): StateSnapshot {
  const keys = new Map(Object.entries(snapshot).map(([key, names]) => [key, new Map(Object.entries(names))]));
  for (const [key, names] of Object.entries(changes)) {
    const current = keys.get(key) ?? new Map<string, unknown>();
    for (const [name, value] of Object.entries(names)) {
      if (value === null) current.delete(name);
      else current.set(name, value);
    }
    if (current.size === 0) keys.delete(key);
    else keys.set(key, current);
  }
  return Object.fromEntries([...keys].map(([key, names]) => [key, Object.fromEntries(names)]));
}
