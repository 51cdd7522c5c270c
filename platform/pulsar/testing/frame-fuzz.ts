// The structure-aware fuzz property shared by the CI test (protocol/frame-fuzz.test.ts, a few
// thousand inputs) and `npm run fuzz:client -- --frames N` (testing/fuzz-client.ts, at scale).
// Inputs are valid frames (frame-arbitraries.ts) that are then mutated where a random byte
// flip would never reach: inside the command with the sizes repaired, inside the metadata or
// payload with the CRC32C repaired, in the fields the payload decoder trusts (batch count,
// sizes, codec), and in the framing itself. Each input goes through what a consumer does with
// a frame: the parser, then decompression and batch splitting of its payload.
import fc from 'fast-check';
import { PulsarError } from '../errors.ts';
import {
  FrameParser, crc32c, decodeBatch, decompress, encodeMetadata, MAGIC_CRC32C, type MessageMetadata,
} from '../protocol/index.ts';
import { commandArbitrary, encodeCase, encodeCommandFrame, payloadFrameArbitrary } from './frame-arbitraries.ts';

/** Limits the fuzzed decoders are given; nothing they return may exceed them. */
export const FUZZ_LIMITS = { maxFrameSize: 64 * 1024, maxUncompressedSize: 1024 * 1024 } as const;

export type Outcome =
  | { kind: 'ok'; frames: number; reachedCommand: boolean; reachedPayload: boolean }
  | { kind: 'error'; code: string; reachedCommand: boolean; reachedPayload: boolean }
  | { kind: 'crash'; error: unknown };

// Errors the parser raises before it hands command bytes to protobuf (parser.ts).
const BEFORE_COMMAND = /exceeds the limit|is too small|no command size|command size \d+ exceeds frame/;

function checkLimit(what: string, size: number, limit: number): void {
  if (size > limit) throw new Error(`${what} of ${size} bytes exceeds the declared limit ${limit}`);
}

/** What a consumer does with a frame's checked payload: decompress, then split a batch. */
function decodePayload(md: MessageMetadata, payload: Uint8Array): void {
  const raw = decompress(md.compression ?? 0, payload, md.uncompressedSize ?? 0, FUZZ_LIMITS.maxUncompressedSize);
  checkLimit('decompressed payload', raw.length, FUZZ_LIMITS.maxUncompressedSize);
  if (Object.prototype.hasOwnProperty.call(md, 'numMessagesInBatch')) {
    const entries = decodeBatch(raw, md.numMessagesInBatch!);
    let total = 0;
    for (const e of entries) total += e.payload.length;
    checkLimit('batch entries', total, raw.length);
  }
}

/**
 * Runs the decoders over `bytes` cut into `chunks`. Never throws: a PulsarError with a code is
 * an `error` outcome (what the client turns into a closed connection or a message with
 * `error`); anything else, or a PulsarError without a code, is a `crash`.
 */
export function runDecoders(bytes: Uint8Array, cuts: readonly number[] = []): Outcome {
  let reachedCommand = false;
  let reachedPayload = false;
  try {
    const parser = new FrameParser({ maxFrameSize: FUZZ_LIMITS.maxFrameSize });
    let frames = 0;
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      const end = Math.min(bytes.length, Math.max(at, cut));
      for (const frame of parser.push(bytes.subarray(at, end))) {
        reachedCommand = true;
        frames++;
        const section = frame.payload;
        if (!section) continue;
        checkLimit('payload', section.payload.length, FUZZ_LIMITS.maxFrameSize);
        // A message with `error` set is delivered as such; only checked payloads are decoded.
        if (section.metadata && !section.error) {
          reachedPayload = true;
          decodePayload(section.metadata, section.payload);
        }
      }
      at = end;
    }
    return { kind: 'ok', frames, reachedCommand, reachedPayload };
  } catch (error) {
    if (error instanceof PulsarError && typeof error.code === 'string' && error.code.length > 0) {
      reachedCommand ||= !BEFORE_COMMAND.test(error.message);
      return { kind: 'error', code: error.code, reachedCommand, reachedPayload };
    }
    return { kind: 'crash', error };
  }
}

// --- mutations -------------------------------------------------------------------------------

type Edit = { at: number; value: number; kind: 'set' | 'insert' | 'delete' | 'xor' };

const editArbitrary: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 255 }),
  kind: fc.constantFrom('set', 'insert', 'delete', 'xor'),
});

function applyEdits(bytes: Uint8Array, edits: readonly Edit[]): Buffer {
  const out = [...bytes];
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + (e.kind === 'insert' ? 1 : 0));
    if (e.kind === 'insert') out.splice(at, 0, e.value);
    else if (out.length === 0) continue;
    else if (e.kind === 'delete') out.splice(at, 1);
    else if (e.kind === 'set') out[at] = e.value;
    else out[at] = out[at]! ^ (e.value || 1);
  }
  return Buffer.from(out);
}

function simpleFrame(command: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(8 + command.length);
  out.writeUInt32BE(4 + command.length, 0);
  out.writeUInt32BE(command.length, 4);
  out.set(command, 8);
  return out;
}

/** A payload frame from raw parts, sizes and CRC32C computed: the mutated parts still "check". */
function payloadFrame(command: Uint8Array, metadata: Uint8Array, payload: Uint8Array): Buffer {
  const checked = Buffer.allocUnsafe(4 + metadata.length + payload.length);
  checked.writeUInt32BE(metadata.length, 0);
  checked.set(metadata, 4);
  checked.set(payload, 4 + metadata.length);
  const head = Buffer.allocUnsafe(8 + command.length + 6);
  head.writeUInt32BE(4 + command.length + 6 + checked.length, 0);
  head.writeUInt32BE(command.length, 4);
  head.set(command, 8);
  head.writeUInt16BE(MAGIC_CRC32C, 8 + command.length);
  head.writeUInt32BE(crc32c(checked), 8 + command.length + 2);
  return Buffer.concat([head, checked]);
}

function commandBytes(frame: Buffer): Buffer {
  return frame.subarray(8, 8 + frame.readUInt32BE(4));
}

/** Values the payload decoder trusts, set to anything a forged metadata could carry. */
const metadataFieldMutation = fc.record({
  numMessagesInBatch: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
  uncompressedSize: fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }),
  compression: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
}, { requiredKeys: [] });

export type FuzzInput = { label: string; bytes: Buffer; cuts: number[] };

const cutsArbitrary = fc.array(fc.nat(), { maxLength: 4 }).map((cuts) => cuts.sort((a, b) => a - b));

/** Mutated frames, each labelled with the mutation applied. */
export const mutatedFrameArbitrary: fc.Arbitrary<FuzzInput> = fc.oneof(
  // Command bytes edited, sizes repaired: reaches protobuf decoding of the command.
  fc.tuple(commandArbitrary, fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), cutsArbitrary).map(([cmd, edits, cuts]) => ({
    label: 'command-bytes', bytes: simpleFrame(applyEdits(commandBytes(encodeCommandFrame(cmd)), edits)), cuts,
  })),
  // Metadata bytes edited, CRC repaired: reaches metadata decoding and, often, the payload decoder.
  fc.tuple(payloadFrameArbitrary, fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), cutsArbitrary).map(([c, edits, cuts]) => ({
    label: 'metadata-bytes', bytes: payloadFrame(commandBytes(encodeCase(c)), applyEdits(encodeMetadata(c.metadata), edits), c.payload), cuts,
  })),
  // Payload bytes edited, CRC repaired: reaches the codecs and the batch splitter.
  fc.tuple(payloadFrameArbitrary, fc.array(editArbitrary, { minLength: 1, maxLength: 4 }), cutsArbitrary).map(([c, edits, cuts]) => ({
    label: 'payload-bytes', bytes: payloadFrame(commandBytes(encodeCase(c)), encodeMetadata(c.metadata), applyEdits(c.payload, edits)), cuts,
  })),
  // Trusted metadata fields forged, CRC repaired.
  fc.tuple(payloadFrameArbitrary, metadataFieldMutation, cutsArbitrary).map(([c, fields, cuts]) => ({
    label: 'metadata-fields', bytes: payloadFrame(commandBytes(encodeCase(c)), encodeMetadata({ ...c.metadata, ...fields } as MessageMetadata), c.payload), cuts,
  })),
  // Framing: any byte anywhere, nothing repaired (sizes, magic, checksum), or a truncation.
  fc.tuple(fc.oneof(commandArbitrary.map(encodeCommandFrame), payloadFrameArbitrary.map(encodeCase)), fc.array(editArbitrary, { minLength: 1, maxLength: 3 }), fc.nat(), cutsArbitrary)
    .map(([frame, edits, keep, cuts]) => {
      const edited = applyEdits(frame, edits);
      return { label: 'raw-bytes', bytes: edited.subarray(0, edited.length - (keep % 4 === 0 ? keep % edited.length : 0)), cuts };
    }),
);

/** Tally of a fuzz run, printed by the script and asserted by the test. */
export class FuzzStats {
  inputs = 0;
  reachedCommandDecoder = 0;
  reachedPayloadDecoder = 0;
  decodedFrames = 0;
  errorsByCode: Record<string, number> = {};
  byMutation: Record<string, number> = {};
  crashes = 0;
  /** The first few crashing inputs, to reproduce. */
  crashSamples: { label: string; hex: string; error: string }[] = [];
  hangs = 0;
  slowestMs = 0;

  record(input: FuzzInput, outcome: Outcome, elapsedMs: number): void {
    this.inputs++;
    this.byMutation[input.label] = (this.byMutation[input.label] ?? 0) + 1;
    this.slowestMs = Math.max(this.slowestMs, elapsedMs);
    if (outcome.kind === 'crash') {
      this.crashes++;
      if (this.crashSamples.length < 20) this.crashSamples.push({ label: input.label, hex: input.bytes.toString('hex'), error: String((outcome.error as Error)?.stack ?? outcome.error) });
      return;
    }
    if (outcome.reachedCommand) this.reachedCommandDecoder++;
    if (outcome.reachedPayload) this.reachedPayloadDecoder++;
    if (outcome.kind === 'ok') this.decodedFrames += outcome.frames;
    else this.errorsByCode[outcome.code] = (this.errorsByCode[outcome.code] ?? 0) + 1;
  }
}
