// platform/pulsar-admin against the real local stack (both regions, token auth and authorization
// on): what the control plane will do — provision a tenant, a replicated namespace with its
// policies, partitioned topics and a replicated subscription in every region — read back through
// the client, then torn down. Plus the broker's refusals (no token, a foreign tenant's role), broker
// health and the transaction coordinators.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PulsarAdmin, isPulsarAdminError, mintToken } from '../../platform/pulsar-admin/index.ts';
import type { NamespaceSpec } from '../../platform/pulsar-admin/index.ts';
import { loadStackInfo, readSuperuserToken } from '../../platform/regions/index.ts';
import type { RegionInfo } from '../../platform/regions/index.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';

const info = loadStackInfo();
const token = readSuperuserToken(info);
const regions = info.regions;
const clusterNames = regions.map((r) => r.name);
const admin = (region: RegionInfo, options: { token?: string } = { token }): PulsarAdmin =>
  new PulsarAdmin({ webUrl: region.webUrl, timeoutMs: 30_000, ...options });
const admins = regions.map((region) => ({ region, admin: admin(region) }));

// Tenants this file created, removed in every region at the end even when a test failed midway.
const createdTenants = new Set<string>();

/** Replication off in every region first, so no peer's replicator recreates what is deleted. */
async function removeTenantEverywhere(tenant: string): Promise<void> {
  for (const { region, admin: a } of admins) {
    for (const ns of await a.namespaces.list(tenant).catch(() => [] as string[])) {
      await a.narrowReplication(ns, region.name).catch(() => false);
    }
  }
  for (const { region, admin: a } of admins) {
    await a.deleteTenantInCluster(tenant, region.name).catch((error: unknown) => {
      if (!isPulsarAdminError(error, 'NOT_FOUND')) throw error;
    });
  }
}

afterAll(async () => {
  for (const tenant of createdTenants) await removeTenantEverywhere(tenant);
});

describe.each(admins)('brokers and transactions in $region.name', ({ region, admin: a }) => {
  it('is healthy, ready and runs Pulsar 4.0.x', async () => {
    await a.brokers.health();
    await a.brokers.health({ topicVersion: 'V2' });
    await a.brokers.ready();
    expect(await a.brokers.version()).toMatch(/^4\.0\.\d+/);
  });

  it('has transaction coordinators, all Ready', async () => {
    const coordinators = await a.transactions.coordinators();
    expect(coordinators.length).toBeGreaterThan(0);
    expect(coordinators[0]?.brokerServiceUrl).toBe(region.brokerUrl);
    const stats = await a.transactions.coordinatorStats();
    expect(Object.keys(stats)).toEqual(coordinators.map((c) => String(c.id)));
    for (const s of Object.values(stats)) expect(s).toMatchObject({ state: 'Ready', ongoingTxnSize: expect.any(Number) });
    expect(await a.transactions.coordinatorStatsById(coordinators[0]!.id)).toMatchObject({ state: 'Ready' });
    expect(await a.transactions.coordinatorsReady()).toBe(true);
  });
});

describe.each(admins)('clusters in $region.name', ({ region, admin: a }) => {
  it('knows every region, with the peer registered for replication', async () => {
    expect(await a.clusters.list()).toEqual(expect.arrayContaining(clusterNames));
    for (const peer of regions.filter((r) => r.name !== region.name)) {
      expect(await a.clusters.get(peer.name)).toMatchObject({ serviceUrl: peer.webUrl, brokerServiceUrl: peer.brokerUrl });
    }
  });

  it('creates, updates and deletes a cluster', async () => {
    const name = uniqueName('scratch');
    const data = { serviceUrl: 'http://127.0.0.1:9', brokerServiceUrl: 'pulsar://127.0.0.1:9' };
    try {
      expect(await a.clusters.ensure(name, data)).toEqual({ created: true, changed: [] });
      await expect(a.clusters.create(name, data)).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
      expect(await a.clusters.ensure(name, data)).toEqual({ created: false, changed: [] });
      const moved = { ...data, serviceUrl: 'http://127.0.0.1:10' };
      expect(await a.clusters.ensure(name, moved)).toEqual({ created: false, changed: ['cluster'] });
      expect(await a.clusters.get(name)).toMatchObject(moved);
    } finally {
      await a.clusters.delete(name);
    }
    await expect(a.clusters.get(name)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});

describe('tenant, namespace, policies and topics in every region', () => {
  const tenant = uniqueName('life');
  const namespace = `${tenant}/orders`;
  const topic = `persistent://${namespace}/${uniqueName('input')}`;
  const plain = `persistent://${namespace}/${uniqueName('plain')}`;
  const local = `persistent://${namespace}/${uniqueName('local')}`;
  const appRole = `${tenant}-app`;
  const spec: NamespaceSpec = {
    replicationClusters: clusterNames,
    // Above the broker's default size quota (10 GB in standalone.conf): a message_age quota is
    // checked against that default, so a smaller retention refuses every message_age quota.
    retention: { retentionTimeInMinutes: 1440, retentionSizeInMB: 20 * 1024 },
    backlogQuotas: { destination_storage: { limitSize: 512 * 1024 * 1024, policy: 'producer_exception' } },
    messageTtlSeconds: 3600,
    deduplication: true,
    dispatchRate: { dispatchThrottlingRateInMsg: 1000, dispatchThrottlingRateInByte: -1 },
    subscriptionDispatchRate: { dispatchThrottlingRateInMsg: 500, dispatchThrottlingRateInByte: -1 },
    publishRate: { publishThrottlingRateInMsg: 2000, publishThrottlingRateInByte: -1 },
    permissions: { [appRole]: ['produce', 'consume'] },
  };

  it('ensures the tenant in each region, idempotently, and updates what differs', async () => {
    createdTenants.add(tenant);
    for (const { admin: a } of admins) {
      expect(await a.tenants.ensure(tenant, { adminRoles: [], allowedClusters: clusterNames })).toEqual({ created: true, changed: [] });
      expect(await a.tenants.ensure(tenant, { adminRoles: [], allowedClusters: [...clusterNames].reverse() })).toEqual({ created: false, changed: [] });
      expect(await a.tenants.ensure(tenant, { adminRoles: ['ops'], allowedClusters: clusterNames })).toEqual({ created: false, changed: ['adminRoles'] });
      const read = await a.tenants.get(tenant);
      expect(read.adminRoles).toEqual(['ops']);
      expect([...read.allowedClusters].sort()).toEqual([...clusterNames].sort());
      expect(await a.tenants.list()).toContain(tenant);
      await expect(a.tenants.create(tenant, read)).rejects.toMatchObject({ code: 'CONFLICT', status: 409, reason: expect.stringMatching(/exist/) });
    }
  });

  it('ensures the namespace with every policy, then a second run changes nothing', async () => {
    for (const { admin: a } of admins) {
      const first = await a.namespaces.ensure(namespace, spec);
      expect(first.created).toBe(true);
      expect(first.changed).toEqual(expect.arrayContaining([
        'replicationClusters', 'retention', 'backlogQuota:destination_storage', 'messageTtlSeconds', 'deduplication',
        'dispatchRate', 'subscriptionDispatchRate', 'publishRate', `permissions:${appRole}`,
      ]));
      expect(await a.namespaces.ensure(namespace, spec)).toEqual({ created: false, changed: [] });
      expect(await a.namespaces.list(tenant)).toEqual([namespace]);
    }
  });

  it('reads every policy back in each region', async () => {
    for (const { admin: a } of admins) {
      expect([...(await a.namespaces.getReplicationClusters(namespace))].sort()).toEqual([...clusterNames].sort());
      expect(await a.namespaces.getRetention(namespace)).toEqual(spec.retention);
      expect((await a.namespaces.getBacklogQuotas(namespace)).destination_storage).toMatchObject(spec.backlogQuotas!.destination_storage!);
      expect(await a.namespaces.getMessageTtl(namespace)).toBe(3600);
      expect(await a.namespaces.getDeduplication(namespace)).toBe(true);
      expect(await a.namespaces.getDispatchRate(namespace)).toMatchObject(spec.dispatchRate!);
      expect(await a.namespaces.getSubscriptionDispatchRate(namespace)).toMatchObject(spec.subscriptionDispatchRate!);
      expect(await a.namespaces.getPublishRate(namespace)).toMatchObject(spec.publishRate!);
      expect([...((await a.namespaces.getPermissions(namespace))[appRole] ?? [])].sort()).toEqual(['consume', 'produce']);
      const policies = await a.namespaces.getPolicies(namespace);
      expect(policies).toMatchObject({
        message_ttl_in_seconds: 3600,
        deduplicationEnabled: true,
        retention_policies: spec.retention,
        auth_policies: { namespace_auth: { [appRole]: expect.arrayContaining(['produce', 'consume']) } },
      });
      expect([...(policies.replication_clusters ?? [])].sort()).toEqual([...clusterNames].sort());
    }
  });

  it('changes, revokes and removes policies', async () => {
    for (const { admin: a } of admins) {
      expect(await a.namespaces.ensure(namespace, { ...spec, messageTtlSeconds: 600 })).toEqual({ created: false, changed: ['messageTtlSeconds'] });
      await a.namespaces.grantPermission(namespace, `${appRole}-2`, ['consume']);
      await a.namespaces.revokePermission(namespace, appRole);
      const permissions = await a.namespaces.getPermissions(namespace);
      expect(permissions[appRole]).toBeUndefined();
      expect(permissions[`${appRole}-2`]).toEqual(['consume']);
      await a.namespaces.removeMessageTtl(namespace);
      expect(await a.namespaces.getMessageTtl(namespace)).toBeUndefined();
      await a.namespaces.setBacklogQuota(namespace, { limitTime: 3600, policy: 'producer_request_hold' }, 'message_age');
      expect((await a.namespaces.getBacklogQuotas(namespace)).message_age).toMatchObject({ limitTime: 3600, policy: 'producer_request_hold' });
      await a.namespaces.removeBacklogQuota(namespace, 'message_age');
      expect((await a.namespaces.getBacklogQuotas(namespace)).message_age).toBeUndefined();
      // The broker keeps a size quota below retention.
      await expect(a.namespaces.setBacklogQuota(namespace, { limitSize: 32 * 1024 * 1024 * 1024, policy: 'producer_exception' }))
        .rejects.toMatchObject({ code: 'PRECONDITION_FAILED', status: 412 });
    }
  });

  it('creates and grows a partitioned topic, which the broker also creates in the peer region', async () => {
    const [first, ...others] = admins as [(typeof admins)[number], ...typeof admins];
    expect(await first.admin.topics.ensurePartitioned(topic, 2)).toEqual({ created: true, changed: [] });
    expect(await first.admin.topics.ensurePartitioned(topic, 2)).toEqual({ created: false, changed: [] });
    expect(await first.admin.topics.ensurePartitioned(topic, 3)).toEqual({ created: false, changed: ['partitions'] });
    await expect(first.admin.topics.ensurePartitioned(topic, 1)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    // In a replicated namespace, create and update reach every replication cluster by default.
    for (const { admin: a } of [first, ...others]) {
      expect((await a.topics.getPartitionedMetadata(topic)).partitions).toBe(3);
      expect(await a.topics.ensurePartitioned(topic, 3)).toEqual({ created: false, changed: [] });
      expect(await a.topics.listPartitioned(namespace)).toContain(topic);
      expect(await a.topics.list(namespace)).toEqual(expect.arrayContaining([0, 1, 2].map((i) => `${topic}-partition-${i}`)));
    }
    // localOnly keeps it in this cluster.
    expect(await first.admin.topics.ensurePartitioned(local, 2, { localOnly: true })).toEqual({ created: true, changed: [] });
    for (const { admin: a } of others) await expect(a.topics.getPartitionedMetadata(local)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(first.admin.topics.getPartitionedMetadata(`persistent://${namespace}/missing`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates a non-partitioned topic, which replication brings to the peer region', async () => {
    const [first, ...others] = admins as [(typeof admins)[number], ...typeof admins];
    await first.admin.topics.create(plain, { owner: 'lodestar' });
    await expect(first.admin.topics.create(plain)).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
    await expect(first.admin.topics.ensurePartitioned(plain, 2)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await first.admin.topics.getPartitionedMetadata(plain)).toMatchObject({ partitions: 0 });
    expect(await first.admin.topics.list(namespace)).toContain(plain);
    for (const { region, admin: a } of others) {
      await waitFor(async () => (await a.topics.list(namespace)).includes(plain), { what: `${plain} in ${region.name}`, timeoutMs: 60_000 });
    }
  });

  it('creates a replicated subscription and reads topic stats with replication to the peer', async () => {
    const [{ region: home, admin: a }] = admins as [(typeof admins)[number]];
    const peer = regions.find((r) => r.name !== home.name)!;
    await a.topics.createSubscription(topic, 'audit', { replicated: true, position: 'earliest' });
    await expect(a.topics.createSubscription(topic, 'audit')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await a.topics.subscriptions(topic)).toContain('audit');
    const status = await a.topics.getReplicatedSubscriptionStatus(topic, 'audit');
    expect(Object.keys(status)).toHaveLength(3);
    expect(Object.values(status).every(Boolean)).toBe(true);
    await a.topics.setReplicatedSubscriptionStatus(topic, 'audit', false);
    expect(Object.values(await a.topics.getReplicatedSubscriptionStatus(topic, 'audit')).some(Boolean)).toBe(false);

    const stats = await a.topics.partitionedStats(topic, { perPartition: true });
    expect(stats.metadata.partitions).toBe(3);
    expect(Object.keys(stats.partitions ?? {})).toHaveLength(3);
    expect(stats).toMatchObject({ msgRateIn: expect.any(Number), msgRateOut: expect.any(Number), msgInCounter: 0, storageSize: expect.any(Number), backlogSize: expect.any(Number), publishers: [] });
    expect(stats.subscriptions.audit).toMatchObject({ msgBacklog: 0, consumers: [] });

    const partition = `${topic}-partition-0`;
    const replicated = await waitFor(async () => {
      const s = await a.topics.stats(partition);
      return s.replication[peer.name]?.connected ? s : undefined;
    }, { what: `replicator ${home.name} -> ${peer.name} connected`, timeoutMs: 60_000 });
    expect(replicated.replication[peer.name]).toMatchObject({ replicationBacklog: 0, connected: true, msgRateOut: expect.any(Number), replicationDelayInSeconds: expect.any(Number) });
    expect(replicated.subscriptions.audit?.msgBacklog).toBe(0);
    await a.topics.deleteSubscription(topic, 'audit');
    expect(await a.topics.subscriptions(topic)).not.toContain('audit');
  });

  it('deletes topics, namespace and tenant in each region', async () => {
    // Replication off everywhere first, or a peer's replicator recreates what is deleted here;
    // narrowReplication also waits for this region's replicators to close (removal.ts says why).
    for (const { region, admin: a } of admins) expect(await a.narrowReplication(namespace, region.name)).toBe(true);
    for (const { region, admin: a } of admins) {
      expect(Object.keys((await a.topics.stats(`${topic}-partition-0`)).replication)).toEqual([]);
      expect(await a.namespaces.getReplicationClusters(namespace)).toEqual([region.name]);
    }
    await admins[0]!.admin.deleteTopic(local);
    for (const { region, admin: a } of admins) {
      await a.deleteTopic(topic);
      await a.deleteTopic(plain);
      await expect(a.topics.getPartitionedMetadata(topic)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(a.deleteTopic(plain)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await a.deleteNamespaceInCluster(namespace, region.name);
      await expect(a.namespaces.getPolicies(namespace)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
      await a.tenants.delete(tenant);
      await expect(a.tenants.get(tenant)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
      expect(await a.tenants.list()).not.toContain(tenant);
    }
    createdTenants.delete(tenant);
  });
});

describe('deleting a tenant whose namespace replicates to every region', () => {
  it('is refused (412) even with force until replication is narrowed; deleteTenantInCluster does that', async () => {
    const tenant = uniqueName('gone');
    createdTenants.add(tenant);
    for (const { admin: a } of admins) {
      await a.tenants.ensure(tenant, { adminRoles: [], allowedClusters: clusterNames });
      await a.namespaces.ensure(`${tenant}/ns`, { replicationClusters: clusterNames });
    }
    await admins[0]!.admin.topics.ensurePartitioned(`persistent://${tenant}/ns/events`, 2);
    const { region, admin: a } = admins[0]!;
    await expect(a.tenants.delete(tenant, { force: true })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', status: 412 });
    for (const { region: r, admin: each } of admins) await each.namespaces.setReplicationClusters(`${tenant}/ns`, [r.name]);
    await a.deleteTenantInCluster(tenant, region.name);
    await expect(a.tenants.get(tenant)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const { region: r, admin: each } of admins.slice(1)) {
      expect(await each.namespaces.list(tenant)).toEqual([`${tenant}/ns`]);
      await each.deleteTenantInCluster(tenant, r.name);
      await expect(each.tenants.get(tenant)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    createdTenants.delete(tenant);
  });
});

describe.each(admins)('authentication and authorization in $region.name', ({ region, admin: superuser }) => {
  it('refuses a call without a token with a typed 401', async () => {
    const anonymous = admin(region, {});
    const error = await anonymous.tenants.list().catch((e: unknown) => e);
    expect(isPulsarAdminError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, retriable: false, reason: 'Authentication required' });
    await expect(admin(region, { token: 'not.a.jwt' }).brokers.health()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it("keeps a tenant's role out of another tenant", async () => {
    const secretKeyFile = info.tokenSecretKeyFile;
    if (!secretKeyFile) throw new Error('this stack cannot mint tokens (no tokenSecretKeyFile)');
    const tenantA = uniqueName('tena');
    const tenantB = uniqueName('tenb');
    createdTenants.add(tenantA).add(tenantB);
    await superuser.tenants.ensure(tenantA, { adminRoles: ['tenant-a-role'], allowedClusters: [region.name] });
    await superuser.tenants.ensure(tenantB, { adminRoles: ['tenant-b-role'], allowedClusters: [region.name] });
    await superuser.namespaces.ensure(`${tenantB}/data`);
    await superuser.topics.ensurePartitioned(`persistent://${tenantB}/data/events`, 2);

    const roleA = admin(region, { token: mintToken(readFileSync(secretKeyFile), 'tenant-a-role') });
    // Its own tenant: allowed.
    expect(await roleA.namespaces.ensure(`${tenantA}/mine`, { messageTtlSeconds: 60 })).toMatchObject({ created: true });
    await roleA.topics.ensurePartitioned(`persistent://${tenantA}/mine/events`, 2);
    expect(await roleA.namespaces.list(tenantA)).toEqual([`${tenantA}/mine`]);

    // Another tenant: refused. Namespace and topic-policy checks answer 403; tenant-level and
    // topic-level ones 401 with a reason, which the client also reports as FORBIDDEN.
    const forbidden = (status: number) => ({ code: 'FORBIDDEN', status, retriable: false, reason: expect.stringMatching(/Unauthorized|permission|super-user/) });
    await expect(roleA.namespaces.setMessageTtl(`${tenantB}/data`, 1)).rejects.toMatchObject(forbidden(403));
    await expect(roleA.namespaces.getPolicies(`${tenantB}/data`)).rejects.toMatchObject(forbidden(403));
    await expect(roleA.topics.createPartitioned(`persistent://${tenantB}/data/other`, 2)).rejects.toMatchObject(forbidden(403));
    await expect(roleA.namespaces.create(`${tenantB}/theirs`)).rejects.toMatchObject(forbidden(401));
    await expect(roleA.namespaces.list(tenantB)).rejects.toMatchObject(forbidden(401));
    await expect(roleA.topics.partitionedStats(`persistent://${tenantB}/data/events`)).rejects.toMatchObject(forbidden(401));
    await expect(roleA.tenants.delete(tenantB)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Superuser-only.
    await expect(roleA.tenants.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(roleA.brokers.health()).rejects.toMatchObject(forbidden(401));

    // Nothing of B changed.
    expect(await superuser.namespaces.list(tenantB)).toEqual([`${tenantB}/data`]);
    expect(await superuser.namespaces.getMessageTtl(`${tenantB}/data`)).toBeUndefined();
    expect(await superuser.topics.listPartitioned(`${tenantB}/data`)).toEqual([`persistent://${tenantB}/data/events`]);
  });

  it('lets a tenant admin role delete its own tenant (so tenant roles should get grants, not adminRoles)', async () => {
    const secretKeyFile = info.tokenSecretKeyFile;
    if (!secretKeyFile) throw new Error('this stack cannot mint tokens (no tokenSecretKeyFile)');
    const tenant = uniqueName('self');
    createdTenants.add(tenant);
    await superuser.tenants.ensure(tenant, { adminRoles: [`${tenant}-admin`], allowedClusters: [region.name] });
    const own = admin(region, { token: mintToken(readFileSync(secretKeyFile), `${tenant}-admin`) });
    await own.tenants.delete(tenant);
    await expect(superuser.tenants.get(tenant)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    createdTenants.delete(tenant);
  });
});
