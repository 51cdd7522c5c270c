// Paths, methods and bodies of each resource group, and the ensure flows, against a fake admin server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PulsarAdmin, PulsarAdminError } from './index.ts';
import { startFakeAdminServer } from './fake-admin-server.test-support.ts';
import type { FakeAdminServer } from './fake-admin-server.test-support.ts';

let broker: FakeAdminServer;
let admin: PulsarAdmin;
beforeEach(async () => {
  broker = await startFakeAdminServer();
  admin = new PulsarAdmin({ webUrl: broker.url, token: 't' });
});
afterEach(async () => {
  await broker.close();
});

const sent = (): string[] => broker.requests.map((r) => `${r.method} ${r.url}${r.body ? ` ${r.body}` : ''}`);
const exists = { status: 409, body: { reason: 'already exists' } };

describe('clusters', () => {
  it('lists, reads, creates, updates and deletes', async () => {
    broker.on('GET /admin/v2/clusters', { body: ['east', 'west'] })
      .on('GET /admin/v2/clusters/west', { body: { serviceUrl: 'http://w' } })
      .on('PUT /admin/v2/clusters/west', {})
      .on('POST /admin/v2/clusters/west', {})
      .on('DELETE /admin/v2/clusters/west', {});
    expect(await admin.clusters.list()).toEqual(['east', 'west']);
    expect(await admin.clusters.get('west')).toEqual({ serviceUrl: 'http://w' });
    const data = { serviceUrl: 'http://w', brokerServiceUrl: 'pulsar://w', authenticationPlugin: 'p', authenticationParameters: 'token:x' };
    await admin.clusters.create('west', data);
    await admin.clusters.update('west', data);
    await admin.clusters.delete('west');
    expect(broker.requests[2]?.json).toEqual(data);
    expect(sent().slice(2).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'PUT /admin/v2/clusters/west', 'POST /admin/v2/clusters/west', 'DELETE /admin/v2/clusters/west',
    ]);
  });

  it('ensure updates only a cluster that differs', async () => {
    let current = { serviceUrl: 'http://old', brokerServiceUrl: 'pulsar://w' };
    broker.on('PUT /admin/v2/clusters/west', exists)
      .on('GET /admin/v2/clusters/west', () => ({ body: current }))
      .on('POST /admin/v2/clusters/west', (r) => { current = r.json as typeof current; return {}; });
    expect(await admin.clusters.ensure('west', { serviceUrl: 'http://new' })).toEqual({ created: false, changed: ['cluster'] });
    expect(await admin.clusters.ensure('west', { serviceUrl: 'http://new' })).toEqual({ created: false, changed: [] });
  });
});

describe('tenants', () => {
  const info = { adminRoles: ['a-role'], allowedClusters: ['east', 'west'] };

  it('maps each call to its path', async () => {
    broker.on('GET /admin/v2/tenants', { body: ['public'] })
      .on('GET /admin/v2/tenants/acme', { body: { adminRoles: ['a-role'], allowedClusters: ['east'] } })
      .on('PUT /admin/v2/tenants/acme', {})
      .on('POST /admin/v2/tenants/acme', {})
      .on('DELETE /admin/v2/tenants/acme', {});
    expect(await admin.tenants.list()).toEqual(['public']);
    expect(await admin.tenants.get('acme')).toEqual({ adminRoles: ['a-role'], allowedClusters: ['east'] });
    await admin.tenants.create('acme', info);
    await admin.tenants.update('acme', info);
    await admin.tenants.delete('acme');
    await admin.tenants.delete('acme', { force: true });
    expect(sent().slice(2)).toEqual([
      `PUT /admin/v2/tenants/acme ${JSON.stringify(info)}`,
      `POST /admin/v2/tenants/acme ${JSON.stringify(info)}`,
      'DELETE /admin/v2/tenants/acme',
      'DELETE /admin/v2/tenants/acme?force=true',
    ]);
  });

  it('ensure creates, then treats 409 as present and converges what differs', async () => {
    broker.on('PUT /admin/v2/tenants/acme', {});
    expect(await admin.tenants.ensure('acme', info)).toEqual({ created: true, changed: [] });

    broker.on('PUT /admin/v2/tenants/acme', exists)
      .on('GET /admin/v2/tenants/acme', { body: { adminRoles: ['a-role'], allowedClusters: ['west', 'east'] } });
    expect(await admin.tenants.ensure('acme', info)).toEqual({ created: false, changed: [] });
    expect(broker.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    broker.on('GET /admin/v2/tenants/acme', { body: { adminRoles: [], allowedClusters: ['east'] } })
      .on('POST /admin/v2/tenants/acme', {});
    expect(await admin.tenants.ensure('acme', info)).toEqual({ created: false, changed: ['adminRoles', 'allowedClusters'] });
    expect(broker.requests.at(-1)?.json).toEqual(info);
  });

  it('ensure passes on errors other than 409', async () => {
    broker.on('PUT /admin/v2/tenants/acme', { status: 401, body: { reason: 'This operation requires super-user access' } });
    await expect(admin.tenants.ensure('acme', info)).rejects.toMatchObject({ code: 'FORBIDDEN', status: 401 });
  });
});

describe('deleteTenantInCluster', () => {
  it('narrows each replicated namespace to the cluster, then force-deletes the tenant', async () => {
    broker.on('GET /admin/v2/namespaces/acme', { body: ['acme/a', 'acme/b'] })
      .on('GET /admin/v2/namespaces/acme/a/replication', { body: ['east', 'west'] })
      .on('GET /admin/v2/namespaces/acme/b/replication', { body: ['east'] })
      .on('POST /admin/v2/namespaces/acme/a/replication', {})
      .on('GET /admin/v2/persistent/acme/a', { body: [] })
      .on('GET /admin/v2/persistent/acme/b', { body: [] })
      .on('DELETE /admin/v2/tenants/acme', {});
    await admin.deleteTenantInCluster('acme', 'east');
    expect(sent()).toEqual([
      'GET /admin/v2/namespaces/acme',
      'GET /admin/v2/namespaces/acme/a/replication',
      'POST /admin/v2/namespaces/acme/a/replication ["east"]',
      'GET /admin/v2/persistent/acme/a',
      'GET /admin/v2/namespaces/acme/b/replication',
      'GET /admin/v2/persistent/acme/b',
      'DELETE /admin/v2/tenants/acme?force=true',
    ]);
  });

  it('waits for the replicators to close before deleting', async () => {
    let polls = 0;
    broker.on('GET /admin/v2/namespaces/acme', { body: ['acme/a'] })
      .on('GET /admin/v2/namespaces/acme/a/replication', { body: ['east'] })
      .on('GET /admin/v2/persistent/acme/a', { body: ['persistent://acme/a/t'] })
      // Closing in the background: the replicator to west is listed twice more, then gone.
      .on('GET /admin/v2/persistent/acme/a/t/stats', () => ({ body: { replication: ++polls < 3 ? { west: { connected: true } } : {} } }))
      .on('DELETE /admin/v2/tenants/acme', {});
    await admin.deleteTenantInCluster('acme', 'east');
    expect(polls).toBe(3);
    expect(sent().at(-1)).toBe('DELETE /admin/v2/tenants/acme?force=true');
  });

  it('goes on deleting when the replicators outlast replicatorsGoneWithinMs', async () => {
    broker.on('GET /admin/v2/namespaces/acme/a/replication', { body: ['east'] })
      .on('GET /admin/v2/persistent/acme/a', { body: ['persistent://acme/a/t'] })
      .on('GET /admin/v2/persistent/acme/a/t/stats', { body: { replication: { west: { connected: true } } } });
    expect(await admin.narrowReplication('acme/a', 'east', { replicatorsGoneWithinMs: 250 })).toBe(false);
  });
});

describe('deletions retried until gone', () => {
  const fenced = { status: 500, body: '\n --- An unexpected error occurred in the server ---\n\nMessage: Topic is already fenced\n\nStacktrace:\n' };
  const partitions = '/admin/v2/persistent/acme/a/t/partitions';

  it('retries a fenced delete until the broker accepts it', async () => {
    let attempts = 0;
    broker.on(`GET ${partitions}`, { body: { partitions: 2 } })
      .on(`DELETE ${partitions}`, () => (++attempts < 3 ? fenced : {}));
    await admin.deleteTopic('persistent://acme/a/t');
    expect(attempts).toBe(3);
    expect(sent().slice(1)).toEqual(Array(3).fill(`DELETE ${partitions}?force=true`));
  });

  it('counts NOT_FOUND after a failed attempt as done once the namespace no longer lists the topic', async () => {
    let attempts = 0;
    broker.on('GET /admin/v2/persistent/acme/a/plain/partitions', { body: { partitions: 0 } })
      // The first delete fails (fenced: an earlier close still running; the broker finishes the delete), the next one 404.
      .on('DELETE /admin/v2/persistent/acme/a/plain', () => (++attempts === 1 ? fenced : { status: 404, body: { reason: 'Topic not found' } }))
      .on('GET /admin/v2/persistent/acme/a', { body: [] });
    await admin.deleteTopic('persistent://acme/a/plain');
    expect(attempts).toBe(2);
    expect(sent().at(-1)).toBe('GET /admin/v2/persistent/acme/a');
  });

  it('throws NOT_FOUND when there was nothing to delete', async () => {
    broker.on('GET /admin/v2/persistent/acme/a/plain/partitions', { body: { partitions: 0 } })
      .on('DELETE /admin/v2/persistent/acme/a/plain', { status: 404, body: { reason: 'Topic not found' } })
      .on('GET /admin/v2/persistent/acme/a', { body: [] });
    await expect(admin.deleteTopic('persistent://acme/a/plain')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(sent()).toEqual(['GET /admin/v2/persistent/acme/a/plain/partitions?checkAllowAutoCreation=false', 'DELETE /admin/v2/persistent/acme/a/plain?force=true', 'GET /admin/v2/persistent/acme/a']);
  });

  it('deletes a tenant again when the broker answered 404 but still lists it', async () => {
    // What a storm of deletes showed: the forced tenant delete failed while an earlier delete of
    // its namespace was still running (fenced), then answered 404 for that vanished namespace
    // while the tenant stayed.
    let deletes = 0;
    broker.on('GET /admin/v2/namespaces/acme', { body: [] })
      .on('DELETE /admin/v2/tenants/acme', () => [fenced, { status: 404, body: { reason: 'Namespace does not exist' } }, {}][Math.min(deletes++, 2)]!)
      .on('GET /admin/v2/tenants', () => ({ body: deletes < 3 ? ['acme', 'other'] : ['other'] }));
    await admin.deleteTenantInCluster('acme', 'east');
    expect(sent()).toEqual([
      'GET /admin/v2/namespaces/acme',
      'DELETE /admin/v2/tenants/acme?force=true',
      'DELETE /admin/v2/tenants/acme?force=true',
      'GET /admin/v2/tenants',
      'DELETE /admin/v2/tenants/acme?force=true',
    ]);
  });

  it('skips narrowing a namespace that vanished meanwhile, and deletes the tenant', async () => {
    broker.on('GET /admin/v2/namespaces/acme', { body: ['acme/a'] })
      .on('GET /admin/v2/namespaces/acme/a/replication', { status: 404, body: { reason: 'Namespace does not exist' } })
      .on('DELETE /admin/v2/tenants/acme', {});
    await admin.deleteTenantInCluster('acme', 'east');
    expect(sent().at(-1)).toBe('DELETE /admin/v2/tenants/acme?force=true');
  });

  it('never retries a non-retriable failure', async () => {
    broker.on('DELETE /admin/v2/tenants/acme', { status: 403, body: { reason: 'no' } }).on('GET /admin/v2/namespaces/acme', { body: [] });
    await expect(admin.deleteTenantInCluster('acme', 'east')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(broker.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});

describe('namespaces', () => {
  const ns = '/admin/v2/namespaces/acme/orders';

  it('maps policy calls to paths and bodies', async () => {
    for (const key of ['PUT', 'DELETE']) broker.on(`${key} ${ns}`, {});
    for (const policy of ['replication', 'retention', 'backlogQuota', 'messageTTL', 'deduplication', 'dispatchRate', 'subscriptionDispatchRate', 'publishRate', 'permissions/app-role']) {
      broker.on(`POST ${ns}/${policy}`, {}).on(`DELETE ${ns}/${policy}`, {});
    }
    await admin.namespaces.create('acme/orders');
    await admin.namespaces.setReplicationClusters('acme/orders', ['east', 'west']);
    await admin.namespaces.setRetention('acme/orders', { retentionTimeInMinutes: 60, retentionSizeInMB: 100 });
    await admin.namespaces.setBacklogQuota('acme/orders', { limitSize: 1024, policy: 'producer_exception' });
    await admin.namespaces.setBacklogQuota('acme/orders', { limitTime: 60, policy: 'producer_request_hold' }, 'message_age');
    await admin.namespaces.setMessageTtl('acme/orders', 3600);
    await admin.namespaces.setDeduplication('acme/orders', true);
    await admin.namespaces.setDispatchRate('acme/orders', { dispatchThrottlingRateInMsg: 10, dispatchThrottlingRateInByte: -1 });
    await admin.namespaces.setSubscriptionDispatchRate('acme/orders', { dispatchThrottlingRateInMsg: 5, dispatchThrottlingRateInByte: -1 });
    await admin.namespaces.setPublishRate('acme/orders', { publishThrottlingRateInMsg: 100, publishThrottlingRateInByte: -1 });
    await admin.namespaces.grantPermission('acme/orders', 'app-role', ['produce', 'consume']);
    await admin.namespaces.revokePermission('acme/orders', 'app-role');
    await admin.namespaces.removeBacklogQuota('acme/orders', 'message_age');
    await admin.namespaces.delete('acme/orders', { force: true });
    expect(sent()).toEqual([
      `PUT ${ns}`,
      `POST ${ns}/replication ["east","west"]`,
      `POST ${ns}/retention {"retentionTimeInMinutes":60,"retentionSizeInMB":100}`,
      `POST ${ns}/backlogQuota?backlogQuotaType=destination_storage {"limitSize":1024,"policy":"producer_exception"}`,
      `POST ${ns}/backlogQuota?backlogQuotaType=message_age {"limitTime":60,"policy":"producer_request_hold"}`,
      `POST ${ns}/messageTTL 3600`,
      `POST ${ns}/deduplication true`,
      `POST ${ns}/dispatchRate {"dispatchThrottlingRateInMsg":10,"dispatchThrottlingRateInByte":-1}`,
      `POST ${ns}/subscriptionDispatchRate {"dispatchThrottlingRateInMsg":5,"dispatchThrottlingRateInByte":-1}`,
      `POST ${ns}/publishRate {"publishThrottlingRateInMsg":100,"publishThrottlingRateInByte":-1}`,
      `POST ${ns}/permissions/app-role ["produce","consume"]`,
      `DELETE ${ns}/permissions/app-role`,
      `DELETE ${ns}/backlogQuota?backlogQuotaType=message_age`,
      `DELETE ${ns}?force=true`,
    ]);
  });

  it('reads an unset policy (204) as undefined and lists as empty', async () => {
    broker.on(`GET ${ns}/messageTTL`, {}).on(`GET ${ns}/permissions`, {}).on(`GET ${ns}/backlogQuotaMap`, {});
    expect(await admin.namespaces.getMessageTtl('acme/orders')).toBeUndefined();
    expect(await admin.namespaces.getPermissions('acme/orders')).toEqual({});
    expect(await admin.namespaces.getBacklogQuotas('acme/orders')).toEqual({});
  });

  it('refuses malformed namespace names before sending', async () => {
    await expect(admin.namespaces.create('acme')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.namespaces.create('acme/a/b')).rejects.toThrow(/tenant\/namespace/);
    await expect(admin.namespaces.create('acme/or ders')).rejects.toBeInstanceOf(PulsarAdminError);
    expect(broker.requests).toHaveLength(0);
  });

  it('deleteNamespaceInCluster narrows replication to the local cluster first', async () => {
    broker.on(`GET ${ns}/replication`, { body: ['east', 'west'] }).on(`POST ${ns}/replication`, {}).on(`DELETE ${ns}`, {})
      .on('GET /admin/v2/persistent/acme/orders', { body: [] });
    await admin.deleteNamespaceInCluster('acme/orders', 'east', { force: true });
    expect(sent()).toEqual([`GET ${ns}/replication`, `POST ${ns}/replication ["east"]`, 'GET /admin/v2/persistent/acme/orders', `DELETE ${ns}?force=true`]);
  });

  describe('ensure', () => {
    // A tiny in-memory namespace: what the fake admin server holds, so ensure can be run twice.
    function fakeNamespace(initial: Record<string, unknown> = {}) {
      const state: Record<string, unknown> = { ...initial };
      let created = false;
      broker.on(`PUT ${ns}`, () => (created ? exists : ((created = true), {})));
      for (const policy of ['replication', 'retention', 'messageTTL', 'deduplication', 'dispatchRate', 'subscriptionDispatchRate', 'publishRate']) {
        broker.on(`GET ${ns}/${policy}`, () => ({ body: state[policy] }));
        broker.on(`POST ${ns}/${policy}`, (r) => ((state[policy] = r.json), {}));
      }
      broker.on(`GET ${ns}/backlogQuotaMap`, () => ({ body: state.quotas ?? {} }));
      broker.on(`POST ${ns}/backlogQuota`, (r) => {
        const quota = r.json as { limitSize?: number };
        const retention = state.retention as { retentionSizeInMB: number } | undefined;
        if (retention && quota.limitSize !== undefined && quota.limitSize >= retention.retentionSizeInMB * 1024 * 1024) {
          return { status: 412, body: { reason: 'Backlog Quota exceeds configured retention quota' } };
        }
        state.quotas = { ...(state.quotas as object), [r.query.get('backlogQuotaType') ?? '']: { ...quota, limit: quota.limitSize } };
        return {};
      });
      broker.on(`GET ${ns}/permissions`, () => ({ body: state.permissions ?? {} }));
      broker.on(`POST ${ns}/permissions/app-role`, (r) => ((state.permissions = { ...(state.permissions as object), 'app-role': r.json }), {}));
      return state;
    }

    const spec = {
      replicationClusters: ['east', 'west'],
      retention: { retentionTimeInMinutes: 1440, retentionSizeInMB: 1024 },
      backlogQuotas: { destination_storage: { limitSize: 512 * 1024 * 1024, policy: 'producer_exception' as const } },
      messageTtlSeconds: 3600,
      deduplication: true,
      dispatchRate: { dispatchThrottlingRateInMsg: 1000, dispatchThrottlingRateInByte: -1 },
      subscriptionDispatchRate: { dispatchThrottlingRateInMsg: 500, dispatchThrottlingRateInByte: -1 },
      publishRate: { publishThrottlingRateInMsg: 2000, publishThrottlingRateInByte: -1 },
      permissions: { 'app-role': ['produce' as const, 'consume' as const] },
    };

    it('creates and sets everything, then a second run changes nothing', async () => {
      fakeNamespace();
      const first = await admin.namespaces.ensure('acme/orders', spec);
      expect(first.created).toBe(true);
      expect(first.changed).toEqual([
        'replicationClusters', 'retention', 'backlogQuota:destination_storage', 'messageTtlSeconds', 'deduplication',
        'dispatchRate', 'subscriptionDispatchRate', 'publishRate', 'permissions:app-role',
      ]);
      const posts = broker.requests.length;
      expect(await admin.namespaces.ensure('acme/orders', spec)).toEqual({ created: false, changed: [] });
      expect(broker.requests.slice(posts).filter((r) => r.method === 'POST')).toHaveLength(0);
    });

    it('ignores fields the broker fills in and sets only what differs', async () => {
      fakeNamespace({ dispatchRate: { dispatchThrottlingRateInMsg: 1000, dispatchThrottlingRateInByte: -1, ratePeriodInSecond: 1, relativeToPublishRate: false }, messageTTL: 60 });
      const result = await admin.namespaces.ensure('acme/orders', { dispatchRate: spec.dispatchRate, messageTtlSeconds: 3600 });
      expect(result).toEqual({ created: true, changed: ['messageTtlSeconds'] });
    });

    it('lowers the backlog quota before the retention it must stay under', async () => {
      const state = fakeNamespace({ retention: { retentionTimeInMinutes: 1440, retentionSizeInMB: 1024 } });
      state.quotas = { destination_storage: { limitSize: 900 * 1024 * 1024, policy: 'producer_exception' } };
      // Retention below the current quota is refused until the quota comes down.
      broker.on(`POST ${ns}/retention`, (r) => {
        const want = r.json as { retentionSizeInMB: number };
        const quota = (state.quotas as { destination_storage: { limitSize: number } }).destination_storage;
        if (quota.limitSize >= want.retentionSizeInMB * 1024 * 1024) return { status: 412, body: { reason: 'Retention Quota must exceed configured backlog quota' } };
        state.retention = want;
        return {};
      });
      const result = await admin.namespaces.ensure('acme/orders', {
        retention: { retentionTimeInMinutes: 1440, retentionSizeInMB: 256 },
        backlogQuotas: { destination_storage: { limitSize: 128 * 1024 * 1024, policy: 'producer_exception' } },
      });
      expect(result.changed).toEqual(['backlogQuota:destination_storage', 'retention']);
      expect(state.retention).toEqual({ retentionTimeInMinutes: 1440, retentionSizeInMB: 256 });
    });
  });
});

describe('topics', () => {
  const base = '/admin/v2/persistent/acme/orders';

  it('maps topic calls to paths and bodies', async () => {
    broker.on(`GET ${base}`, { body: [`persistent://acme/orders/a-partition-0`] })
      .on(`GET ${base}/partitioned`, { body: ['persistent://acme/orders/a'] })
      .on(`PUT ${base}/a/partitions`, {}).on(`POST ${base}/a/partitions`, {}).on(`DELETE ${base}/a/partitions`, {})
      .on(`GET ${base}/a/partitions`, { body: { partitions: 4, deleted: false } })
      .on(`PUT ${base}/b`, {}).on(`DELETE ${base}/b`, {})
      .on(`GET ${base}/b/stats`, { body: { msgInCounter: 3 } })
      .on(`PUT ${base}/b/compaction`, {}).on(`GET ${base}/b/compaction`, { body: { status: 'SUCCESS' } })
      .on(`GET ${base}/a/partitioned-stats`, { body: { metadata: { partitions: 4 } } })
      .on(`GET ${base}/a/subscriptions`, { body: ['s'] })
      .on(`PUT ${base}/a/subscription/s`, {}).on(`DELETE ${base}/a/subscription/s`, {})
      .on(`GET ${base}/a/subscription/s/replicatedSubscriptionStatus`, { body: { 'persistent://acme/orders/a-partition-0': true } })
      .on(`POST ${base}/a/subscription/s/replicatedSubscriptionStatus`, {});
    expect(await admin.topics.list('acme/orders')).toEqual(['persistent://acme/orders/a-partition-0']);
    expect(await admin.topics.listPartitioned('acme/orders')).toEqual(['persistent://acme/orders/a']);
    await admin.topics.createPartitioned('persistent://acme/orders/a', 4);
    await admin.topics.updatePartitions('acme/orders/a', 6);
    await admin.topics.createPartitioned('acme/orders/a', 4, { localOnly: true });
    await admin.topics.updatePartitions('acme/orders/a', 6, { localOnly: true });
    expect(await admin.topics.getPartitionedMetadata('acme/orders/a')).toEqual({ partitions: 4, deleted: false });
    await admin.topics.create('acme/orders/b', { owner: 'x' });
    expect((await admin.topics.stats('acme/orders/b')).msgInCounter).toBe(3);
    await admin.topics.compact('acme/orders/b');
    expect(await admin.topics.compactionStatus('acme/orders/b')).toEqual({ status: 'SUCCESS' });
    expect((await admin.topics.partitionedStats('acme/orders/a', { perPartition: true })).metadata.partitions).toBe(4);
    expect(await admin.topics.subscriptions('acme/orders/a')).toEqual(['s']);
    await admin.topics.createSubscription('acme/orders/a', 's', { replicated: true, position: 'earliest' });
    await admin.topics.createSubscription('acme/orders/a', 's');
    expect(await admin.topics.getReplicatedSubscriptionStatus('acme/orders/a', 's')).toEqual({ 'persistent://acme/orders/a-partition-0': true });
    await admin.topics.setReplicatedSubscriptionStatus('acme/orders/a', 's', true);
    await admin.topics.deleteSubscription('acme/orders/a', 's', { force: true });
    await admin.topics.delete('acme/orders/b');
    await admin.topics.deletePartitioned('acme/orders/a', { force: true });
    expect(sent().slice(2)).toEqual([
      `PUT ${base}/a/partitions 4`,
      `POST ${base}/a/partitions 6`,
      `PUT ${base}/a/partitions?createLocalTopicOnly=true 4`,
      `POST ${base}/a/partitions?updateLocalTopicOnly=true 6`,
      `GET ${base}/a/partitions?checkAllowAutoCreation=false`,
      `PUT ${base}/b {"owner":"x"}`,
      `GET ${base}/b/stats`,
      `PUT ${base}/b/compaction`,
      `GET ${base}/b/compaction`,
      `GET ${base}/a/partitioned-stats?perPartition=true`,
      `GET ${base}/a/subscriptions`,
      `PUT ${base}/a/subscription/s?replicated=true {"ledgerId":-1,"entryId":-1}`,
      `POST ${base}/a/subscription/s/replicatedSubscriptionStatus true`,
      `PUT ${base}/a/subscription/s`,
      `GET ${base}/a/subscription/s/replicatedSubscriptionStatus`,
      `POST ${base}/a/subscription/s/replicatedSubscriptionStatus true`,
      `DELETE ${base}/a/subscription/s?force=true`,
      `DELETE ${base}/b`,
      `DELETE ${base}/a/partitions?force=true`,
    ]);
  });

  it('encodes topic names and refuses malformed ones', async () => {
    broker.on('PUT /admin/v2/non-persistent/acme/orders/a%20b', {});
    await admin.topics.create('non-persistent://acme/orders/a b');
    await expect(admin.topics.create('kafka://acme/orders/x')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.topics.create('acme/orders')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(admin.topics.createPartitioned('acme/orders/x', 0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(broker.requests).toHaveLength(1);
  });

  describe('topics.ensurePartitioned', () => {
    const meta = `${base}/a/partitions`;
    it('creates', async () => {
      broker.on(`PUT ${meta}`, {});
      expect(await admin.topics.ensurePartitioned('acme/orders/a', 4)).toEqual({ created: true, changed: [] });
    });
    it('leaves an equal topic alone and grows a smaller one', async () => {
      let partitions = 4;
      broker.on(`PUT ${meta}`, exists).on(`GET ${meta}`, () => ({ body: { partitions } }))
        .on(`POST ${meta}`, (r) => ((partitions = r.json as number), {}));
      expect(await admin.topics.ensurePartitioned('acme/orders/a', 4)).toEqual({ created: false, changed: [] });
      expect(await admin.topics.ensurePartitioned('acme/orders/a', 8)).toEqual({ created: false, changed: ['partitions'] });
      expect(partitions).toBe(8);
    });
    it('refuses to shrink and to replace a non-partitioned topic', async () => {
      broker.on(`PUT ${meta}`, exists).on(`GET ${meta}`, { body: { partitions: 8 } });
      await expect(admin.topics.ensurePartitioned('acme/orders/a', 4)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
      broker.on(`GET ${meta}`, { body: { partitions: 0 } });
      await expect(admin.topics.ensurePartitioned('acme/orders/a', 4)).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });
});

describe('brokers and transactions', () => {
  it('checks health and readiness', async () => {
    broker.on('GET /admin/v2/brokers/health', { body: 'ok' }).on('GET /admin/v2/brokers/ready', { body: 'ok' })
      .on('GET /admin/v2/brokers/version', { body: '4.0.8' });
    await admin.brokers.health({ topicVersion: 'V2' });
    await admin.brokers.ready();
    expect(await admin.brokers.version()).toBe('4.0.8');
    expect(broker.requests[0]?.url).toBe('/admin/v2/brokers/health?topicVersion=V2');
  });

  it('fails health on an unexpected body or status', async () => {
    broker.on('GET /admin/v2/brokers/health', { body: 'not ok' });
    await expect(admin.brokers.health()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    broker.on('GET /admin/v2/brokers/ready', { status: 500, body: { reason: 'Broker is not in Started state' } });
    await expect(admin.brokers.ready()).rejects.toMatchObject({ code: 'SERVER_ERROR', reason: 'Broker is not in Started state' });
  });

  it('reads coordinators and their stats', async () => {
    const ready = { state: 'Ready', leastSigBits: 0, lowWaterMark: 0, ongoingTxnSize: 0 };
    broker.on('GET /admin/v3/transactions/coordinators', { body: [{ id: 0, brokerServiceUrl: 'pulsar://e' }] })
      .on('GET /admin/v3/transactions/coordinatorStats', (r) => ({ body: r.query.has('coordinatorId') ? ready : { 0: ready, 1: ready } }));
    expect(await admin.transactions.coordinators()).toEqual([{ id: 0, brokerServiceUrl: 'pulsar://e' }]);
    expect(Object.keys(await admin.transactions.coordinatorStats())).toEqual(['0', '1']);
    expect(await admin.transactions.coordinatorStatsById(1)).toEqual(ready);
    expect(broker.requests.at(-1)?.url).toBe('/admin/v3/transactions/coordinatorStats?coordinatorId=1');
    expect(await admin.transactions.coordinatorsReady()).toBe(true);
    broker.on('GET /admin/v3/transactions/coordinatorStats', { body: { 0: { ...ready, state: 'Initializing' } } });
    expect(await admin.transactions.coordinatorsReady()).toBe(false);
  });
});
