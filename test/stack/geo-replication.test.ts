// Geo-replication on the real stack, driven by Pulsar's own Java perf tool: 1,000 messages
// produced in one region must all arrive in the other, each once, both ways. Messages are told
// apart by their sequence id, which the perf tool's Java client numbers 0, 1, 2 … and the
// replicator carries over with the rest of the message's metadata (the perf tool's own keys are
// not unique per message).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { runPerf } from '../../infra/pulsar/perf.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { compareDelivery, idsUpTo, receiveAllAndMore, uniqueName, waitFor } from '../helpers/index.ts';

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

const clients: PulsarClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
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
    // keeps what arrives.
    await source.topics.create(topic);
    await waitFor(async () => (await source.topics.stats(topic)).replication[to]?.connected === true, {
      what: `replicator ${from} -> ${to} connected`,
    });
    await waitFor(async () => (await target.topics.list(namespace)).includes(topic), { what: `${topic} created in ${to}` });
    await target.topics.createSubscription(topic, 'check', { position: 'earliest' });

    // Batching off, so each message is its own entry with its own sequence id. The perf tool may
    // send more than -m before it stops, so the source's own count is the expected total.
    const run = await runPerf(from, ['produce', '-db', '-r', '2000', '-m', String(MESSAGES), '-s', '256', topic], { timeoutMs: 120_000 });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    const produced = (await source.topics.stats(topic)).msgInCounter;
    expect(produced).toBeGreaterThanOrEqual(MESSAGES);

    // What arrived in the target, read past `produced`, where a duplicate would show up.
    const client = new PulsarClient({ serviceUrl: regionByName(info, to).brokerUrl, token, operationTimeoutMs: 30_000 });
    clients.push(client);
    const consumer = await client.subscribe({ topic, subscription: 'check', initialPosition: 'Earliest' });
    const messages = await receiveAllAndMore(consumer, produced, { timeoutMs: 60_000 });
    await consumer.close();
    // Exactly: nothing lost, nothing duplicated by replication, nothing from anyone else.
    expect(new Set(messages.map((m) => m.producerName)).size).toBe(1);
    const delivery = compareDelivery(idsUpTo(produced), messages.map((m) => String(m.sequenceId)));
    expect(delivery).toEqual({ expected: produced, received: produced, missing: [], unexpected: [], duplicates: [] });
    const replication = (await source.topics.stats(topic)).replication[to]!;
    expect(replication.replicationBacklog).toBe(0);
  });
});
