// fast-check arbitraries of valid Pulsar frames, derived from our pulsar.proto by reflection:
// every BaseCommand sub-command the client reads or writes (COMMAND_FIELD), and SEND/MESSAGE
// payload frames with MessageMetadata, optional batching and each writable codec. Deriving them
// from the schema means a field added to pulsar.proto is fuzzed without touching this file.
import fc from 'fast-check';
import Long from 'long';
import protobuf from 'protobufjs';
import {
  BaseCommandType, COMMAND_FIELD, CommandType, CompressionType, MessageMetadataType, SingleMessageMetadataType,
  compress, encodeBatch, encodeMetadata, encodePayloadFrame, encodeSimpleFrame,
  type BaseCommand, type BatchEntry, type MessageMetadata,
} from '../protocol/index.ts';

const MAX_DEPTH = 3;

// Strings that survive UTF-8 both ways (no lone surrogates), short so frames stay small.
const text = fc.string({ unit: 'grapheme', maxLength: 12 });

function scalar(kind: string): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'bool': return fc.boolean();
    case 'string': return text;
    case 'bytes': return fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b));
    case 'int32': case 'sint32': case 'sfixed32': return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32': case 'fixed32': return fc.nat({ max: 2 ** 32 - 1 });
    case 'double': case 'float': return fc.constant(0);
    default: {
      const unsigned = kind === 'uint64' || kind === 'fixed64';
      // Small values most of the time (ids, counts), full-range ones too (sentinels, txn ids).
      const range = unsigned ? { min: 0n, max: 2n ** 64n - 1n } : { min: -(2n ** 63n), max: 2n ** 63n - 1n };
      return fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt(range)).map((v) => Long.fromString(v.toString(), unsigned));
    }
  }
}

function fieldArbitrary(field: protobuf.Field, depth: number): fc.Arbitrary<unknown> | undefined {
  field.resolve();
  let value: fc.Arbitrary<unknown> | undefined;
  if (field.resolvedType instanceof protobuf.Enum) {
    value = fc.constantFrom(...Object.values(field.resolvedType.values));
  } else if (field.resolvedType instanceof protobuf.Type) {
    value = depth < MAX_DEPTH ? messageArbitrary(field.resolvedType, depth + 1) : undefined;
  } else {
    value = scalar(field.type);
  }
  if (value === undefined) return undefined;
  return field.repeated ? fc.array(value, { maxLength: 3 }) : value;
}

const cache = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

/** Any valid message of `type`: required fields always set, optional ones sometimes. */
export function messageArbitrary(type: protobuf.Type, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const key = `${type.fullName}@${depth}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const required: Record<string, fc.Arbitrary<unknown>> = {};
  const optional: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) {
    const arb = fieldArbitrary(field, depth);
    if (arb === undefined) {
      if (field.required) throw new Error(`${type.name}.${field.name}: required field nested too deep to generate`);
      continue;
    }
    (field.required ? required : optional)[field.name] = arb;
  }
  const arb = fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) }) as fc.Arbitrary<Record<string, unknown>>;
  cache.set(key, arb);
  return arb;
}

function subCommandType(field: string): protobuf.Type {
  return BaseCommandType.fields[field]!.resolve().resolvedType as protobuf.Type;
}

/** A BaseCommand of any type the client speaks, with its sub-command. */
export const commandArbitrary: fc.Arbitrary<BaseCommand> = fc.oneof(
  ...Object.entries(COMMAND_FIELD).map(([type, field]) =>
    messageArbitrary(subCommandType(field as string)).map((body) => ({ type: Number(type), [field]: body }) as BaseCommand)),
);

/** A SEND or MESSAGE carrying a payload, and what its payload holds. */
export interface PayloadFrameCase {
  command: BaseCommand;
  metadata: MessageMetadata;
  /** The batch entries, or one plain payload when not batched. */
  entries: BatchEntry[] | undefined;
  payload: Uint8Array;
}

const WRITABLE_CODECS = [CompressionType.NONE, CompressionType.LZ4, CompressionType.ZLIB, CompressionType.SNAPPY] as const;

const sendOrMessage: fc.Arbitrary<BaseCommand> = fc.oneof(
  messageArbitrary(subCommandType('send')).map((send) => ({ type: CommandType.SEND, send }) as unknown as BaseCommand),
  messageArbitrary(subCommandType('message')).map((message) => ({ type: CommandType.MESSAGE, message }) as unknown as BaseCommand),
);

export const payloadFrameArbitrary: fc.Arbitrary<PayloadFrameCase> = fc
  .record({
    command: sendOrMessage,
    metadata: messageArbitrary(MessageMetadataType),
    codec: fc.constantFrom(...WRITABLE_CODECS),
    batch: fc.option(fc.array(fc.record({ metadata: messageArbitrary(SingleMessageMetadataType), payload: fc.uint8Array({ maxLength: 64 }) }), { minLength: 1, maxLength: 6 }), { nil: undefined }),
    plain: fc.uint8Array({ maxLength: 200 }),
  })
  .map(({ command, metadata, codec, batch, plain }) => {
    const entries = batch?.map((e) => ({ metadata: { ...e.metadata, payloadSize: e.payload.length }, payload: Buffer.from(e.payload) })) as BatchEntry[] | undefined;
    const raw = entries ? encodeBatch(entries) : Buffer.from(plain);
    const md = { ...metadata, compression: codec, uncompressedSize: raw.length } as unknown as MessageMetadata;
    // Its presence marks a batch (PROTOCOL.md §4.4).
    if (entries) md.numMessagesInBatch = entries.length;
    else delete md.numMessagesInBatch;
    return { command, metadata: md, entries, payload: compress(codec, raw) };
  });

export function encodeCase(c: PayloadFrameCase): Buffer {
  return encodePayloadFrame(c.command, encodeMetadata(c.metadata), c.payload);
}

export function encodeCommandFrame(command: BaseCommand): Buffer {
  return encodeSimpleFrame(command);
}

/** A decoded protobuf message as plain JSON-able data, for exact comparisons. */
export function normalize(type: protobuf.Type, message: object): unknown {
  return type.toObject(type.fromObject(message), { longs: String, bytes: String, enums: Number, defaults: false });
}
