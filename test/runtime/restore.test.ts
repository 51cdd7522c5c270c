// State restore against the real broker and Redis: a second worker takes over a pipeline the
// first one ran (drained), restoring each partition from the Redis view and the changelog after
// its mark, or, with Redis flushed, from the whole changelog. Either way the final per-key state
// and the output ids equal the offline reference over all events.
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineTopic, type Worker } from '../../platform/runtime/index.ts';
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

async function counter(worker: Worker, name: string): Promise<number> {
  const metric = await worker.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

const sorted = (m: Map<string, unknown>) => new Map([...m].sort());

describe.runIf(info.mode === 'local')('state restore (real broker and Redis)', () => {
  for (const flush of [false, true]) {
    it(flush ? 'restores from the whole changelog when Redis was flushed' : 'restores from the Redis view and the changelog after its mark', async () => {
      const pipeline = testPipeline(2);
      await provision(pipeline);
      const events = seededEvents(1_200, 25, flush ? 11 : 13);
      const ref = reference(pipeline, events);
      const outputs = await collect(client, pipelineTopic(pipeline, 'features'));

      const first = startWorker(pipeline, testProcessors());
      await first.start();
      await produce(client, pipeline, events.slice(0, 600));
      await waitFor(async () => outputs.seen.length >= 600, { timeoutMs: 120_000, what: 'the first worker\'s outputs' });
      await first.stop();
      if (flush) await redis.flushall();

      const second = startWorker(pipeline, testProcessors());
      await second.start();
      try {
        await produce(client, pipeline, events.slice(600));
        await waitFor(async () => outputs.seen.length >= events.length, { timeoutMs: 120_000, what: 'every output' });
        await waitFor(async () => JSON.stringify([...sorted(await viewState(redis, pipeline, 'features'))]) === JSON.stringify([...sorted(referenceState(ref, 'features'))]), { what: 'the redis view' });
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      } finally {
        await second.stop();
      }
      await outputs.close();
      const fromRedis = await counter(second, 'lodestar_runtime_restored_from_redis_keys_total');
      const replayed = await counter(second, 'lodestar_runtime_changelog_replayed_total');
      const firstKeys = new Set(events.slice(0, 600).map((e) => e.userId)).size;
      if (flush) {
        expect(fromRedis).toBe(0);
        expect(replayed).toBeGreaterThanOrEqual(2 * firstKeys); // both functions' keys, from the changelog
      } else {
        expect(fromRedis).toBeGreaterThanOrEqual(2 * firstKeys); // both functions' keys, from the view
      }
      const seen = ids(outputs.seen);
      expect(seen.length - new Set(seen).size).toBe(0);
      expect([...new Set(seen)].sort()).toEqual([...ref.outputs.keys()].sort());
      for (const m of outputs.seen) expect(JSON.parse(m.value.toString())).toEqual(ref.outputs.get(m.properties['lodestar-id']!));
      expect(sorted(await viewState(redis, pipeline, 'features'))).toEqual(sorted(referenceState(ref, 'features')));
      expect(sorted(await viewState(redis, pipeline, 'rules'))).toEqual(sorted(referenceState(ref, 'rules')));
    });
  }
});
