// defineFunction: what a bundle's default export is. It checks the definition once, when the
// bundle loads (so a malformed one fails its deploy, not its first event), and carries the types
// that make `e` and `ctx` typed in key/id/process. The object it returns is the author's own plus
// a registry-wide mark, so an executor from another copy of this package still recognises it.
import type { z } from 'zod';
import { SdkError, SdkErrorCode } from './errors.ts';
import type { EventOf, InputSpec } from './input.ts';
import { toCodec } from './input.ts';
import type { FunctionIdentity } from './protocol.ts';
import type { StateHandles, StateSpecs } from './state.ts';
import { STATE_KINDS } from './state.ts';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface EmitOptions {
  /** Partition key of the output message; default: the event's key. */
  key?: string;
}

export interface AuditOptions {
  /** The decision this record explains (the id ctx.decide returned). */
  decisionId?: string;
}

/** What process() gets beside the event. Valid only during that call. */
export interface Context<S extends StateSpecs = StateSpecs, C = unknown, O extends string = string> {
  /** Keyed state of this event's key, one handle per declared state. */
  readonly state: StateHandles<S>;
  /** The pipeline's config for this function, parsed by the definition's `config` schema if it has one. */
  readonly config: C;
  /** What key() returned for this event. */
  readonly key: string;
  /** The input's deterministic identity (id(e), or producer name and sequence id), the same in every region. */
  readonly identity: string;
  /** Tenant, pipeline, function and version running this event. */
  readonly function: Readonly<FunctionIdentity>;
  /** The producer's event time of this message (ms), when it set one. */
  readonly eventTime: number | undefined;
  readonly properties: Readonly<Record<string, string>>;
  /** The batch watermark (event time, ms): never the wall clock, so replays see the same time. */
  now(): number;
  /** Sends `value` (JSON) to the pipeline output `output`; returns the record's id. */
  emit(output: O, value: unknown, options?: EmitOptions): string;
  /** Records a decision; returns its id, deterministic from the input's identity. */
  decide(action: string, details?: unknown): string;
  /** Adds an audit record (what was seen and why); returns its id. */
  audit(details: unknown, options?: AuditOptions): string;
  readonly log: Logger;
}

export type ConfigOf<C> = C extends z.ZodType ? z.output<C> : unknown;

export interface FunctionSpec<I extends InputSpec, S extends StateSpecs, C extends z.ZodType | undefined, O extends string> {
  /** The function's name, as in its manifest (2-40 of a-z, 0-9, -). */
  name: string;
  /** A zod schema (JSON events), a protobufjs Type, or jsonInput()/protobufInput(). */
  input: I;
  /** Decides ordering and state: events with one key run in order and share state. Must not throw for a valid event. */
  key: (event: EventOf<I>) => string;
  /** The event's own identity (e.g. its id field); default: the producer name and sequence id. */
  id?: (event: EventOf<I>) => string;
  state?: S;
  /** Schema of the pipeline's config for this function. */
  config?: C;
  /** The outputs this function emits to; when given, emit() accepts only these names. */
  outputs?: readonly O[];
  /** Pure: no I/O, no clock, no randomness; everything it does goes through ctx. */
  process: (event: EventOf<I>, ctx: Context<S, ConfigOf<C>, O>) => void;
}

const MARK = Symbol.for('@lodestar/sdk:function');

export type FunctionDefinition<I extends InputSpec = InputSpec, S extends StateSpecs = StateSpecs, C extends z.ZodType | undefined = z.ZodType | undefined, O extends string = string> = Readonly<FunctionSpec<I, S, C, O>> & { readonly [MARK]: true };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any definition, whatever its event, state and config types
export type AnyFunctionDefinition = FunctionDefinition<any, any, any, any>;

/** The same rule as the control plane's resource names, so a definition's name can be its manifest's. */
const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const STATE_NAME = /^[A-Za-z_$][\w$]{0,63}$/;
const OUTPUT_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

function invalid(message: string): never {
  throw new SdkError(SdkErrorCode.INVALID_DEFINITION, message);
}

/** Throws SdkError INVALID_DEFINITION naming the first thing wrong with `spec`. */
export function checkDefinition(spec: unknown): asserts spec is AnyFunctionDefinition {
  if (typeof spec !== 'object' || spec === null) invalid('a function definition is an object; export default defineFunction({...})');
  const d = spec as Record<string, unknown>;
  if (typeof d.name !== 'string' || !FUNCTION_NAME.test(d.name)) invalid(`name: ${JSON.stringify(d.name)} is not 2-40 of a-z, 0-9 and -, starting with a letter`);
  const where = `function ${d.name}`;
  try {
    toCodec(d.input);
  } catch (error) {
    invalid(`${where}: ${(error as Error).message}`);
  }
  for (const fn of ['key', 'process'] as const) if (typeof d[fn] !== 'function') invalid(`${where}: ${fn} must be a function`);
  if (d.id !== undefined && typeof d.id !== 'function') invalid(`${where}: id must be a function when given`);
  if (d.state !== undefined) {
    if (typeof d.state !== 'object' || d.state === null) invalid(`${where}: state must be an object of state kinds`);
    for (const [name, kind] of Object.entries(d.state)) {
      if (!STATE_NAME.test(name)) invalid(`${where}: state name ${JSON.stringify(name)} is not an identifier`);
      if (!STATE_KINDS.has((kind as { kind?: string } | null)?.kind as string)) invalid(`${where}: state "${name}" is not value(), map() or counter()`);
    }
  }
  if (d.config !== undefined && typeof (d.config as { safeParse?: unknown } | null)?.safeParse !== 'function') invalid(`${where}: config must be a zod schema`);
  if (d.outputs !== undefined) {
    if (!Array.isArray(d.outputs)) invalid(`${where}: outputs must be an array of output names`);
    for (const o of d.outputs) if (typeof o !== 'string' || !OUTPUT_NAME.test(o)) invalid(`${where}: output name ${JSON.stringify(o)} is not 2-40 of a-z, 0-9 and -`);
  }
}

export function defineFunction<I extends InputSpec, S extends StateSpecs = Record<never, never>, C extends z.ZodType | undefined = undefined, const O extends string = string>(
  spec: FunctionSpec<I, S, C, O>,
): FunctionDefinition<I, S, C, O> {
  checkDefinition(spec);
  return Object.freeze({ ...spec, [MARK]: true as const });
}

export function isFunctionDefinition(value: unknown): value is AnyFunctionDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARK] === true;
}
