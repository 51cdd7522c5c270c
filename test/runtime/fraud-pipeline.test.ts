// The fraud tenant's pipeline end to end on the real stack: the shipped functions (fraud-features →
// fraud-rules, config from tenants/fraud/pipelines/transactions.json) built from their folders and
// run by a worker in sandboxes (child processes), over seeded transactions of many users of which
// about 10% are malformed or schema-invalid. What must come out is computed offline with the SDK's
// harness over the same bytes (fraud-features' outputs fed to fraud-rules): the test compares the
// exact sets of output, decision and audit ids and their values, the dead letters by input (with
// reason and bytes), no duplicates, each user's outputs in production order, and the Redis view
// per key against the harness's state.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, rawInput, type HarnessResult } from '../../platform/sdk/index.ts';
import { RECORD_PROPERTY, SandboxProcessors, pipelineTopic, type RuntimePipeline } from '../../platform/runtime/index.ts';
import { repoRoot } from '../../platform/regions/index.ts';
import fraudFeatures from '../../functions/fraud-features/index.ts';
import fraudRules from '../../functions/fraud-rules/index.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';
import { clientForEast, collect, info, produce, provision, redisFor, startWorker, viewState } from './support/pipeline-fixture.ts';

const TRANSACTIONS = 3_000;
const USERS = 120;
const TENANT_DIR = path.join(repoRoot, 'tenants/fraud');

const client = clientForEast();
const redis = redisFor();
afterAll(async () => {
  await client.close();
  redis.disconnect();
});

interface PipelineFile {
  inputs: Array<{ name: string; partitions: number }>;
  functions: Array<{ name: string; config?: Record<string, unknown> }>;
  outputs: Array<{ name: string; partitions: number }>;
  decisions: { name: string; partitions: number };
  audit: { name: string; partitions: number };
  deadLetter: { name: string; partitions: number };
}

/** The tenant's pipeline as the control plane would hand it to the runtime, in a namespace of its own. */
function fraudPipeline(): RuntimePipeline {
  const file = JSON.parse(readFileSync(path.join(TENANT_DIR, 'pipelines/transactions.json'), 'utf8')) as PipelineFile;
  const folders = JSON.parse(readFileSync(path.join(TENANT_DIR, 'functions.json'), 'utf8')) as Record<string, string>;
  return {
    tenant: 'public',
    spec: {
      name: uniqueName('fraud'),
      activeRegion: 'east',
      inputs: file.inputs.map(({ name, partitions }) => ({ name, partitions })),
      functions: file.functions.map((fn) => ({
        name: fn.name, version: 1, ...(fn.config ? { config: fn.config } : {}), bundle: path.resolve(TENANT_DIR, folders[fn.name]!),
      })),
      outputs: file.outputs,
      decisions: file.decisions,
      audit: file.audit,
      deadLetter: file.deadLetter,
    },
  };
}

/** Seeded input: JSON transactions, one in ten broken (half not JSON, half failing the schema). */
function seededInput(count: number, users: number, seed: number): Array<{ raw: string; userId: string }> {
  let x = seed >>> 0 || 1;
  const next = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return Array.from({ length: count }, (_, i) => {
    const userId = `u${next() % users}`;
    const tx = { eventId: `tx-${i}`, userId, amount: next() % 2_500, currency: 'EUR', ts: 1_700_000_000_000 + i };
    const broken = next() % 20;
    if (broken === 0) return { raw: `{not json ${i}`, userId };
    if (broken === 1) return { raw: JSON.stringify(i % 2 === 0 ? { ...tx, amount: -5 } : { ...tx, currency: 'EURO' }), userId };
    return { raw: JSON.stringify(tx), userId };
  });
}

interface Expected { features: HarnessResult; rules: HarnessResult }

/** What the pipeline must do, from the SDK's harness (the executor the sandbox runs) over the same bytes in order. */
function offline(pipeline: RuntimePipeline, input: ReadonlyArray<{ raw: string }>): Expected {
  const [featuresFn, rulesFn] = pipeline.spec.functions;
  const common = { tenant: pipeline.tenant, pipeline: pipeline.spec.name };
  const features = createHarness(fraudFeatures, { ...common, version: featuresFn!.version, config: featuresFn!.config ?? {} })
    .send(input.map((i) => rawInput(i.raw)));
  const rules = createHarness(fraudRules, { ...common, version: rulesFn!.version, config: rulesFn!.config ?? {} })
    .send(features.outputs.map((o) => rawInput(JSON.stringify(o.value))));
  return { features, rules };
}

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
