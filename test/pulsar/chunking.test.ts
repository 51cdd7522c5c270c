// Chunked messages on the real broker (east): payloads over its max message size (5 MiB in the
// stack) go out as chunks and come back whole, by content; the id covers first and last chunk;
// acking the message acks every chunk (nothing comes back after a re-subscribe). Interop: what
// Java's perf tool writes with --chunking we reassemble; what we write Java's consumer reads.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkMessageId } from '../../platform/pulsar/index.ts';
import { aggregatedThroughput, runPerf } from '../../infra/pulsar/perf.ts';
import { clientsClosedAfterAll, take, topicName } from './helpers.ts';

const client = clientsClosedAfterAll();
const MiB = 1024 * 1024;
const PERF_TIMEOUT_MS = 150_000;

function payload(bytes: number, seed: number): Buffer {
  // Not compressible into one chunk, and different per message.
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 32) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, i);
  return out;
}

describe('chunked messages', () => {
  it('round-trips 5 MiB and 20 MiB payloads between small ones, compressed and not, and an ack covers every chunk', async () => {
    const topic = topicName('chunks');
    const c = client();
    const consumer = await c.subscribe({ topic, subscription: 'ours', initialPosition: 'Earliest', ackGroupingMs: 0 });
    const plain = await c.createProducer({ topic, batching: false, chunking: true });
    const zipped = await c.createProducer({ topic, batching: false, chunking: true, compression: 'LZ4' });
    const sent = [Buffer.from('before'), payload(5 * MiB, 1), Buffer.from('between'), payload(20 * MiB, 2), Buffer.from('after')];
    const ids = [];
    for (const [i, value] of sent.entries()) ids.push(await (i === 3 ? zipped : plain).send({ value, properties: { i: String(i) } }));
    expect(ids[1]).toBeInstanceOf(ChunkMessageId);
    expect((ids[1] as ChunkMessageId).firstChunkId.entryId).toBeLessThan(ids[1]!.entryId);
    const got = await take(consumer, sent.length, 60_000);
    expect(got.map((m) => m.error?.message)).toEqual(sent.map(() => undefined));
    expect(got.map((m) => m.properties.i)).toEqual(['0', '1', '2', '3', '4']);
    for (const [i, m] of got.entries()) expect(m.value.equals(sent[i]!), `message ${i}`).toBe(true);
    expect(got[3]!.id).toBeInstanceOf(ChunkMessageId);
    expect(got[3]!.id.equals(ids[3]!)).toBe(true);
    for (const m of got) consumer.ack(m);
    await consumer.close();
    const again = await c.subscribe({ topic, subscription: 'ours', ackGroupingMs: 0 });
    await expect(again.receive(3_000)).rejects.toMatchObject({ code: 'Timeout' });
  }, 120_000);

  it('reads what Java writes with --chunking', async () => {
    const topic = topicName('java-chunks');
    const consumer = await client().subscribe({ topic, subscription: 'ours', initialPosition: 'Earliest' });
    const size = 6 * MiB;
    const run = await runPerf('east', ['produce', '--chunking', '-m', '3', '-r', '1', '-s', String(size), topic], { timeoutMs: PERF_TIMEOUT_MS });
    expect(run.code, run.output.slice(-2_000)).toBe(0);
    const sent = aggregatedThroughput(run.output)?.messages ?? 0;
    expect(sent).toBeGreaterThanOrEqual(3);
    const got = await take(consumer, sent, 60_000);
    for (const m of got) {
      expect(m.error).toBeUndefined();
      expect(m.value.length).toBe(size);
      expect(m.id).toBeInstanceOf(ChunkMessageId);
    }
  }, PERF_TIMEOUT_MS + 60_000);

  it('Java consumes what we write in chunks', async () => {
    const topic = topicName('ours-chunks');
    const c = client();
    await (await c.subscribe({ topic, subscription: 'java', initialPosition: 'Earliest' })).close();
    const producer = await c.createProducer({ topic, batching: false, chunking: true });
    for (let i = 0; i < 3; i++) await producer.send({ value: payload(6 * MiB, i) });
    await producer.close();
    const run = await runPerf('east', ['consume', '-ss', 'java', '-sp', 'Earliest', '-m', '3', topic], { timeoutMs: PERF_TIMEOUT_MS });
    expect(run.code, run.output.slice(-2_000)).toBe(0);
    expect(aggregatedThroughput(run.output)?.messages).toBe(3);
  }, PERF_TIMEOUT_MS + 60_000);
});
