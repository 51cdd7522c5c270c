// Geo-replication on the real stack, driven by Pulsar's own Java perf tool: 1,000 messages
// produced in one region must all arrive in the other, both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { runPerf } from '../../infra/pulsar/perf.ts';
import { loadStackInfo, readSuperuserToken } from '../../platform/regions/index.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';

const info = loadStackInfo();
const token = readSuperuserToken(info);
const admins = Object.fromEntries(info.regions.map((r) => [r.name, new PulsarAdmin({ webUrl: r.webUrl, token })]));
const tenant = uniqueName('geo');
const namespace = `${tenant}/replicated`;
const MESSAGES = 1_000;

beforeAll(async () => {
  for (const admin of Object.values(admins)) {
    await admin.tenants.ensure(tenant, { adminRoles: [], allowedClusters: ['east', 'west'] });
    await admin.namespaces.ensure(namespace, { replicationClusters: ['east', 'west'] });
  }
});

afterAll(async () => {
  // A namespace replicated to both regions can't be deleted (412): narrow replication to the
  // local cluster in every region first, or the peer's replicator recreates deleted topics.
  for (const [name, admin] of Object.entries(admins)) {
    for (const ns of await admin.namespaces.list(tenant)) await admin.namespaces.setReplicationClusters(ns, [name]);
  }
  for (const [name, admin] of Object.entries(admins)) await admin.deleteTenantInCluster(tenant, name);
});

describe.each([
  ['east', 'west'],
  ['west', 'east'],
])('geo-replication %s -> %s', (from, to) => {
  it(`delivers all ${MESSAGES} messages produced in ${from} (Java perf tool) to ${to}`, async () => {
    const topic = `persistent://${namespace}/${uniqueName(`${from}-to-${to}`)}`;
    const source = admins[from]!;
    const target = admins[to]!;
    // The replication cursor starts at latest, so the source topic and its replicator must exist
    // before producing; the replicator creates the topic in the target, where a subscription
    // counts what arrives.
    await source.topics.create(topic);
    await waitFor(async () => (await source.topics.stats(topic)).replication[to]?.connected === true, {
      what: `replicator ${from} -> ${to} connected`,
    });
    await waitFor(async () => (await target.topics.list(namespace)).includes(topic), { what: `${topic} created in ${to}` });
    await target.topics.createSubscription(topic, 'count', { position: 'earliest' });

    // Batching off, so the target's backlog counts messages one to one. The perf tool may send a
    // few more than -m before it stops, so the source's own count is the expected total.
    const run = await runPerf(from, ['produce', '-db', '-r', '2000', '-m', String(MESSAGES), '-s', '256', topic], { timeoutMs: 120_000 });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    const produced = (await source.topics.stats(topic)).msgInCounter;
    expect(produced).toBeGreaterThanOrEqual(MESSAGES);

    await waitFor(
      async () => (await target.topics.stats(topic, { getPreciseBacklog: true })).subscriptions.count!.msgBacklog >= produced,
      { timeoutMs: 60_000, what: `${produced} messages in ${to}` },
    );
    // Exactly: nothing lost, nothing duplicated by replication.
    expect((await target.topics.stats(topic, { getPreciseBacklog: true })).subscriptions.count!.msgBacklog).toBe(produced);
    const replication = (await source.topics.stats(topic)).replication[to]!;
    expect(replication.replicationBacklog).toBe(0);
  });
});
