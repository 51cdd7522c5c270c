// PulsarControlStore against the real two-region stack: the control log as DESIGN.md has it, a
// compacted geo-replicated topic. The file provisions its own tenant (`<unique>/system`, replicated
// to both regions, as ensureControlLogNamespace does for lodestar/system) and one topic per test,
// and deletes the tenant from both regions at the end.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureControlLogNamespace, PulsarControlStore, StoreConflictError } from '../../platform/control-plane/index.ts';
import { quotas } from '../../platform/control-plane/testing.ts';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { isPulsarAdminError, PulsarAdminErrorCode } from '../../platform/pulsar-admin/index.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';
import { admin, expectStatus, realApp, stack, superuserToken, tenantName } from './helpers.ts';

const systemTenant = tenantName('cp-log');
const namespace = `${systemTenant}/system`;
const [east, west] = stack.regions as [(typeof stack.regions)[number], (typeof stack.regions)[number]];
const clients: PulsarClient[] = [];
const stores: PulsarControlStore[] = [];

function client(region: typeof east): PulsarClient {
  const c = new PulsarClient({ serviceUrl: region.brokerUrl, token: superuserToken, operationTimeoutMs: 15_000 });
  clients.push(c);
  return c;
}

async function openStore(topic: string, region = east): Promise<PulsarControlStore> {
  const store = new PulsarControlStore({ client: client(region), topic, catchUpTimeoutMs: 30_000 });
  stores.push(store);
  await store.open();
  return store;
}

const newTopic = (): string => `persistent://${namespace}/${uniqueName('control-log')}`;

beforeAll(async () => {
  expect(await ensureControlLogNamespace({ regions: stack.regions, token: superuserToken, namespace })).toEqual({ failed: {} });
});

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()));
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  // A namespace replicated to both regions must be narrowed in each before either can delete it.
  for (const region of stack.regions) await admin(region.name).namespaces.setReplicationClusters(namespace, [region.name]).catch(() => undefined);
  for (const region of stack.regions) {
    await admin(region.name).deleteTenantInCluster(systemTenant, region.name).catch((error: unknown) => {
      if (!isPulsarAdminError(error, PulsarAdminErrorCode.NOT_FOUND)) throw error;
    });
  }
});

describe('PulsarControlStore on the real stack', () => {
  it('provisions the namespace replicated to every region, with infinite retention and a compaction threshold, idempotently', async () => {
    expect(await ensureControlLogNamespace({ regions: stack.regions, token: superuserToken, namespace })).toEqual({ failed: {} });
    for (const region of stack.regions) {
      const policies = await admin(region.name).namespaces.getPolicies(namespace);
      expect([...(policies.replication_clusters ?? [])].sort()).toEqual(stack.regions.map((r) => r.name).sort());
      expect(policies.retention_policies).toEqual({ retentionTimeInMinutes: -1, retentionSizeInMB: -1 });
      expect(policies.compaction_threshold).toBe(1024 * 1024);
    }
  });

  it('shows a write of one instance in the other', async () => {
    const topic = newTopic();
    const a = await openStore(topic);
    const b = await openStore(topic);
    const written = await a.put('tenant/acme', { plan: 'gold' }, 0);
    expect(written.version).toBe(1);
    expect(a.get('tenant/acme')?.value).toEqual({ plan: 'gold' });
    const seen = await waitFor(async () => b.get('tenant/acme'), { what: 'b to fold a\'s write', timeoutMs: 15_000 });
    expect(seen).toMatchObject({ key: 'tenant/acme', version: 1, deleted: false, value: { plan: 'gold' } });
    // b writes on top of it: b's compare-and-set sees a's version.
    expect((await b.put('tenant/acme', { plan: 'platinum' }, 1)).version).toBe(2);
    await waitFor(async () => a.get('tenant/acme')?.version === 2, { what: 'a to fold b\'s write', timeoutMs: 15_000 });
  });

  it('lets one of two conflicting writes from two instances win; the other gets StoreConflictError', async () => {
    const topic = newTopic();
    const a = await openStore(topic);
    const b = await openStore(topic);
    await a.put('k', 'base', 0);
    await waitFor(async () => b.get('k'), { what: 'b to see the base record' });
    const results = await Promise.allSettled([a.put('k', 'from-a', 1), b.put('k', 'from-b', 1)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(StoreConflictError);
    const winner = (won[0] as PromiseFulfilledResult<{ value: string }>).value.value;
    for (const s of [a, b]) await waitFor(async () => s.get('k')?.value === winner, { what: 'both to hold the winner' });
    // And the log holds no losing record: a fresh instance folds the same.
    const c = await openStore(topic);
    expect(c.get('k')).toMatchObject({ version: 2, value: winner });
  });

  it('republishes the folded record over a later conflicting one, so compaction keeps the winner', async () => {
    // What a writer that lost the lock mid-write leaves behind: a record with a version someone
    // else already wrote, after theirs. Compaction keeps the newest message per key, so unless an
    // instance republishes the winner, a store started after compaction folds the loser.
    const topic = newTopic();
    const a = await openStore(topic);
    await a.put('tenant/x', { winner: true }, 0);
    const late = await client(east).createProducer({ topic, batching: false });
    const loser = { key: 'tenant/x', version: 1, deleted: false, value: { winner: false }, writtenAt: new Date().toISOString() };
    await late.send({ key: loser.key, value: JSON.stringify(loser) });
    await late.close();
    expect(a.get('tenant/x')?.value).toEqual({ winner: true });

    const eastAdmin = admin(east.name);
    await waitFor(async () => (await eastAdmin.topics.stats(topic)).msgInCounter === 3 && a.shadowedKeys.length === 0, { what: 'the winner republished after the loser' });
    await eastAdmin.topics.compact(topic);
    await waitFor(async () => {
      const { status, lastError } = await eastAdmin.topics.compactionStatus(topic);
      if (status === 'ERROR') throw new Error(`compaction failed: ${lastError}`);
      return status === 'SUCCESS';
    }, { what: 'compaction' });
    const started = await openStore(topic);
    expect(started.get('tenant/x')).toMatchObject({ version: 1, value: { winner: true } });
    // The repair is a no-op now: one more write does not republish anything.
    await started.put('tenant/x', { winner: 'still' }, 1);
    expect((await eastAdmin.topics.stats(topic)).msgInCounter).toBe(4);
  });

  it('folds the existing log at start: a restarted instance has the same state, deletes included', async () => {
    const topic = newTopic();
    const a = await openStore(topic);
    await a.put('tenant/a', { q: 1 }, 0);
    await a.put('tenant/a', { q: 2 }, 1);
    await a.put('tenant/b', { q: 3 }, 0);
    await a.delete('tenant/b', 1);
    expect(a.get('tenant/b')).toBeUndefined();
    await a.close();

    const again = await openStore(topic);
    expect(again.list('tenant/').map((r) => [r.key, r.version, r.value])).toEqual([['tenant/a', 2, { q: 2 }]]);
    expect(again.get('tenant/b')).toBeUndefined();
    await expect(again.put('tenant/a', { q: 9 }, 1)).rejects.toBeInstanceOf(StoreConflictError);
    // The tombstone keeps the key's version, so a re-created key never reuses an old version.
    expect((await again.put('tenant/b', { q: 4 }, 0)).version).toBe(3);
  });

  it('shows records written in east to a store reading west (geo-replication)', async () => {
    const topic = newTopic();
    const writer = await openStore(topic, east);
    await writer.put('tenant/geo', { region: east.name }, 0);
    const reader = await openStore(topic, west);
    await writer.put('tenant/geo2', { n: 2 }, 0);
    await waitFor(async () => reader.get('tenant/geo') && reader.get('tenant/geo2'), { what: 'west to fold east\'s records', timeoutMs: 60_000 });
    expect(reader.get('tenant/geo')?.value).toEqual({ region: east.name });
    await writer.delete('tenant/geo', 1);
    await waitFor(async () => reader.get('tenant/geo') === undefined, { what: 'west to fold the delete', timeoutMs: 60_000 });
    // A store started in west after the fact folds the replicated log too.
    const late = await openStore(topic, west);
    expect(late.list('tenant/').map((r) => r.key)).toEqual(['tenant/geo2']);
  });

  it('backs the control plane API: create and read a tenant, a stale If-Match gets 409', async () => {
    const store = new PulsarControlStore({ client: client(east), topic: newTopic() });
    const t = await realApp({ store });
    const tenant = tenantName('cp-pstore');
    try {
      await expectStatus(t.call({ method: 'POST', url: '/v1/tenants', payload: { id: tenant, displayName: 'Pulsar store', quotas: quotas() } }), 201);
      const read = await expectStatus(t.call({ method: 'GET', url: `/v1/tenants/${tenant}` }), 200);
      expect(read).toMatchObject({ id: tenant, displayName: 'Pulsar store' });
      const ready = await expectStatus(t.call({ method: 'GET', url: '/ready', token: null }), 200);
      expect(ready.store).toMatch(/^pulsar:/);
      await expectStatus(t.call({ method: 'PATCH', url: `/v1/tenants/${tenant}`, headers: { 'if-match': `"${read.version}"` }, payload: { displayName: 'Renamed' } }), 200);
      const stale = await t.call({ method: 'PATCH', url: `/v1/tenants/${tenant}`, headers: { 'if-match': `"${read.version}"` }, payload: { displayName: 'Stale' } });
      expect(stale.statusCode).toBe(409);
      expect(stale.json().error.code).toBeDefined();
    } finally {
      await t.call({ method: 'DELETE', url: `/v1/tenants/${tenant}?force=true` });
      await t.app.close();
    }
  });
});
