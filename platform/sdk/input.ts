// How input bytes become the event a function sees. Two formats, as DESIGN.md ("Schemas") says:
// JSON checked with a zod schema, or protobuf through a protobufjs Type. Each codec tells bytes
// that cannot be read at all (undecodable) from a readable event that breaks the schema
// (schema-invalid): the two are different dead-letter reasons, and different bugs upstream.
// Only types are imported from zod and protobufjs: the codec works on the objects the bundle
// brings, so the sdk adds no code of theirs to a sandbox.
import type { IConversionOptions, Type as ProtobufType } from 'protobufjs';
import type { z } from 'zod';
import { SdkError, SdkErrorCode } from './errors.ts';
import { DeadLetterReason } from './protocol.ts';

export type DecodeResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: typeof DeadLetterReason.Undecodable | typeof DeadLetterReason.SchemaInvalid; message: string };

const CODEC = 'lodestar-input-codec' as const;

export interface InputCodec<T> {
  readonly kind: typeof CODEC;
  readonly format: 'json' | 'protobuf';
  decode(bytes: Uint8Array): DecodeResult<T>;
  /** The bytes a producer would send for `event` (the harness uses it, so decoding is exercised). */
  encode(event: T): Uint8Array;
}

/** A protobuf message as a plain object (see protobufInput for how fields are converted). */
export type ProtobufObject = Record<string, unknown>;

/** What `input` of a definition may be: a zod schema (JSON), a protobufjs Type, or a codec. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any codec, whatever its event type
export type InputSpec = z.ZodType | ProtobufType | InputCodec<any>;

/** The event type a function receives for an input spec. */
export type EventOf<I> = I extends z.ZodType ? z.output<I> : I extends InputCodec<infer T> ? T : I extends ProtobufType ? ProtobufObject : never;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** zod's issues as one line: `amount: Too small: expected number to be >=0; (root): ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export function jsonInput<S extends z.ZodType>(schema: S): InputCodec<z.output<S>> {
  return {
    kind: CODEC,
    format: 'json',
    decode(bytes) {
      let json: unknown;
      try {
        json = JSON.parse(utf8.decode(bytes));
      } catch (error) {
        return { ok: false, reason: DeadLetterReason.Undecodable, message: `not UTF-8 JSON: ${(error as Error).message}` };
      }
      const parsed = schema.safeParse(json);
      return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: DeadLetterReason.SchemaInvalid, message: describeIssues(parsed.error) };
    },
    encode: (event) => encoder.encode(JSON.stringify(event)),
  };
}

/**
 * Events that follow a protobufjs Type. The decoded message is handed over as a plain JSON-safe
 * object: 64-bit integers as decimal strings, enums by name, bytes as base64, absent fields with
 * their defaults (override with `conversion`). `T` is the event type the author declares.
 */
export function protobufInput<T = ProtobufObject>(type: ProtobufType, conversion?: IConversionOptions): InputCodec<T> {
  const options: IConversionOptions = { longs: String, enums: String, bytes: String, defaults: true, arrays: true, objects: true, ...conversion };
  return {
    kind: CODEC,
    format: 'protobuf',
    decode(bytes) {
      let message;
      try {
        message = type.decode(bytes);
      } catch (error) {
        return { ok: false, reason: DeadLetterReason.Undecodable, message: `not a ${type.fullName.replace(/^\./, '')}: ${(error as Error).message}` };
      }
      const problem = type.verify(message);
      if (problem) return { ok: false, reason: DeadLetterReason.SchemaInvalid, message: problem };
      return { ok: true, value: type.toObject(message, options) as T };
    },
    encode: (event) => type.encode(type.fromObject(event as Record<string, unknown>)).finish(),
  };
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** The codec for a definition's `input`, checked by shape so that it works across copies of zod/protobufjs. */
export function toCodec(input: unknown): InputCodec<unknown> {
  if (typeof input === 'object' && input !== null) {
    const candidate = input as Record<string, unknown>;
    if (candidate.kind === CODEC && isFunction(candidate.decode)) return input as InputCodec<unknown>;
    if ('_zod' in candidate && isFunction(candidate.safeParse)) return jsonInput(input as z.ZodType);
    if (['decode', 'verify', 'toObject', 'fromObject', 'encode'].every((m) => isFunction(candidate[m]))) return protobufInput(input as ProtobufType);
  }
  throw new SdkError(SdkErrorCode.INVALID_DEFINITION, 'input must be a zod schema, a protobufjs Type, or a codec from jsonInput/protobufInput');
}
