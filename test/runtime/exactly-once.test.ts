// The exactly-once loop against the real broker and Redis, worker in-process: a keyed pipeline of
// two functions (features → rules) over 4 input partitions. The sets of output, decision and
// audit ids equal the offline reference exactly, each id once; every output carries its user's
// count in production order; the Redis view ends equal to the reference per key, also when Redis
// is FLUSHALLed while the worker runs and most keys never change again.
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineTopic } from '../../platform/runtime/index.ts';
import { waitFor } from '../helpers/index.ts';
import {
  clientForEast, collect, ids, info, produce, provision, redisFor, reference, referenceState, seededEvents, startWorker, testPipeline, viewState,
} from './support/pipeline-fixture.ts';
import { testProcessors } from './support/test-functions.ts';

const client = clientForEast();
const redis = redisFor();
afterAll(async () => {
  await client.close();
  redis.disconnect();
});

function expectExactlyOnce(seen: string[], expected: Iterable<string>): void {
  const unique = new Set(seen);
  expect(seen.length - unique.size).toBe(0); // duplicates
  expect([...unique].sort()).toEqual([...expected].sort());
}

describe.runIf(info.mode === 'local')('exactly-once loop (real broker and Redis)', () => {
  it('produces exactly the reference ids and per-key state, with Redis flushed mid-run', async () => {
    const pipeline = testPipeline(4);
    await provision(pipeline);
    // After the flush only users u0-u9 get events: the view must still come back whole.
    const events = [...seededEvents(1_500, 40, 7), ...seededEvents(1_500, 10, 8, 'f')];
    const ref = reference(pipeline, events);
    const outputs = await collect(client, pipelineTopic(pipeline, 'features'));
    const decisions = await collect(client, pipelineTopic(pipeline, 'decisions'));
    const audits = await collect(client, pipelineTopic(pipeline, 'audit'));
    const worker = startWorker(pipeline, testProcessors());
    await worker.start();
    try {
      await produce(client, pipeline, events.slice(0, 1_500));
      await waitFor(async () => outputs.seen.length >= 1_500, { timeoutMs: 120_000, what: 'the first outputs' });
      await waitFor(async () => (await viewState(redis, pipeline, 'features')).size === 40, { what: 'the view of the first events' });
      await redis.flushall();
      await produce(client, pipeline, events.slice(1_500));
      await waitFor(async () => outputs.seen.length >= events.length, { timeoutMs: 180_000, what: 'every output' });
      await waitFor(async () => decisions.seen.length >= ref.decisions.size && audits.seen.length >= ref.audits.size, { what: 'every decision' });
      // The view is written after each commit: wait until it holds the final state.
      await waitFor(async () => JSON.stringify([...(await viewState(redis, pipeline, 'features'))].sort()) === JSON.stringify([...referenceState(ref, 'features')].sort()), { timeoutMs: 30_000, what: 'the redis view of features' });
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // a duplicate would show now
    } finally {
      await worker.stop();
    }
    await Promise.all([outputs.close(), decisions.close(), audits.close()]);

    expectExactlyOnce(ids(outputs.seen), ref.outputs.keys());
    expectExactlyOnce(ids(decisions.seen), ref.decisions);
    expectExactlyOnce(ids(audits.seen), ref.audits);
    for (const m of outputs.seen) expect(JSON.parse(m.value.toString())).toEqual(ref.outputs.get(m.properties['lodestar-id']!));
    expect(new Map([...(await viewState(redis, pipeline, 'features'))].sort())).toEqual(new Map([...referenceState(ref, 'features')].sort()));
    expect(new Map([...(await viewState(redis, pipeline, 'rules'))].sort())).toEqual(new Map([...referenceState(ref, 'rules')].sort()));
  });
});
