// The author's test harness: the executor the sandbox runs, fed like the runtime feeds it. Events
// are encoded to bytes first (JSON or protobuf, as the input declares), so decoding and schema
// checks run exactly as in production; each send() is one batch; state carries over between sends
// the way the runtime's store would hold it.
import type { AnyFunctionDefinition, FunctionDefinition } from './define.ts';
import { applyStateChanges, createExecutor } from './executor.ts';
import type { EventOf, InputSpec } from './input.ts';
import { toCodec } from './input.ts';
import { frozenJson } from './json.ts';
import type {
  AuditRecord,
  DeadLetterReason,
  DecisionRecord,
  FunctionIdentity,
  InputEnvelope,
  LogRecord,
  OutputRecord,
  PrepareResult,
  ProcessResult,
  StateSnapshot,
} from './protocol.ts';

const RAW = Symbol('raw input');

/** Bytes sent as they are (to test undecodable or schema-invalid input). */
export interface RawInput {
  readonly [RAW]: true;
  readonly data: Uint8Array;
  readonly properties?: Record<string, string>;
  readonly eventTime?: number;
}

export function rawInput(data: Uint8Array | string, options: { properties?: Record<string, string>; eventTime?: number } = {}): RawInput {
  return { [RAW]: true, data: typeof data === 'string' ? new TextEncoder().encode(data) : data, ...options };
}

export interface HarnessOptions<E> {
  tenant?: string;
  pipeline?: string;
  version?: number;
  /** The pipeline's config for the function, as the control plane stores it. */
  config?: unknown;
  initialState?: StateSnapshot;
  /** The producer's event time of an event; the default watermark is the highest seen so far. */
  eventTime?: (event: E) => number | undefined;
}

export interface HarnessDeadLetter {
  index: number;
  reason: DeadLetterReason;
  message: string;
  /** The original bytes, as the dead-letter topic would get them. */
  data: Uint8Array;
  logs?: LogRecord[];
}

export interface HarnessResult {
  outputs: OutputRecord[];
  decisions: DecisionRecord[];
  audits: AuditRecord[];
  logs: LogRecord[];
  deadLetters: HarnessDeadLetter[];
  /** All state after this batch (key -> state name -> JSON), as the runtime would store it. */
  state: StateSnapshot;
  /** What the executor answered, for tests of the protocol itself. */
  prepared: PrepareResult;
  processed: ProcessResult;
}

export interface Harness<E> {
  readonly identity: Readonly<FunctionIdentity>;
  /** Runs `events` as one batch. */
  send(events: ReadonlyArray<E | RawInput>, options?: { watermark?: number }): HarnessResult;
  readonly state: StateSnapshot;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches any state, config and output types
export type EventOfDefinition<D> = D extends FunctionDefinition<infer I extends InputSpec, any, any, any> ? EventOf<I> : never;

function rawOf(value: unknown): RawInput | undefined {
  return typeof value === 'object' && value !== null && (value as Partial<RawInput>)[RAW] === true ? (value as RawInput) : undefined;
}

export function createHarness<D extends AnyFunctionDefinition>(definition: D, options: HarnessOptions<EventOfDefinition<D>> = {}): Harness<EventOfDefinition<D>> {
  const identity: FunctionIdentity = { tenant: options.tenant ?? 'test', pipeline: options.pipeline ?? 'test', function: definition.name, version: options.version ?? 1 };
  const executor = createExecutor(definition, identity);
  const codec = toCodec(definition.input);
  let state: StateSnapshot = frozenJson(options.initialState ?? {}, 'initialState');
  let watermark = 0;
  // Like a producer's sequence ids: every input gets the next number, across sends.
  let sequence = 0;

  const send = (events: ReadonlyArray<EventOfDefinition<D> | RawInput>, sendOptions: { watermark?: number } = {}): HarnessResult => {
    const batch: InputEnvelope[] = events.map((event, index) => {
      const envelope: InputEnvelope = { index, data: new Uint8Array(), properties: {}, publishTime: 0, identity: `harness:${sequence++}`, messageId: `harness-message:${sequence}` };
      const raw = rawOf(event);
      if (raw) {
        envelope.data = raw.data;
        if (raw.properties) envelope.properties = raw.properties;
        if (raw.eventTime !== undefined) envelope.eventTime = raw.eventTime;
      } else {
        envelope.data = codec.encode(event);
        const time = options.eventTime?.(event as EventOfDefinition<D>);
        if (time !== undefined) envelope.eventTime = time;
      }
      if (envelope.eventTime !== undefined) watermark = Math.max(watermark, envelope.eventTime);
      return envelope;
    });
    if (sendOptions.watermark !== undefined) watermark = sendOptions.watermark;
    const prepared = executor.prepare(batch);
    const processed = executor.process({ watermark, config: options.config, state });
    state = frozenJson(applyStateChanges(state, processed.stateChanges), 'state');
    const result: HarnessResult = { outputs: [], decisions: [], audits: [], logs: [], deadLetters: [], state, prepared, processed };
    for (const event of processed.events) {
      if (event.ok) {
        result.outputs.push(...event.outputs);
        result.decisions.push(...event.decisions);
        result.audits.push(...event.audits);
        result.logs.push(...event.logs);
      } else {
        const letter: HarnessDeadLetter = { index: event.index, reason: event.reason, message: event.message, data: (batch[event.index] as InputEnvelope).data };
        if (event.logs) letter.logs = event.logs;
        result.deadLetters.push(letter);
      }
    }
    return result;
  };

  return {
    identity: executor.identity,
    send,
    get state() {
      return state;
    },
  };
}
