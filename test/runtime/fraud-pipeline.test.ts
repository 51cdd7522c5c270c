// The fraud tenant's pipeline end to end on the real stack: the shipped functions (fraud-features →
// fraud-rules, config from tenants/fraud/pipelines/transactions.json) built from their folders and
// run by a worker in sandboxes (child processes), over seeded transactions of many users of which
// about 10% are malformed or schema-invalid. What must come out is computed offline with the SDK's
// harness over the same bytes (fraud-features' outputs fed to fraud-rules): the test compares the
// exact sets of output, decision and audit ids and their values, the dead letters by input (with
// reason and bytes), no duplicates, each user's outputs in production order, and the Redis view
// per key against the harness's state.
import { afterAll, describe, expect, it } from 'vitest';
import { RECORD_PROPERTY, SandboxProcessors, pipelineTopic } from '../../platform/runtime/index.ts';
import { repoRoot } from '../../platform/regions/index.ts';
import { waitFor } from '../helpers/index.ts';
import { fraudPipeline, offline, seededInput } from './support/fraud-fixture.ts';
import { clientForEast, collect, info, produce, provision, redisFor, startWorker, viewState } from './support/pipeline-fixture.ts';

const TRANSACTIONS = 3_000;
const USERS = 120;

const client = clientForEast();
const redis = redisFor();
afterAll(async () => {
  await client.close();
  redis.disconnect();
});

const idOf = (m: { properties: Record<string, string> }): string => m.properties[RECORD_PROPERTY.id]!;
const sorted = (values: Iterable<string>): string[] => [...values].sort();

describe.runIf(info.mode === 'local')('fraud pipeline with sandboxed functions (real stack)', () => {
  it('produces exactly what the harness computes offline: outputs, decisions, audits, dead letters, state', async () => {
    const pipeline = fraudPipeline();
    await provision(pipeline);
    const input = seededInput(TRANSACTIONS, USERS, 4242);
    const want = offline(pipeline, input);
    // The seeded input exercises every path: decisions happen, and both kinds of bad input occur.
    expect(want.rules.decisions.length).toBeGreaterThan(100);
    expect(new Set(want.features.deadLetters.map((d) => d.reason))).toEqual(new Set(['undecodable', 'schema-invalid']));
    expect(want.rules.deadLetters).toEqual([]);

    const outputs = await collect(client, pipelineTopic(pipeline, 'features'));
    const decisions = await collect(client, pipelineTopic(pipeline, 'decisions'));
    const audits = await collect(client, pipelineTopic(pipeline, 'audit'));
    const letters = await collect(client, pipelineTopic(pipeline, 'dead-letter'));
    const sandboxes = new SandboxProcessors([pipeline], { baseDir: repoRoot });
    const worker = startWorker(pipeline, sandboxes.factory);
    await worker.start();
    let messageIds: string[];
    try {
      messageIds = (await produce(client, pipeline, input)).map((id) => id.toString());
      await waitFor(
        async () => outputs.seen.length >= want.features.outputs.length && letters.seen.length >= want.features.deadLetters.length,
        { timeoutMs: 150_000, what: 'every expected output and dead letter' },
      );
      // Decisions and audits commit in the same transactions as the outputs: once those are all
      // visible, so are they (give the readers a moment, and anything extra, a duplicate, time to
      // show). A shortfall is left to the comparisons below, which name the missing ids.
      await waitFor(
        async () => decisions.seen.length >= want.rules.decisions.length && audits.seen.length >= want.rules.audits.length,
        { timeoutMs: 10_000, what: 'the expected decisions and audits' },
      ).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await worker.stop();
      sandboxes.dispose();
    }
    await Promise.all([outputs.close(), decisions.close(), audits.close(), letters.close()]);

    for (const [seen, expected] of [
      [outputs.seen, want.features.outputs], [decisions.seen, want.rules.decisions], [audits.seen, want.rules.audits],
    ] as const) {
      const seenIds = seen.map(idOf);
      expect(seenIds.length - new Set(seenIds).size).toBe(0);
      expect(sorted(seenIds)).toEqual(sorted(expected.map((r) => r.id)));
    }
    const outputValue = new Map(want.features.outputs.map((o) => [o.id, o.value]));
    for (const m of outputs.seen) expect(JSON.parse(m.value.toString())).toEqual(outputValue.get(idOf(m)));
    const decision = new Map(want.rules.decisions.map((d) => [d.id, d]));
    for (const m of decisions.seen) {
      const d = decision.get(idOf(m))!;
      expect(JSON.parse(m.value.toString())).toMatchObject({ key: d.key, action: d.action, details: d.details, function: 'fraud-rules', version: 1 });
    }
    const audit = new Map(want.rules.audits.map((a) => [a.id, a]));
    for (const m of audits.seen) {
      const a = audit.get(idOf(m))!;
      expect(JSON.parse(m.value.toString())).toMatchObject({ key: a.key, decisionId: a.decisionId, details: a.details });
    }

    // Per user, the outputs arrive in production order (the features topic is keyed by user).
    const order = (ids: string[], userOf: (id: string) => string): Map<string, string[]> => {
      const byUser = new Map<string, string[]>();
      for (const id of ids) byUser.set(userOf(id), [...(byUser.get(userOf(id)) ?? []), id]);
      return byUser;
    };
    const userOfOutput = new Map(want.features.outputs.map((o) => [o.id, o.key]));
    expect(order(outputs.seen.map(idOf), (id) => userOfOutput.get(id)!)).toEqual(order(want.features.outputs.map((o) => o.id), (id) => userOfOutput.get(id)!));

    // Dead letters: exactly the broken inputs, each once, with the harness's reason and the original bytes.
    const wantLetters = new Map(want.features.deadLetters.map((d) => [messageIds[d.index]!, { reason: d.reason, raw: input[d.index]!.raw }]));
    const letterInputs = letters.seen.map((m) => m.properties[RECORD_PROPERTY.inputMessageId]!);
    expect(letterInputs.length - new Set(letterInputs).size).toBe(0);
    expect(sorted(letterInputs)).toEqual(sorted(wantLetters.keys()));
    for (const m of letters.seen) {
      const w = wantLetters.get(m.properties[RECORD_PROPERTY.inputMessageId]!)!;
      expect({ reason: m.properties[RECORD_PROPERTY.reason], raw: m.value.toString(), fn: m.properties[RECORD_PROPERTY.function] })
        .toEqual({ reason: w.reason, raw: w.raw, fn: 'fraud-features' });
    }

    // The Redis view holds per key what the harness's state holds (fraud-rules keeps none).
    await waitFor(async () => (await viewState(redis, pipeline, 'fraud-features')).size === Object.keys(want.features.state).length, { timeoutMs: 30_000, what: 'the Redis view' });
    expect(Object.fromEntries(await viewState(redis, pipeline, 'fraud-features'))).toEqual(want.features.state);
    expect(Object.fromEntries(await viewState(redis, pipeline, 'fraud-rules'))).toEqual(want.rules.state);
  });
});
