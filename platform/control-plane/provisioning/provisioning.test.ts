// Convergence with a region down: the write succeeds, the region is recorded pending, and the
// reconciler applies it once the region is back, for creates and for deletes.
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../testing.ts';
import { bundle, pipelineSpec, quotas, testApp } from '../testing.ts';
import { retryDelayMs } from './reconciler.ts';
import { planPipeline, planTenant } from './index.ts';

let t: TestApp;
afterEach(async () => {
  await t?.app.close();
});

async function eventually(check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('provisioning with a region down', () => {
  it('records west pending on create and converges when west is back', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 20 } });
    t.provisioner.down.add('west');
    const tenant = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(tenant.statusCode).toBe(201);
    expect(tenant.json().provisioning).toMatchObject({ east: { state: 'ready' }, west: { state: 'pending', error: 'region west is unreachable' } });
    await t.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter') });
    const pipeline = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('main', ['counter']) });
    expect(pipeline.json().provisioning).toMatchObject({ east: { state: 'ready' }, west: { state: 'pending' } });
    expect(t.provisioner.pipelines.get('west')!.size).toBe(0);

    t.provisioner.down.delete('west');
    await eventually(async () => (await t.call({ method: 'GET', url: '/v1/tenants/acme/pipelines/main' })).json().provisioning.west.state === 'ready');
    expect((await t.call({ method: 'GET', url: '/v1/tenants/acme' })).json().provisioning.west).toMatchObject({ state: 'ready', appliedVersion: 1 });
    expect(t.provisioner.pipelines.get('west')!.get('acme/main')).toEqual(t.provisioner.pipelines.get('east')!.get('acme/main'));
  });

  it('removes a pipeline deleted while west was down once west is back', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 20 } });
    await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    await t.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter') });
    await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('main', ['counter']) });
    t.provisioner.down.add('west');
    expect((await t.call({ method: 'DELETE', url: '/v1/tenants/acme/pipelines/main' })).statusCode).toBe(204);
    expect(t.provisioner.pipelines.get('east')!.size).toBe(0);
    expect(t.provisioner.pipelines.get('west')!.size).toBe(1);
    t.provisioner.down.delete('west');
    await eventually(() => t.provisioner.pipelines.get('west')!.size === 0);
    await eventually(() => t.store.list('status/pipeline/').length === 0);
  });

  it('re-plans every pipeline when the tenant\'s quotas change', async () => {
    t = await testApp();
    await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    await t.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter') });
    await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('main', ['counter']) });
    await t.call({ method: 'PATCH', url: '/v1/tenants/acme', headers: { 'if-match': '1' }, payload: { quotas: { publishRateMsgPerSec: 77 } } });
    expect(t.provisioner.pipelines.get('west')!.get('acme/main')!.namespace.publishRate.msgPerSec).toBe(77);
  });
});

describe('retries and timeouts', () => {
  it('doubles the retry delay per failure from the interval, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 1000, 10_000))).toEqual([0, 2000, 4000, 8000, 10_000, 10_000]);
    expect(retryDelayMs(1_000, 1000, 300_000)).toBe(300_000);
  });

  it('backs off from a region that stays down instead of trying it every interval', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 20, reconcileMaxBackoffMs: 10_000 } });
    t.provisioner.down.add('west');
    await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    await new Promise((r) => setTimeout(r, 1000));
    const tries = t.provisioner.calls.filter((c) => c.region === 'west').length;
    // Every 20 ms would be about 50 tries; doubling from 20 ms gives at most 7 in a second.
    expect(tries).toBeGreaterThanOrEqual(3);
    expect(tries).toBeLessThanOrEqual(8);
    const status = (await t.call({ method: 'GET', url: '/v1/tenants/acme' })).json().provisioning.west;
    expect(status).toMatchObject({ state: 'pending', attempts: tries });
  });

  it('cancels a region call at the region timeout and records the region pending', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 0, regionTimeoutMs: 150 } });
    t.provisioner.hanging.add('west');
    const started = Date.now();
    const tenant = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(tenant.statusCode).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(tenant.json().provisioning.west).toMatchObject({ state: 'pending', error: 'timed out after 150 ms' });
    expect(t.provisioner.aborted).toEqual([{ method: 'applyTenant', region: 'west', name: 'acme' }]);
  });
});

describe('plans', () => {
  const tenant = { id: 'acme', regions: ['west', 'east'], quotas: quotas() };

  it('gives the tenant its own role, its regions as allowed clusters and a default namespace', () => {
    expect(planTenant(tenant)).toMatchObject({ tenant: 'acme', role: 'lodestar-tenant-acme', allowedClusters: ['east', 'west'], namespaces: [{ name: 'acme/default' }] });
  });

  it('lets a pipeline lower its quotas below the tenant\'s', () => {
    const plan = planPipeline(tenant, pipelineSpec('main', ['f1'], { quotas: { publishRateMsgPerSec: 10, retentionSizeMb: 80 } }));
    expect(plan.namespace).toMatchObject({ publishRate: { msgPerSec: 10 }, retention: { minutes: 60, sizeMb: 80 }, backlogQuotaBytes: 50 * 1024 * 1024 });
  });
});
