// Frames recorded between Java's perf tool and a real broker (fixtures/java, written by
// infra/pulsar/record-java-frames.ts through testing/recording-proxy.ts). They were produced by
// Java's encoder and Pulsar's broker, so they cannot share a mistake of ours: a wrong field
// number or type in pulsar.proto, a wrong frame layout or checksum fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBatch } from './batch.ts';
import { decompress } from './compression.ts';
import { encodePayloadFrame, encodeSimpleFrame } from './frame.ts';
import { FrameParser, type Frame } from './parser.ts';
import {
  BaseCommandType, COMMAND_FIELD, CommandType, CompressionType, MessageMetadataType, SingleMessageMetadataType,
  encodeMetadata, has, toBigInt, type BaseCommand,
} from './proto.ts';
import type protobuf from 'protobufjs';

interface Recorded { connection: number; direction: 'client-to-broker' | 'broker-to-client'; hex: string }
interface Fixture { file: string; bytes: Buffer; frame: Frame; direction: Recorded['direction'] }

const dir = new URL('./fixtures/java/', import.meta.url);
const fixtures: Fixture[] = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).flatMap((file) =>
  readFileSync(new URL(file, dir), 'utf8').trim().split('\n').map((line) => {
    const r = JSON.parse(line) as Recorded;
    const bytes = Buffer.from(r.hex, 'hex');
    const frames = new FrameParser().push(bytes);
    if (frames.length !== 1) throw new Error(`${file}: ${frames.length} frames in one record`);
    return { file, bytes, frame: frames[0]!, direction: r.direction };
  }));

const byType = (type: number) => fixtures.filter((f) => f.frame.command.type === type);
const plain = (type: protobuf.Type, message: object) =>
  type.toObject(message as protobuf.Message, { longs: String, bytes: String, enums: Number });
const name = (type: number) => COMMAND_FIELD[type] ?? String(type);

describe('frames recorded from the Java client and a real broker', () => {
  it('hold every command the client sends or parses in produce, consume and transactions', () => {
    const seen = new Set(fixtures.map((f) => name(f.frame.command.type)));
    // A re-recording that loses one of these would silently weaken the tests below.
    expect([...seen].sort()).toEqual([
      'ack', 'ackResponse', 'addPartitionToTxn', 'addPartitionToTxnResponse', 'addSubscriptionToTxn',
      'addSubscriptionToTxnResponse', 'closeProducer', 'connect', 'connected', 'endTxn', 'endTxnResponse', 'flow',
      'lookupTopic', 'lookupTopicResponse', 'message', 'newTxn', 'newTxnResponse', 'partitionMetadata',
      'partitionMetadataResponse', 'producer', 'producerSuccess', 'send', 'sendReceipt', 'subscribe', 'success',
      'tcClientConnectRequest', 'tcClientConnectResponse',
    ]);
  });

  it('decode whatever the chunking: one frame, every byte consumed', () => {
    for (const { bytes } of fixtures) {
      const parser = new FrameParser();
      const out: Frame[] = [];
      for (let i = 0; i < bytes.length; i += 7) out.push(...parser.push(bytes.subarray(i, i + 7)));
      expect(out).toHaveLength(1);
      expect(plain(BaseCommandType, out[0]!.command)).toEqual(plain(BaseCommandType, fixtures.find((f) => f.bytes === bytes)!.frame.command));
    }
  });

  it('re-encode byte for byte from the decoded fields (simple frames)', () => {
    for (const { bytes, frame, file } of fixtures.filter((f) => !f.frame.payload)) {
      expect(encodeSimpleFrame(frame.command).toString('hex'), `${file} ${name(frame.command.type)}`).toBe(bytes.toString('hex'));
    }
  });

  it('re-encode SEND and MESSAGE byte for byte: command, metadata, payload and CRC32C', () => {
    for (const { bytes, frame, file } of fixtures.filter((f) => f.frame.payload)) {
      const section = frame.payload!;
      expect(section.checksumValid, `${file} checksum`).toBe(true);
      expect(section.brokerEntryMetadata).toBeUndefined();
      const again = encodePayloadFrame(frame.command, encodeMetadata(section.metadata!), section.payload);
      expect(again.toString('hex'), `${file} ${name(frame.command.type)}`).toBe(bytes.toString('hex'));
    }
  });

  it('report a flipped payload byte of a Java frame as a checksum mismatch', () => {
    const { bytes } = byType(CommandType.SEND)[0]!;
    const bad = Buffer.from(bytes);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01;
    const [frame] = new FrameParser().push(bad);
    expect(frame!.payload!.checksumValid).toBe(false);
    expect(frame!.payload!.error?.code).toBe('ChecksumMismatch');
  });

  it('read Java batches: LZ4 payload, entries of the sizes the perf tool sent', () => {
    const produced = byType(CommandType.SEND).filter((f) => f.file.startsWith('produce'));
    // Java sends a batch that holds a single message as a plain message (no num_messages_in_batch).
    const [single, ...batched] = produced;
    const singleMd = single!.frame.payload!.metadata!;
    expect(has(singleMd, 'numMessagesInBatch')).toBe(false);
    expect(decompress(singleMd.compression!, single!.frame.payload!.payload, singleMd.uncompressedSize!)).toHaveLength(64);
    expect(batched.length).toBeGreaterThan(0);
    for (const { frame } of batched) {
      const md = frame.payload!.metadata!;
      expect(md.compression).toBe(CompressionType.LZ4);
      expect(has(md, 'numMessagesInBatch')).toBe(true);
      expect(frame.command.send!.numMessages).toBe(md.numMessagesInBatch);
      expect(toBigInt(md.sequenceId)).toBe(toBigInt(frame.command.send!.sequenceId));
      const raw = Buffer.from(decompress(md.compression!, frame.payload!.payload, md.uncompressedSize!));
      const entries = decodeBatch(raw, md.numMessagesInBatch!);
      expect(entries).toHaveLength(md.numMessagesInBatch!);
      // -s 64: every message of the perf tool is 64 bytes.
      expect(entries.map((e) => e.payload.length)).toEqual(entries.map(() => 64));
      // SingleMessageMetadata re-encodes byte for byte too.
      let pos = 0;
      for (const entry of entries) {
        const size = raw.readUInt32BE(pos);
        const again = SingleMessageMetadataType.encode(SingleMessageMetadataType.fromObject(plain(SingleMessageMetadataType, entry.metadata))).finish();
        expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(raw.subarray(pos + 4, pos + 4 + size)).toString('hex'));
        pos += 4 + size + entry.payload.length;
      }
      expect(pos).toBe(raw.length);
    }
  });

  it('read the broker\'s MESSAGE frames: message id, and the batch inside', () => {
    const messages = byType(CommandType.MESSAGE);
    expect(messages.length).toBeGreaterThan(0);
    for (const { frame } of messages) {
      const id = frame.command.message!.messageId;
      expect(toBigInt(id.ledgerId)).toBeGreaterThan(0n);
      const md = frame.payload!.metadata!;
      const raw = decompress(md.compression ?? 0, frame.payload!.payload, md.uncompressedSize ?? 0);
      const count = has(md, 'numMessagesInBatch') ? md.numMessagesInBatch! : 1;
      if (has(md, 'numMessagesInBatch')) expect(decodeBatch(raw, count)).toHaveLength(count);
    }
  });

  it('read ACK with a batch-index ack set, and transactional ACK with its txn id and request id', () => {
    const acks = byType(CommandType.ACK).map((f) => f.frame.command.ack!);
    const withSet = acks.flatMap((a) => a.messageId).filter((id) => (id.ackSet ?? []).length > 0);
    expect(withSet.length).toBeGreaterThan(0);
    for (const id of withSet) {
      // A partly acked batch: some bits still set (not yet acked), not all of the batch's.
      const bits = toBigInt(id.ackSet![0], true);
      expect(bits).not.toBe(0n);
      expect(bits).not.toBe(-1n);
    }
    const txnAcks = acks.filter((a) => has(a, 'txnidMostBits'));
    expect(txnAcks.length).toBeGreaterThan(0);
    for (const a of txnAcks) expect(has(a, 'requestId')).toBe(true);
  });

  it('read the transaction commands and their replies with matching ids', () => {
    const newTxn = byType(CommandType.NEW_TXN).map((f) => f.frame.command.newTxn!);
    expect(newTxn.every((c) => toBigInt(c.txnTtlMillis) > 0n)).toBe(true);
    const replies = new Map(byType(CommandType.NEW_TXN_RESPONSE).map((f) => [toBigInt(f.frame.command.newTxnResponse!.requestId), f.frame.command.newTxnResponse!]));
    for (const c of newTxn) expect(replies.has(toBigInt(c.requestId))).toBe(true);
    for (const f of byType(CommandType.ADD_PARTITION_TO_TXN)) expect(f.frame.command.addPartitionToTxn!.partitions!.length).toBeGreaterThan(0);
    for (const f of byType(CommandType.ADD_SUBSCRIPTION_TO_TXN)) {
      const [sub] = f.frame.command.addSubscriptionToTxn!.subscription!;
      expect(sub!.subscription).toBe('java-txn');
    }
    const ends = byType(CommandType.END_TXN).map((f) => f.frame.command.endTxn!);
    expect(ends.length).toBeGreaterThan(0);
    for (const e of ends) expect(e.txnAction).toBe(0); // COMMIT
  });

  it('read CONNECT with token auth and the broker\'s CONNECTED with its limits', () => {
    for (const { frame } of byType(CommandType.CONNECT)) {
      expect(frame.command.connect!.authMethodName).toBe('token');
      expect(frame.command.connect!.protocolVersion).toBeGreaterThanOrEqual(19);
    }
    for (const { frame } of byType(CommandType.CONNECTED)) {
      expect(frame.command.connected!.maxMessageSize).toBe(5 * 1024 * 1024);
    }
  });

  it('every decoded command re-encodes to the same fields', () => {
    for (const { frame } of fixtures) {
      const again = new FrameParser().push(encodeSimpleFrame(frame.command))[0]!.command as BaseCommand;
      expect(plain(BaseCommandType, again)).toEqual(plain(BaseCommandType, frame.command));
      if (frame.payload?.metadata) {
        const md = MessageMetadataType.decode(encodeMetadata(frame.payload.metadata));
        expect(plain(MessageMetadataType, md)).toEqual(plain(MessageMetadataType, frame.payload.metadata));
      }
    }
  });
});
