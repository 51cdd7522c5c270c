// Compression interop with Pulsar's own Java client (the perf tool): what Java writes with each
// of the four codecs we read and decompress, and what we write with each of them Java consumes.
import { describe, expect, it } from 'vitest';
import { aggregatedThroughput, runPerf } from '../../infra/pulsar/perf.ts';
import { clientsClosedAfterAll, take, topicName } from './helpers.ts';

const COUNT = 200;
const SIZE = 1_024;
const PERF_TIMEOUT_MS = 150_000;

const client = clientsClosedAfterAll();

describe('compression interop with the Java perf tool', () => {
  for (const codec of ['LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'] as const) {
    it(`reads what Java writes with ${codec}`, async () => {
      const topic = topicName(`java-${codec.toLowerCase()}`);
      // Subscribe first so the subscription holds every message the tool writes.
      const consumer = await client().subscribe({ topic, subscription: 'ours', initialPosition: 'Earliest' });
      // The tool paces at 100 msg/s by default; with its default 1 ms batch window nearly every
      // message went out alone (not batched), and once in CI all did (no batch to split). A 50 ms
      // window collects about five per batch.
      const run = await runPerf('east', ['produce', '-z', codec, '-b', '50', '-m', String(COUNT), '-s', String(SIZE), topic], { timeoutMs: PERF_TIMEOUT_MS });
      expect(run.code, run.output.slice(-2_000)).toBe(0);
      // The tool may overshoot -m by a message or so; what it reports sent is what we must read.
      const sent = aggregatedThroughput(run.output)?.messages ?? 0;
      expect(sent).toBeGreaterThanOrEqual(COUNT);
      const got = await take(consumer, sent);
      for (const m of got) {
        expect(m.error).toBeUndefined();
        expect(m.value.length).toBe(SIZE);
      }
      // The tool batches: decompressing a batch and splitting it must have happened.
      expect(got.some((m) => m.id.batchIndex > 0)).toBe(true);
      await expect(consumer.receive(1_000)).rejects.toMatchObject({ code: 'Timeout' });
    }, PERF_TIMEOUT_MS + 30_000);
  }

  for (const codec of ['LZ4', 'ZLIB', 'ZSTD', 'SNAPPY'] as const) {
    for (const batching of [true, false]) {
      it(`Java reads what we write with ${codec}, batching ${batching ? 'on' : 'off'}`, async () => {
        const topic = topicName(`ours-${codec.toLowerCase()}`);
        const c = client();
        // Create the subscription before producing, so Earliest/Latest does not matter for Java.
        await (await c.subscribe({ topic, subscription: 'java', initialPosition: 'Earliest' })).close();
        const producer = await c.createProducer({ topic, compression: codec, batching: batching ? { maxDelayMs: 5 } : false });
        const payload = Buffer.alloc(SIZE, 'lodestar compression interop ');
        await Promise.all(Array.from({ length: COUNT }, () => producer.send({ value: payload })));
        await producer.close();
        const run = await runPerf('east', ['consume', '-ss', 'java', '-sp', 'Earliest', '-m', String(COUNT), topic], { timeoutMs: PERF_TIMEOUT_MS });
        expect(run.code, run.output.slice(-2_000)).toBe(0);
        expect(aggregatedThroughput(run.output)?.messages).toBe(COUNT);
      }, PERF_TIMEOUT_MS + 30_000);
    }
  }
});
