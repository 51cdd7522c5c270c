// Exactly once across worker kills: two real worker processes (`platform/runtime/worker-main.ts`
// with the in-process test functions) share a 4-partition pipeline while events stream in; each
// is SIGKILLed mid-run and replaced. A killed worker's open transaction is aborted by the
// coordinator at its TTL and its partitions move to the live worker, which restores them from
// Redis and the changelog. The output, decision and audit id sets equal the offline reference
// exactly, each once; every output holds its user's count and sum in production order; the Redis
// view ends equal to the reference per key.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineTopic } from '../../platform/runtime/index.ts';
import { repoRoot } from '../../platform/regions/index.ts';
import { waitFor } from '../helpers/index.ts';
import {
  clientForEast, collect, ids, info, produce, provision, redisFor, reference, referenceState, seededEvents, testPipeline, viewState,
} from '../runtime/support/pipeline-fixture.ts';
import { killWorkerProcesses, startWorkerProcess } from '../runtime/support/worker-process.ts';

const EVENTS = 4_000;
const TEST_FUNCTIONS = path.join(repoRoot, 'test/runtime/support/test-functions.ts');
const client = clientForEast();
const redis = redisFor();

afterAll(async () => {
  killWorkerProcesses();
  await client.close();
  redis.disconnect();
});

describe.runIf(info.mode === 'local')('runtime workers killed with SIGKILL mid-run', () => {
  it('ends with exactly the reference outputs, decisions and per-key state', async () => {
    const pipeline = testPipeline(4);
    await provision(pipeline);
    const pipelinesFile = path.join(os.tmpdir(), `${pipeline.spec.name}.json`);
    writeFileSync(pipelinesFile, JSON.stringify([pipeline]));
    const events = seededEvents(EVENTS, 60, 101);
    const ref = reference(pipeline, events);
    const outputs = await collect(client, pipelineTopic(pipeline, 'features'));
    const decisions = await collect(client, pipelineTopic(pipeline, 'decisions'));
    const audits = await collect(client, pipelineTopic(pipeline, 'audit'));
    const progress = setInterval(() => console.log(`runtime kill test: ${outputs.seen.length} outputs read`), 5_000);

    const workers = [startWorkerProcess(pipelinesFile, TEST_FUNCTIONS), startWorkerProcess(pipelinesFile, TEST_FUNCTIONS)];
    // Events stream in while workers die, in slices, so kills land mid-stream.
    const streaming = (async () => {
      for (let i = 0; i < EVENTS; i += 250) {
        await produce(client, pipeline, events.slice(i, i + 250));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    for (const [victim, atLeast] of [[0, 900], [1, 2_000]] as const) {
      await waitFor(async () => outputs.seen.length >= atLeast, { timeoutMs: 180_000, what: `${atLeast} outputs` });
      const w = workers[victim]!;
      w.child.kill('SIGKILL');
      expect(await w.exited).toBe('SIGKILL');
      workers[victim] = startWorkerProcess(pipelinesFile, TEST_FUNCTIONS);
    }
    await streaming;
    try {
      await waitFor(async () => outputs.seen.length >= EVENTS && decisions.seen.length >= ref.decisions.size && audits.seen.length >= ref.audits.size, { timeoutMs: 240_000, what: 'every output and decision' });
      await waitFor(async () => JSON.stringify([...(await viewState(redis, pipeline, 'features'))].sort()) === JSON.stringify([...referenceState(ref, 'features')].sort()), { timeoutMs: 60_000, what: 'the redis view' });
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // a duplicate would arrive now
    } catch (err) {
      for (const w of workers) console.log(w.log.slice(-30).join('\n'));
      throw err;
    } finally {
      clearInterval(progress);
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
    await Promise.all([outputs.close(), decisions.close(), audits.close()]);

    for (const [seen, expected] of [[ids(outputs.seen), [...ref.outputs.keys()]], [ids(decisions.seen), [...ref.decisions]], [ids(audits.seen), [...ref.audits]]] as const) {
      expect(seen.length - new Set(seen).size).toBe(0);
      expect([...new Set(seen)].sort()).toEqual([...expected].sort());
    }
    for (const m of outputs.seen) expect(JSON.parse(m.value.toString())).toEqual(ref.outputs.get(m.properties['lodestar-id']!));
    expect(new Map([...(await viewState(redis, pipeline, 'features'))].sort())).toEqual(new Map([...referenceState(ref, 'features')].sort()));
    expect(new Map([...(await viewState(redis, pipeline, 'rules'))].sort())).toEqual(new Map([...referenceState(ref, 'rules')].sort()));
  });
});
