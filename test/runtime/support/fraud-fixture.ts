// The fraud tenant's pipeline for runtime tests: its spec, config and function folders from
// tenants/fraud as the control plane would hand them to a worker (in a namespace of its own),
// seeded transactions with about 10% broken ones, and what the pipeline must do with them,
// computed offline with the SDK's harness (the executor the sandbox runs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHarness, rawInput, type HarnessResult } from '../../../platform/sdk/index.ts';
import type { RuntimePipeline } from '../../../platform/runtime/index.ts';
import { repoRoot } from '../../../platform/regions/index.ts';
import fraudFeatures from '../../../functions/fraud-features/index.ts';
import fraudRules from '../../../functions/fraud-rules/index.ts';
import { uniqueName } from '../../helpers/index.ts';

const TENANT_DIR = path.join(repoRoot, 'tenants/fraud');

interface PipelineFile {
  inputs: Array<{ name: string; partitions: number }>;
  functions: Array<{ name: string; config?: Record<string, unknown> }>;
  outputs: Array<{ name: string; partitions: number }>;
  decisions: { name: string; partitions: number };
  audit: { name: string; partitions: number };
  deadLetter: { name: string; partitions: number };
}

/** The tenant's pipeline as the control plane would hand it to the runtime, in a namespace of its own. */
export function fraudPipeline(): RuntimePipeline {
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
export function seededInput(count: number, users: number, seed: number): Array<{ raw: string; userId: string }> {
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

export interface Expected { features: HarnessResult; rules: HarnessResult }

/** What the pipeline must do, from the SDK's harness (the executor the sandbox runs) over the same bytes in order. */
export function offline(pipeline: RuntimePipeline, input: ReadonlyArray<{ raw: string }>): Expected {
  const [featuresFn, rulesFn] = pipeline.spec.functions;
  const common = { tenant: pipeline.tenant, pipeline: pipeline.spec.name };
  const features = createHarness(fraudFeatures, { ...common, version: featuresFn!.version, config: featuresFn!.config ?? {} })
    .send(input.map((i) => rawInput(i.raw)));
  const rules = createHarness(fraudRules, { ...common, version: rulesFn!.version, config: rulesFn!.config ?? {} })
    .send(features.outputs.map((o) => rawInput(JSON.stringify(o.value))));
  return { features, rules };
}

