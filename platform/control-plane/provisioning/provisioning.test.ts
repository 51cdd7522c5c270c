// Convergence with a region down: the write succeeds, the region is recorded pending, and the
// reconciler applies it once the region is back, for creates and for deletes.
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../metrics.ts';
import { MemoryStore } from '../store/index.ts';
import type { TestApp } from '../testing.ts';
import { bundle, pipelineSpec, quotas, testApp } from '../testing.ts';
import { ProvisioningService, retryDelayMs } from './reconciler.ts';
import { planPipeline, planTenant, RecordingProvisioner } from './index.ts';

let t: TestApp | undefined;
let service: ProvisioningService | undefined;
afterEach(async () => {
  await t?.app.close();
  await service?.stop();
  t = undefined;
  service = undefined;
  vi.useRealTimers();
});

/**
 * The reconciler alone, on fake timers (setTimeout and Date), so tests say exactly when it tries
 * a region instead of sleeping and counting.
 */
async function fakeTimedService(options: { timeoutMs?: number; removalTimeoutMs?: number; maxBackoffMs?: number } = {}) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  const store = new MemoryStore();
  await store.open();
  const provisioner = new RecordingProvisioner();
  service = new ProvisioningService({ store, provisioner, metrics: createMetrics({ defaultMetrics: false }), log: Fastify().log, timeoutMs: 10_000, ...options });
  return { service, provisioner, store };
}

const tenantPlan = planTenant({ id: 'acme', regions: ['east', 'west'], quotas: quotas() });
const pipelinePlan = planPipeline({ id: 'acme', regions: ['east', 'west'], quotas: quotas() }, pipelineSpec('main', ['counter']));

/** Waits for a condition; the bound only ends a run that will never get there. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('provisioning with a region down', () => {
  it('records west pending on create and converges when west is back', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 20 } });
    t!.provisioner.down.add('west');
    const tenant = await t!.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(tenant.statusCode).toBe(201);
    expect(tenant.json().provisioning).toMatchObject({ east: { state: 'ready' }, west: { state: 'pending', error: 'region west is unreachable' } });
    await t!.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter') });
    const pipeline = await t!.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('main', ['counter']) });
    expect(pipeline.json().provisioning).toMatchObject({ east: { state: 'ready' }, west: { state: 'pending' } });
    expect(t!.provisioner.pipelines.get('west')!.size).toBe(0);

    t!.provisioner.down.delete('west');
    await eventually(async () => (await t!.call({ method: 'GET', url: '/v1/tenants/acme/pipelines/main' })).json().provisioning.west.state === 'ready');
    expect((await t!.call({ method: 'GET', url: '/v1/tenants/acme' })).json().provisioning.west).toMatchObject({ state: 'ready', appliedVersion: 1 });
    expect(t!.provisioner.pipelines.get('west')!.get('acme/main')).toEqual(t!.provisioner.pipelines.get('east')!.get('acme/main'));
  });

  it('removes a pipeline deleted while west was down once west is back', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 20 } });
    await t!.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    await t!.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter') });
    await t!.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('main', ['counter']) });
    t!.provisioner.down.add('west');
    expect((await t!.call({ method: 'DELETE', url: '/v1/tenants/acme/pipelines/main' })).statusCode).toBe(204);
    expect(t!.provisioner.pipelines.get('east')!.size).toBe(0);
    expect(t!.provisioner.pipelines.get('west')!.size).toBe(1);
    t!.provisioner.down.delete('west');
    await eventually(() => t!.provisioner.pipelines.get('west')!.size === 0);
    await eventually(() => t!.store.list('status/pipeline/').length === 0);
  });

  it('re-plans every pipeline when the tenant\'s quotas change', async () => {
    t = await testApp();
    await t!.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    await t!.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter') });
    await t!.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('main', ['counter']) });
    await t!.call({ method: 'PATCH', url: '/v1/tenants/acme', headers: { 'if-match': '1' }, payload: { quotas: { publishRateMsgPerSec: 77 } } });
    expect(t!.provisioner.pipelines.get('west')!.get('acme/main')!.namespace.publishRate.msgPerSec).toBe(77);
  });
});

describe('retries and timeouts', () => {
  it('doubles the retry delay per failure from the interval, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 1000, 10_000))).toEqual([0, 2000, 4000, 8000, 10_000, 10_000]);
    expect(retryDelayMs(1_000, 1000, 300_000)).toBe(300_000);
  });

  it('backs off from a region that stays down instead of trying it every interval', async () => {
    const { service, provisioner } = await fakeTimedService({ maxBackoffMs: 500 });
    provisioner.down.add('west');
    const start = Date.now();
    await service.desire({ kind: 'tenant', plan: tenantPlan }, 'present', 1, ['east', 'west']);
    service.start(20);
    const tries = provisioner.calls.filter((c) => c.region === 'west').map(() => 0);
    for (let seen = tries.length; Date.now() - start < 2_000; ) {
      await vi.advanceTimersByTimeAsync(10);
      const calls = provisioner.calls.filter((c) => c.region === 'west').length;
      for (; seen < calls; seen++) tries.push(Date.now() - start);
    }
    // The request's try, then the next pass, then waits of 40, 80, 160, 320 ms and the cap, 500 ms,
    // each counted from the try before and met by the first pass (every 20 ms) after it.
    expect(tries).toEqual([0, 20, 60, 140, 300, 620, 1_120, 1_620]);
    expect(service.status('tenant', 'acme')?.regions.west).toMatchObject({ state: 'pending', attempts: tries.length });
  });

  it('cancels a region call at the region timeout and records the region pending', async () => {
    t = await testApp({ config: { reconcileIntervalMs: 0, regionTimeoutMs: 150 } });
    t!.provisioner.hanging.add('west');
    // West never answers: only the region timeout can end this request.
    const tenant = await t!.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(tenant.statusCode).toBe(201);
    expect(tenant.json().provisioning.west).toMatchObject({ state: 'pending', error: 'timed out after 150 ms' });
    expect(t!.provisioner.aborted).toEqual([{ method: 'applyTenant', region: 'west', name: 'acme' }]);
  });
});

describe('removals', () => {
  it('answers the request after the region timeout while the removal goes on, and records it when it ends', async () => {
    const { service, provisioner, store } = await fakeTimedService({ timeoutMs: 100, removalTimeoutMs: 5_000 });
    await service.desire({ kind: 'tenant', plan: tenantPlan }, 'present', 1, ['east', 'west']);
    provisioner.delays.set('west', 1_000);
    let answered = false;
    const request = service.desire({ kind: 'tenant', plan: tenantPlan }, 'absent', 2, ['east', 'west']).then((status) => {
      answered = true;
      return status;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(answered).toBe(true);
    expect((await request)?.regions).toMatchObject({ east: { state: 'ready' }, west: { state: 'pending' } });
    expect(service.removals()).toEqual([{ kind: 'tenant', tenant: 'acme', inProgress: true, regions: { east: expect.objectContaining({ state: 'ready' }), west: expect.objectContaining({ state: 'pending', attempts: 0 }) } }]);
    expect(provisioner.tenants.get('west')!.has('acme')).toBe(true);

    await vi.advanceTimersByTimeAsync(900);
    expect(provisioner.tenants.get('west')!.has('acme')).toBe(false);
    expect(provisioner.aborted).toEqual([]);
    expect(service.removals()).toEqual([]);
    expect(store.list('status/')).toEqual([]);
  });

  it('gives a removal attempt the removal timeout, then keeps it pending for the reconciler', async () => {
    const { service, provisioner } = await fakeTimedService({ timeoutMs: 100, removalTimeoutMs: 1_000 });
    await service.desire({ kind: 'tenant', plan: tenantPlan }, 'present', 1, ['east', 'west']);
    provisioner.hanging.add('west');
    void service.desire({ kind: 'tenant', plan: tenantPlan }, 'absent', 2, ['east', 'west']);
    await vi.advanceTimersByTimeAsync(999);
    expect(provisioner.aborted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(provisioner.aborted).toEqual([{ method: 'removeTenant', region: 'west', name: 'acme' }]);
    service.start(5_000);
    const [removal] = service.removals();
    expect(removal).toMatchObject({ inProgress: false, regions: { west: { state: 'pending', attempts: 1, error: 'timed out after 1000 ms' } } });
    // One failure: the next pass (at most an interval away) tries it again.
    expect(Date.parse(removal!.regions.west!.nextAttemptAt!)).toBe(Date.parse(removal!.regions.west!.updatedAt));
    provisioner.hanging.delete('west');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(service.removals()).toEqual([]);
    expect(provisioner.tenants.get('west')!.has('acme')).toBe(false);
  });

  it('removes a tenant from a region only after its pipelines are removed there', async () => {
    const { service, provisioner } = await fakeTimedService({ timeoutMs: 100 });
    await service.desire({ kind: 'tenant', plan: tenantPlan }, 'present', 1, ['east', 'west']);
    await service.desire({ kind: 'pipeline', plan: pipelinePlan }, 'present', 1, ['east', 'west']);
    provisioner.delays.set('west', 1_000);
    void service.desire({ kind: 'pipeline', plan: pipelinePlan }, 'absent', 2, ['east', 'west']);
    await vi.advanceTimersByTimeAsync(100);
    provisioner.delays.delete('west');
    await service.desire({ kind: 'tenant', plan: tenantPlan }, 'absent', 2, ['east', 'west']);
    expect(provisioner.tenants.get('east')!.has('acme')).toBe(false);
    expect(provisioner.tenants.get('west')!.has('acme')).toBe(true);
    service.start(50);
    expect(service.removals().find((r) => r.kind === 'tenant')?.regions.west).toMatchObject({ state: 'pending', waitingForPipelines: true });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(service.removals()).toEqual([]);
    const west = provisioner.calls.filter((c) => c.region === 'west' && c.method.startsWith('remove')).map((c) => c.method);
    expect(west).toEqual(['removePipeline', 'removeTenant']);
  });

  it('lists pending removals for the operator only, and stops a running one when the app closes', async () => {
    t = await testApp({ config: { regionTimeoutMs: 50, removalTimeoutMs: 600_000 } });
    await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    t.provisioner.hanging.add('west');
    expect((await t.call({ method: 'DELETE', url: '/v1/tenants/acme' })).statusCode).toBe(204);
    const removals = await t.call({ method: 'GET', url: '/v1/removals' });
    expect(removals.statusCode).toBe(200);
    expect(removals.json().items).toEqual([{ kind: 'tenant', tenant: 'acme', inProgress: true, regions: { east: expect.objectContaining({ state: 'ready' }), west: expect.objectContaining({ state: 'pending' }) } }]);
    await t.app.close();
    expect(t.provisioner.aborted).toEqual([{ method: 'removeTenant', region: 'west', name: 'acme' }]);
    t = undefined;
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
