import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PulsarError, PulsarProtocolError } from '../errors.ts';
import { crc32c } from './crc32c.ts';
import { encodePayloadFrame, encodeSimpleFrame } from './frame.ts';
import { FrameParser } from './parser.ts';
import { CommandType, has, toBigInt, toLong } from './proto.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Fixtures are written by hand from the protobuf wire format, not produced by our encoder:
// PING = BaseCommand{type=18 (08 12), ping={} (field 18, wire type 2: 92 01 00)}.
const PING = hex('00000009 00000005 0812 920100');
// CONNECT{client_version="ts" (0a 02 7473), protocol_version=20 (20 14)} in field 2 (12 06).
const CONNECT = hex('0000000e 0000000a 0802 1206 0a027473 2014');
// SEND{producer_id=1, sequence_id=0} + MessageMetadata{producer_name="p", sequence_id=0, publish_time=5} + "hi"
const SEND_BODY = hex('0806 3204 0801 1000');
const META = hex('0a0170 1000 1805');
const CHECKED = Buffer.concat([hex('00000007'), META, Buffer.from('hi')]);
const SEND = Buffer.concat([
  hex('0000001f 00000008'), SEND_BODY, hex('0e01'),
  Buffer.from(new Uint32Array([0]).buffer).fill(0), // placeholder, replaced below
  CHECKED,
]);
SEND.writeUInt32BE(crc32c(CHECKED), 4 + 4 + SEND_BODY.length + 2);

function splitEverywhere(frame: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 1; i < frame.length; i++) out.push([frame.subarray(0, i), frame.subarray(i)]);
  out.push([...frame].map((b) => Buffer.from([b])));
  return out;
}

describe('frame encoding', () => {
  it('encodes PING and CONNECT byte for byte', () => {
    expect(encodeSimpleFrame({ type: CommandType.PING, ping: {} })).toEqual(PING);
    expect(encodeSimpleFrame({ type: CommandType.CONNECT, connect: { clientVersion: 'ts', protocolVersion: 20 } })).toEqual(CONNECT);
  });

  it('encodes a SEND payload frame with its CRC32C over metadata size, metadata and payload', () => {
    const frame = encodePayloadFrame(
      { type: CommandType.SEND, send: { producerId: toLong(1n), sequenceId: toLong(0n) } },
      META,
      Buffer.from('hi'),
    );
    expect(frame).toEqual(SEND);
  });
});

describe('FrameParser', () => {
  it('decodes the fixtures whatever the chunking', () => {
    for (const fixture of [PING, CONNECT, SEND]) {
      for (const chunks of splitEverywhere(fixture)) {
        const parser = new FrameParser();
        const frames = chunks.flatMap((c) => parser.push(c));
        expect(frames).toHaveLength(1);
      }
    }
  });

  it('reads a SEND payload section with a valid checksum', () => {
    const [frame] = new FrameParser().push(SEND);
    expect(frame!.command.type).toBe(CommandType.SEND);
    expect(toBigInt(frame!.command.send!.producerId)).toBe(1n);
    expect(frame!.payload!.checksumValid).toBe(true);
    expect(frame!.payload!.metadata!.producerName).toBe('p');
    expect(Buffer.from(frame!.payload!.payload).toString()).toBe('hi');
  });

  it('decodes many frames from one chunk and keeps a partial one for later', () => {
    const parser = new FrameParser();
    const all = Buffer.concat([PING, CONNECT, SEND, PING]);
    const first = parser.push(all.subarray(0, all.length - 3));
    expect(first.map((f) => f.command.type)).toEqual([18, 2, 6]);
    expect(parser.push(all.subarray(all.length - 3)).map((f) => f.command.type)).toEqual([18]);
  });

  it('reports a corrupted payload as a per-message error, not a broken frame', () => {
    const bad = Buffer.from(SEND);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    const [frame] = new FrameParser().push(bad);
    expect(frame!.payload!.checksumValid).toBe(false);
    expect(frame!.payload!.error?.code).toBe('ChecksumMismatch');
  });

  it('accepts a payload without checksum and with broker entry metadata (0x0e02)', () => {
    // MESSAGE{consumer_id=7, message_id={ledger=1, entry=2}}
    const cmd = hex('0809 4a08 0807 1204 0801 1002');
    const bem = hex('0801 1002'); // broker_timestamp=1, index=2
    const rest = Buffer.concat([hex('0e02 00000004'), bem, hex('00000007'), META, Buffer.from('yo')]);
    const body = Buffer.concat([hex('0000000c'), cmd, rest]);
    const frame = Buffer.concat([Buffer.alloc(4), body]);
    frame.writeUInt32BE(body.length, 0);
    const [f] = new FrameParser().push(frame);
    expect(toBigInt(f!.payload!.brokerEntryMetadata!.index)).toBe(2n);
    expect(f!.payload!.checksumValid).toBeUndefined();
    expect(Buffer.from(f!.payload!.payload).toString()).toBe('yo');
    expect(has(f!.command.message!.messageId, 'partition')).toBe(false);
    expect(f!.command.message!.messageId.partition).toBe(-1);
  });

  it('refuses a forged huge length before allocating anything', () => {
    const parser = new FrameParser();
    expect(() => parser.push(hex('7fffffff 00'))).toThrow(PulsarProtocolError);
    expect(() => parser.push(PING)).toThrow(/exceeds the limit/);
    const small = new FrameParser({ maxFrameSize: 8 });
    expect(() => small.push(CONNECT)).toThrow(expect.objectContaining({ code: 'FrameTooLarge' }));
  });

  it('rejects a command size beyond the frame and a command without its body', () => {
    expect(() => new FrameParser().push(hex('00000005 000000ff 08'))).toThrow(/command size/);
    expect(() => new FrameParser().push(hex('00000006 00000002 0812'))).toThrow(/without its body/);
  });
});

describe('FrameParser under fuzzing', () => {
  const valid = [PING, CONNECT, SEND];

  function feed(bytes: Uint8Array, cuts: number[]): void {
    const parser = new FrameParser({ maxFrameSize: 1 << 16 });
    let at = 0;
    try {
      for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
        parser.push(bytes.subarray(at, Math.max(at, cut)));
        at = Math.max(at, cut);
      }
    } catch (err) {
      // The only acceptable failure is a typed one.
      expect(err).toBeInstanceOf(PulsarError);
    }
  }

  it('survives random bytes in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => feed(bytes, cuts)),
      { numRuns: 2000 },
    );
  });

  it('survives mutated valid frames', () => {
    const mutated = fc
      .tuple(
        fc.constantFrom(...valid),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
      )
      .map(([frame, edits, cut]) => {
        const copy = Buffer.from(frame);
        for (const [at, value] of edits) copy[at % copy.length] = value;
        return Buffer.concat([copy, frame]).subarray(0, Math.max(1, cut % (copy.length * 2)));
      });
    fc.assert(fc.property(mutated, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => feed(bytes, cuts)), { numRuns: 5000 });
  });

  it('survives valid frames whose protobuf body is random', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (cmd) => {
        const frame = Buffer.alloc(8 + cmd.length);
        frame.writeUInt32BE(4 + cmd.length, 0);
        frame.writeUInt32BE(cmd.length, 4);
        frame.set(cmd, 8);
        feed(frame, []);
      }),
      { numRuns: 5000 },
    );
  });
});
