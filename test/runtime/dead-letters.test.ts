// Dead letters against the real broker: malformed bytes, schema-invalid events and events the
// function throws on go to the pipeline's dead-letter topic, each once, with the original bytes
// and properties, the reason, the function version and the input message id; every good event's
// output is there once. A batch that crashes its processor twice is dead-lettered whole
// (sandbox-crashed) after one retry on a fresh processor, and the loop goes on.
import { afterAll, describe, expect, it } from 'vitest';
import { RECORD_PROPERTY, pipelineTopic } from '../../platform/runtime/index.ts';
import { waitFor } from '../helpers/index.ts';
import {
  clientForEast, collect, ids, info, produce, provision, reference, seededEvents, startWorker, testPipeline,
} from './support/pipeline-fixture.ts';
import { testProcessors, type FactoryLog, type TxnEvent } from './support/test-functions.ts';

const client = clientForEast();
afterAll(async () => { await client.close(); });

type Input = TxnEvent | { raw: string; userId: string };

describe.runIf(info.mode === 'local')('dead letters (real broker)', () => {
  it('dead-letters exactly the bad events, with reason, bytes, version and input id; good ones come out once', async () => {
    const pipeline = testPipeline(2);
    await provision(pipeline);
    const good = seededEvents(600, 20, 23);
    const inputs: Input[] = [];
    const expected = new Map<string, { reason: string; raw: string; fn?: string }>();
    good.forEach((e, i) => {
      if (i % 10 === 3) inputs.push({ raw: `{not json ${i}`, userId: e.userId });
      else if (i % 10 === 6) inputs.push({ raw: JSON.stringify({ eventId: e.eventId, userId: e.userId, amount: -1 }), userId: e.userId });
      else if (e.userId === 'u7' && i % 3 === 0) inputs.push({ ...e, boom: true });
      else inputs.push(e);
    });
    const outputs = await collect(client, pipelineTopic(pipeline, 'features'));
    const letters = await collect(client, pipelineTopic(pipeline, 'dead-letter'));
    const worker = startWorker(pipeline, testProcessors());
    await worker.start();
    try {
      const messageIds = await produce(client, pipeline, inputs);
      inputs.forEach((input, i) => {
        const raw = 'raw' in input ? input.raw : JSON.stringify(input);
        const id = messageIds[i]!.toString();
        if ('raw' in input) expected.set(id, { reason: raw.startsWith('{not') ? 'undecodable' : 'schema-invalid', raw, fn: 'features' });
        else if (input.boom) expected.set(id, { reason: 'function-threw', raw, fn: 'features' });
      });
      const goodEvents = inputs.filter((x): x is TxnEvent => !('raw' in x));
      const ref = reference(pipeline, goodEvents);
      await waitFor(async () => outputs.seen.length >= ref.outputs.size && letters.seen.length >= expected.size, { timeoutMs: 120_000, what: 'outputs and dead letters' });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const seenOutputs = ids(outputs.seen);
      expect(seenOutputs.length - new Set(seenOutputs).size).toBe(0);
      expect([...new Set(seenOutputs)].sort()).toEqual([...ref.outputs.keys()].sort());
    } finally {
      await worker.stop();
    }
    await Promise.all([outputs.close(), letters.close()]);

    const byInput = letters.seen.map((m) => m.properties[RECORD_PROPERTY.inputMessageId]!);
    expect(byInput.length - new Set(byInput).size).toBe(0);
    expect([...byInput].sort()).toEqual([...expected.keys()].sort());
    for (const m of letters.seen) {
      const want = expected.get(m.properties[RECORD_PROPERTY.inputMessageId]!)!;
      expect(m.value.toString()).toBe(want.raw);
      expect(m.properties['lodestar-dead-letter-reason']).toBe(want.reason);
      expect(m.properties[RECORD_PROPERTY.function]).toBe(want.fn);
      expect(m.properties[RECORD_PROPERTY.version]).toBe('1');
      expect(m.properties[RECORD_PROPERTY.inputTopic]).toMatch(/transactions-partition-\d$/);
    }
  });

  it('retries a crashing batch once on a fresh processor, then dead-letters it as sandbox-crashed', async () => {
    const pipeline = testPipeline(1);
    await provision(pipeline);
    const log: FactoryLog = { made: [] };
    const outputs = await collect(client, pipelineTopic(pipeline, 'features'));
    const letters = await collect(client, pipelineTopic(pipeline, 'dead-letter'));
    const worker = startWorker(pipeline, testProcessors(log));
    await worker.start();
    try {
      const [crashId] = await produce(client, pipeline, [{ eventId: 'c-1', userId: 'u1', amount: 5, crash: true }]);
      await waitFor(async () => letters.seen.length >= 1, { timeoutMs: 60_000, what: 'the crash dead letter' });
      const after = seededEvents(50, 5, 3, 'after');
      await produce(client, pipeline, after);
      await waitFor(async () => outputs.seen.length >= 50, { timeoutMs: 60_000, what: 'outputs after the crash' });
      expect(letters.seen).toHaveLength(1);
      expect(letters.seen[0]!.properties[RECORD_PROPERTY.inputMessageId]).toBe(crashId!.toString());
      expect(letters.seen[0]!.properties['lodestar-dead-letter-reason']).toBe('sandbox-crashed');
      // One `features` processor at start, one fresh for the retry, one after the second crash.
      expect(log.made.filter((i) => i.function === 'features')).toHaveLength(3);
      expect([...new Set(ids(outputs.seen))].sort()).toEqual([...reference(pipeline, after).outputs.keys()].sort());
    } finally {
      await worker.stop();
    }
    await Promise.all([outputs.close(), letters.close()]);
  });
});
