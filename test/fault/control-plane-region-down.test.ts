// A region really down during a create: west's broker is killed with SIGKILL. The control plane
// records west pending and answers 201; when `up` brings west back, the reconciler applies the
// tenant and its pipeline there, read back from west itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, pipelineSpec, quotas } from '../../platform/control-plane/testing.ts';
import { status, up } from '../../infra/stack/stack.ts';
import { waitFor } from '../helpers/index.ts';
import type { RealApp } from '../control-plane/helpers.ts';
import { admin, expectConvergedIn, expectStatus, realApp, stack, tenantName } from '../control-plane/helpers.ts';

const tenant = tenantName('cp-kill');
let t: RealApp;

beforeAll(async () => {
  t = await realApp({ config: { reconcileIntervalMs: 1_000, reconcileMaxBackoffMs: 4_000, regionTimeoutMs: 5_000 } });
});

afterAll(async () => {
  await up({ log: () => {} });
  await t.call({ method: 'DELETE', url: `/v1/tenants/${tenant}?force=true` });
  await waitFor(async () => !(await admin('west').tenants.list()).includes(tenant), { timeoutMs: 60_000, what: 'cleanup in west' }).catch(() => undefined);
  await t.app.close();
});

describe.runIf(stack.mode === 'local')('west killed during a create', () => {
  it('records west pending, then converges once west is restarted', async () => {
    const westPid = (await status()).regions.find((r) => r.name === 'west')!.pids.pulsar!;
    process.kill(westPid, 'SIGKILL');
    await waitFor(async () => (await status()).regions.find((r) => r.name === 'west')!.pids.pulsar === undefined, { what: 'west down' });

    const created = await expectStatus(t.call({ method: 'POST', url: '/v1/tenants', payload: { id: tenant, quotas: quotas() } }), 201);
    expect(created.provisioning.east.state).toBe('ready');
    expect(created.provisioning.west.state).toBe('pending');
    await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${tenant}/functions/counter/versions`, payload: bundle('counter') }), 201);
    const pipeline = await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${tenant}/pipelines`, payload: pipelineSpec('main', ['counter']) }), 201);
    expect(pipeline.provisioning.east.state).toBe('ready');
    expect(pipeline.provisioning.west.state).toBe('pending');
    const regions = await expectStatus(t.call({ method: 'GET', url: '/v1/regions' }), 200);
    expect(regions.items.find((r: { name: string }) => r.name === 'west').healthy).toBe(false);

    const { started } = await up({ regions: ['west'], log: () => {} });
    expect(started).toContain('west:pulsar');

    await expectConvergedIn(t, tenant, 'west', 90_000);
  });
});
