import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constants, createDeflate } from 'node:zlib';
import { PulsarError } from '../errors.ts';
import { decodeBatch, encodeBatch, encodeBatchParts } from './batch.ts';
import { encodePayloadFrame } from './frame.ts';
import { compress, decompress, prepareCompression } from './compression.ts';
import { lz4DecompressBlock } from './lz4.ts';
import { CommandType, CompressionType, toBigInt, toLong } from './proto.ts';

const text = Buffer.from('hello hello hello hello zstd');

describe('compression', () => {
  beforeAll(() => prepareCompression(CompressionType.ZSTD));

  it('round-trips every writable codec', () => {
    for (const type of [CompressionType.LZ4, CompressionType.ZLIB, CompressionType.ZSTD, CompressionType.SNAPPY]) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (data, repetitive) => {
          const input = repetitive ? Buffer.concat([data, data, data]) : data;
          expect(Buffer.from(decompress(type, compress(type, input), input.length))).toEqual(Buffer.from(input));
        }),
        { numRuns: 200 },
      );
    }
  });

  it('reads a zstd frame made by the zstd CLI', () => {
    const frame = Buffer.from('28b52ffd04588500005068656c6c6f207a7374640100f14a11de38b055', 'hex');
    expect(Buffer.from(decompress(CompressionType.ZSTD, frame, text.length))).toEqual(text);
  });

  it('writes real ZSTD frames (magic number, smaller than the input when it repeats)', () => {
    const input = Buffer.alloc(64 * 1024, 'lodestar ');
    const frame = Buffer.from(compress(CompressionType.ZSTD, input));
    expect(frame.readUInt32LE(0)).toBe(0xfd2fb528);
    expect(frame.length).toBeLessThan(input.length / 100);
  });

  it('reads a ZLIB stream that Java left unfinished (SYNC_FLUSH, no trailer)', () => {
    const deflater = createDeflate();
    const chunks: Buffer[] = [];
    deflater.on('data', (c: Buffer) => chunks.push(c));
    deflater.write(text);
    return new Promise<void>((resolve) => deflater.flush(constants.Z_SYNC_FLUSH, () => {
      const unfinished = Buffer.concat(chunks);
      expect(unfinished.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff])); // sync marker, no trailer
      expect(Buffer.from(decompress(CompressionType.ZLIB, unfinished, text.length))).toEqual(text);
      deflater.close();
      resolve();
    }));
  });

  it('reads a hand-made LZ4 block with an overlapping match', () => {
    // token 0x1f: 1 literal 'a', match length 15+3+4=22 at offset 1 → 23 × 'a'
    const block = Buffer.from([0x1f, 0x61, 0x01, 0x00, 0x03, 0x50, 0x62, 0x62, 0x62, 0x62, 0x62]);
    expect(Buffer.from(lz4DecompressBlock(block, 28)).toString()).toBe('a'.repeat(23) + 'bbbbb');
  });

  it('turns corrupt input and lying sizes into typed errors', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4), fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 5000 }), (type, data, size) => {
        try {
          decompress(type, data, size);
        } catch (err) {
          expect(err).toBeInstanceOf(PulsarError);
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => decompress(CompressionType.ZLIB, compress(CompressionType.ZLIB, text), 5)).toThrow(PulsarError);
    expect(() => decompress(CompressionType.LZ4, Buffer.alloc(4), 1e12)).toThrow(/exceeds/);
  });
});

describe('batch codec', () => {
  it('encodes entries byte for byte and reads them back', () => {
    const batch = encodeBatch([
      { metadata: { payloadSize: 0, partitionKey: 'k' }, payload: Buffer.from('ab') },
      { metadata: { payloadSize: 0, sequenceId: toLong(7n) }, payload: Buffer.from('c') },
    ]);
    // [len=5][0x12 01 'k' 0x18 02]['ab'] [len=4][0x18 01 0x40 07]['c']
    expect(batch.toString('hex')).toBe('00000005' + '12016b1802' + '6162' + '00000004' + '18014007' + '63');
    const [a, b] = decodeBatch(batch, 2);
    expect(a!.metadata.partitionKey).toBe('k');
    expect(Buffer.from(a!.payload).toString()).toBe('ab');
    expect(toBigInt(b!.metadata.sequenceId)).toBe(7n);
  });

  it('writes a batch into a frame from its parts exactly as from the laid-out payload', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.option(fc.string({ maxLength: 8 }), { nil: undefined })), { minLength: 1, maxLength: 20 }), (items) => {
        const entries = items.map(([payload, key]) => ({ metadata: { payloadSize: payload.length, ...(key === undefined ? {} : { partitionKey: key }) }, payload }));
        const cmd = { type: CommandType.SEND, send: { producerId: 1, sequenceId: 0, numMessages: entries.length } };
        const metadata = Uint8Array.of(0x0a, 0x01, 0x70);
        expect(encodePayloadFrame(cmd, metadata, encodeBatchParts(entries)).equals(encodePayloadFrame(cmd, metadata, encodeBatch(entries)))).toBe(true);
      }),
    );
  });

  it('rejects forged counts and sizes with typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.integer({ min: -1, max: 1e9 }), (data, count) => {
        try {
          decodeBatch(data, count);
        } catch (err) {
          expect(err).toBeInstanceOf(PulsarError);
        }
      }),
    );
  });
});
