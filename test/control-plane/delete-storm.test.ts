// Deleting under load, as an operator did it: tenants with one pipeline each, created at once,
// then deleted at once. Every DELETE answers 204 at once; removal then takes what the brokers
// need, and must end with none of these tenants left in any region's Pulsar. Meanwhile every
// tenant Pulsar still holds must be one the control plane lists as a pending removal: a removal
// it counted as done while Pulsar still had the tenant would never be retried (it leaked 1 of 15
// tenants on this machine before the fix, 12 of 50 for the operator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, pipelineSpec, quotas } from '../../platform/control-plane/testing.ts';
import { waitFor } from '../helpers/index.ts';
import type { RealApp } from './helpers.ts';
import { admin, expectStatus, realApp, stack, tenantName } from './helpers.ts';

// Sized to the 2-core CI machine, which also runs both brokers.
const TENANTS = 12;
const regions = stack.regions.map((r) => r.name).sort();
const tenants = Array.from({ length: TENANTS }, (_, i) => tenantName(`cp-storm${i}`));
let t: RealApp;

interface Removal {
  kind: 'tenant' | 'pipeline';
  tenant: string;
  regions: Record<string, { state: string }>;
}

/** Per region, the storm's tenants Pulsar still holds, sorted. */
async function leftInPulsar(): Promise<Record<string, string[]>> {
  const mine = new Set(tenants);
  const entries = await Promise.all(regions.map(async (region) => [region, (await admin(region).tenants.list()).filter((x) => mine.has(x)).sort()] as const));
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  // Production timeouts (region call 10 s, removal 120 s); the reconciler every second, backing
  // off to at most 10 s, so the bounded wait below covers many retries.
  t = await realApp({ config: { reconcileIntervalMs: 1_000, reconcileMaxBackoffMs: 10_000, regionTimeoutMs: 10_000 } });
});

afterAll(async () => {
  await t?.app.close();
  // Whatever a failed run left behind, so the stack stays clean for the next test.
  for (const [region, left] of Object.entries(await leftInPulsar().catch(() => ({})))) {
    for (const tenant of left) await admin(region).deleteTenantInCluster(tenant, region).catch(() => undefined);
  }
});

describe('deleting tenants under load', () => {
  it('removes every tenant from every region, and lists what it is still removing until then', async () => {
    await Promise.all(tenants.map(async (id) => {
      await expectStatus(t.call({ method: 'POST', url: '/v1/tenants', payload: { id, quotas: quotas() } }), 201);
      await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${id}/functions/counter/versions`, payload: bundle('counter') }), 201);
      await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${id}/pipelines`, payload: pipelineSpec('main', ['counter']) }), 201);
    }));
    // As the operator had it: everything provisioned in both regions before the deletes.
    await waitFor(async () => {
      const views = await Promise.all(tenants.map(async (id) => expectStatus(t.call({ method: 'GET', url: `/v1/tenants/${id}/pipelines/main` }), 200)));
      return views.every((p) => regions.every((r) => p.provisioning[r]?.state === 'ready'));
    }, { timeoutMs: 240_000, intervalMs: 1_000, what: 'every pipeline provisioned in every region' });
    expect(await leftInPulsar()).toEqual(Object.fromEntries(regions.map((r) => [r, [...tenants].sort()])));

    const answers = await Promise.all(tenants.map(async (id) => (await t.call({ method: 'DELETE', url: `/v1/tenants/${id}?force=true` })).statusCode));
    expect(answers).toEqual(tenants.map(() => 204));

    let forgotten: string[] = [];
    await waitFor(async () => {
      const left = await leftInPulsar();
      const removals = (await expectStatus(t.call({ method: 'GET', url: '/v1/removals' }), 200)).items as Removal[];
      const unlisted = Object.entries(left).flatMap(([region, names]) => names
        .filter((tenant) => !removals.some((r) => r.kind === 'tenant' && r.tenant === tenant && r.regions[region]?.state !== 'ready'))
        .map((tenant) => `${tenant} in ${region}`));
      // Removed between the two reads? A removal is marked done only once Pulsar no longer lists
      // the tenant, so one Pulsar still holds after that is one the control plane forgot.
      const again = await leftInPulsar();
      forgotten = unlisted.filter((x) => again[x.split(' in ')[1]!]?.includes(x.split(' in ')[0]!));
      if (forgotten.length > 0) return true;
      const ours = removals.filter((r) => tenants.includes(r.tenant));
      return Object.values(left).every((names) => names.length === 0) && ours.length === 0;
    }, { timeoutMs: 420_000, intervalMs: 2_000, what: 'every storm tenant removed from every region' });
    expect(forgotten).toEqual([]);
    expect(await leftInPulsar()).toEqual(Object.fromEntries(regions.map((r) => [r, []])));
  }, 720_000);
});
