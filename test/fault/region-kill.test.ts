// A region's broker killed with SIGKILL: `status` must see it, `up` must bring it back on its
// existing data, and the topics and messages written before the kill must still be there: every
// message Pulsar's perf tool wrote, once, by its sequence id (the Java client numbers a producer's
// messages 0, 1, 2 …; the perf tool's own keys and counters are not unique per message).
import { afterAll, describe, expect, it } from 'vitest';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { runPerf } from '../../infra/pulsar/perf.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { status, up } from '../../infra/stack/stack.ts';
import { compareDelivery, idsUpTo, receiveAllAndMore, uniqueName, waitFor } from '../helpers/index.ts';

const info = loadStackInfo();
const token = readSuperuserToken(info);
const east = regionByName(info, 'east');
const admin = new PulsarAdmin({ webUrl: east.webUrl, token });
const client = new PulsarClient({ serviceUrl: east.brokerUrl, token, operationTimeoutMs: 30_000 });
const tenant = uniqueName('kill');
const topic = `persistent://${tenant}/durable/${uniqueName('before-kill')}`;

afterAll(async () => {
  await client.close();
  // Whatever happened, leave the stack whole for whoever runs next.
  await up({ log: () => {} });
  await admin.tenants.delete(tenant, { force: true }).catch(() => {});
});

describe.runIf(info.mode === 'local')('east broker killed with kill -9', () => {
  it('is reported unhealthy, restarted by `up`, and keeps its topics and messages', async () => {
    await admin.tenants.ensure(tenant, { adminRoles: [], allowedClusters: ['east'] });
    await admin.namespaces.ensure(`${tenant}/durable`, {});
    await admin.topics.create(topic);
    await admin.topics.createSubscription(topic, 'keeper', { position: 'earliest' });
    const produce = await runPerf('east', ['produce', '-db', '-r', '2000', '-m', '500', '-s', '128', topic], { timeoutMs: 120_000 });
    expect(produce.code, produce.output.slice(-1500)).toBe(0);
    const written = (await admin.topics.stats(topic, { getPreciseBacklog: true })).subscriptions.keeper!.msgBacklog;
    expect(written).toBeGreaterThanOrEqual(500);

    const before = await status();
    const pid = before.regions.find((r) => r.name === 'east')!.pids.pulsar!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');

    const after = await waitFor(async () => {
      const s = await status();
      const region = s.regions.find((r) => r.name === 'east')!;
      return !region.healthy && region.pids.pulsar === undefined ? s : undefined;
    }, { what: 'east reported unhealthy with no Pulsar process' });
    expect(after.regions.find((r) => r.name === 'west')!.healthy).toBe(true);

    const { started, info: restarted } = await up({ regions: ['east'], log: () => {} });
    expect(started).toContain('east:pulsar');
    expect(restarted.regions.find((r) => r.name === 'east')!.healthy).toBe(true);

    expect(await admin.topics.list(`${tenant}/durable`)).toContain(topic);
    // Once seen in CI: for some seconds after `up` reported east healthy, loading the topic failed
    // with "Not enough non-faulty bookies available". waitFor retries a failed read (up to 60 s)
    // and reports the last error if it never succeeds.
    const stats = await waitFor(() => admin.topics.stats(topic, { getPreciseBacklog: true }), { what: `${topic} loadable after the restart`, timeoutMs: 60_000 });
    const backlog = stats.subscriptions.keeper!.msgBacklog;
    expect(backlog).toBe(written);
    // The entries themselves, each once: read past `written`, where a duplicate would show up.
    const consumer = await client.subscribe({ topic, subscription: 'keeper', initialPosition: 'Earliest' });
    const messages = await receiveAllAndMore(consumer, written);
    await consumer.close();
    expect(new Set(messages.map((m) => m.producerName)).size).toBe(1);
    const delivery = compareDelivery(idsUpTo(written), messages.map((m) => String(m.sequenceId)));
    expect(delivery).toEqual({ expected: written, received: written, missing: [], unexpected: [], duplicates: [] });
  });
});
