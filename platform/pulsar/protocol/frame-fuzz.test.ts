// Structure-aware fuzzing of the wire decoders (property and mutations in
// testing/frame-fuzz.ts). Small here; `npm run fuzz:client -- --frames 1000000` runs the same
// property at scale. A hang shows as this test's timeout: the decoders are synchronous.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBatch } from './batch.ts';
import { decompress } from './compression.ts';
import { FrameParser } from './parser.ts';
import { BaseCommandType, MessageMetadataType, SingleMessageMetadataType } from './proto.ts';
import { commandArbitrary, encodeCase, encodeCommandFrame, normalize, payloadFrameArbitrary } from '../testing/frame-arbitraries.ts';
import { FuzzStats, mutatedFrameArbitrary, runDecoders } from '../testing/frame-fuzz.ts';

// Generous for a loaded 2-core host; it bounds a hang (an endless loop in a decoder), not speed.
const HANG_BOUND_MS = 180_000;

describe('valid frames of every command round-trip exactly', () => {
  it('simple frames: decode(encode(command)) has the same fields', () => {
    fc.assert(fc.property(commandArbitrary, fc.array(fc.nat(), { maxLength: 3 }), (command, cuts) => {
      const bytes = encodeCommandFrame(command);
      const parser = new FrameParser();
      let at = 0;
      const frames = [];
      for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
        frames.push(...parser.push(bytes.subarray(at, Math.max(at, cut))));
        at = Math.max(at, cut);
      }
      expect(frames).toHaveLength(1);
      expect(normalize(BaseCommandType, frames[0]!.command)).toEqual(normalize(BaseCommandType, command));
    }), { numRuns: 1000 });
  }, HANG_BOUND_MS);

  it('SEND/MESSAGE frames: command, metadata, checksum, codec and batch entries', () => {
    fc.assert(fc.property(payloadFrameArbitrary, (c) => {
      const [frame] = new FrameParser().push(encodeCase(c));
      expect(normalize(BaseCommandType, frame!.command)).toEqual(normalize(BaseCommandType, c.command));
      const section = frame!.payload!;
      expect(section.checksumValid).toBe(true);
      expect(section.error).toBeUndefined();
      expect(normalize(MessageMetadataType, section.metadata!)).toEqual(normalize(MessageMetadataType, c.metadata));
      const raw = decompress(section.metadata!.compression ?? 0, section.payload, section.metadata!.uncompressedSize ?? 0);
      if (!c.entries) return;
      const entries = decodeBatch(raw, section.metadata!.numMessagesInBatch!);
      expect(entries.map((e) => [normalize(SingleMessageMetadataType, e.metadata), Buffer.from(e.payload).toString('hex')]))
        .toEqual(c.entries.map((e) => [normalize(SingleMessageMetadataType, e.metadata), Buffer.from(e.payload).toString('hex')]));
    }), { numRuns: 300 });
  }, HANG_BOUND_MS);
});

describe('mutated frames', () => {
  it('end in a frame or a PulsarError with a code, within the declared limits, and reach both decoders', () => {
    const stats = new FuzzStats();
    fc.assert(fc.property(mutatedFrameArbitrary, (input) => {
      const started = performance.now();
      stats.record(input, runDecoders(input.bytes, input.cuts), performance.now() - started);
    }), { numRuns: 3000 });
    expect(stats.crashSamples).toEqual([]);
    expect(stats.crashes).toBe(0);
    // The point of structure-awareness: mutated inputs get past the size checks, into protobuf
    // decoding, and past the checksum, into the codecs and the batch splitter.
    expect(stats.reachedCommandDecoder).toBeGreaterThan(stats.inputs / 2);
    expect(stats.reachedPayloadDecoder).toBeGreaterThan(stats.inputs / 10);
    expect(Object.keys(stats.errorsByCode).sort()).toEqual(expect.arrayContaining(['BatchDeserializeError', 'DecompressionError', 'ProtocolError']));
  }, HANG_BOUND_MS);
});
