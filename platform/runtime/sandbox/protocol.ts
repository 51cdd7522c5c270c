// The IPC command protocol between the worker (parent) and one sandbox child, in the spirit of
// BullMQ's child commands: the parent sends numbered requests, the child answers each id once.
// Messages go over Node's IPC channel with `serialization: 'advanced'` (structured clone), so
// Uint8Array payloads cross as bytes. The parent never trusts the child: every message it receives
// is checked by parseChildMessage, and one that does not fit ends that sandbox, not the worker.
import type { FunctionIdentity, InputEnvelope, PrepareResult, ProcessRequest, ProcessResult } from './contract.ts';
import { isSerializedError } from './errors.ts';
import type { SerializedError } from './errors.ts';

/** What the built bundle exports: (identity) => Executor (build.ts writes it, the child calls it). */
export const EXECUTOR_EXPORT = 'lodestarExecutor';

export interface InitParams {
  /** Absolute path of the built bundle (one CommonJS file); the child may read nothing else. */
  bundleFile: string;
  identity: FunctionIdentity;
  /** Node builtins the bundle's code may require (the executor hashes ids with node:crypto). */
  allowedBuiltins: string[];
}

/** Each method's parameters and result. */
export interface Methods {
  init: { params: InitParams; result: null };
  prepare: { params: InputEnvelope[]; result: PrepareResult };
  process: { params: ProcessRequest; result: ProcessResult };
  shutdown: { params: null; result: null };
}
export type Method = keyof Methods;

export const METHODS: readonly Method[] = ['init', 'prepare', 'process', 'shutdown'];

export interface RequestMessage<M extends Method = Method> {
  kind: 'request';
  id: number;
  method: M;
  params: Methods[M]['params'];
}

/** Where a failure inside the child came from: loading the bundle, or running the executor. */
export const FailureOrigin = { Load: 'load', Executor: 'executor' } as const;
export type FailureOrigin = (typeof FailureOrigin)[keyof typeof FailureOrigin];

export type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; origin: FailureOrigin; error: SerializedError };

/** console output of the bundle, forwarded instead of written to a pipe nobody reads. */
export interface LogMessage { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string }

/** The bundle asked for something the sandbox refuses (a builtin module such as node:fs). */
export interface ViolationMessage { kind: 'violation'; what: string }

export type ChildMessage = ResponseMessage | LogMessage | ViolationMessage;

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const MAX_TEXT = 8 * 1024;

/** The message if it is one the child may send, else a description of what is wrong with it. */
export function parseChildMessage(value: unknown): ChildMessage | string {
  if (value === null || typeof value !== 'object') return `not an object: ${typeof value}`;
  const m = value as Record<string, unknown>;
  switch (m.kind) {
    case 'response':
      if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return 'response without a numeric id';
      if (m.ok === true) return { kind: 'response', id: m.id, ok: true, result: m.result };
      if (m.ok !== false) return 'response whose ok is not a boolean';
      if (m.origin !== FailureOrigin.Load && m.origin !== FailureOrigin.Executor) return 'failure response with an unknown origin';
      if (!isSerializedError(m.error)) return 'failure response without a serialized error';
      return { kind: 'response', id: m.id, ok: false, origin: m.origin, error: m.error };
    case 'log':
      if (typeof m.level !== 'string' || !LOG_LEVELS.has(m.level) || typeof m.msg !== 'string') return 'malformed log message';
      return { kind: 'log', level: m.level as LogMessage['level'], msg: m.msg.slice(0, MAX_TEXT) };
    case 'violation':
      if (typeof m.what !== 'string') return 'malformed violation message';
      return { kind: 'violation', what: m.what.slice(0, MAX_TEXT) };
    default:
      return `unknown message kind ${JSON.stringify(String(m.kind)).slice(0, 100)}`;
  }
}

/**
 * Checks a result's outer shape against the batch it answers: prepare gives one entry per input in
 * batch order; process gives entries for a subset of the inputs (those prepare accepted, possibly
 * all), in increasing index order. Field contents are the executor's promise; what matters here
 * is that tenant code (which shares a realm with the executor and could tamper with it) cannot
 * make the runtime misattribute results to inputs. Returns a description of the problem, or undefined.
 */
export function checkBatchResult(method: 'prepare' | 'process', result: unknown, batchSize: number): string | undefined {
  if (result === null || typeof result !== 'object') return `${method} returned ${result === null ? 'null' : typeof result}, not a result object`;
  const events = (result as { events?: unknown }).events;
  if (!Array.isArray(events)) return `${method} result has no events array`;
  if (method === 'prepare' && events.length !== batchSize) return `prepare result has ${events.length} events for a batch of ${batchSize}`;
  let previous = -1;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as { index?: unknown; ok?: unknown } | null;
    const index = e !== null && typeof e === 'object' ? e.index : undefined;
    const expected = method === 'prepare' ? index === i : Number.isInteger(index) && (index as number) > previous && (index as number) < batchSize;
    if (!expected || typeof e?.ok !== 'boolean') return `${method} result event ${i} has a missing, repeated or out-of-order index, or no ok flag`;
    previous = index as number;
  }
  if (method === 'process') {
    const changes = (result as { stateChanges?: unknown }).stateChanges;
    if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) return 'process result has no stateChanges object';
  }
  return undefined;
}
