// Cluster failover with real processes: a client whose service URL comes from ClusterFailover
// (primary east, secondary west) on a namespace replicated to both regions. East's broker is
// killed with SIGKILL; the provider sees it down for `failoverDelayMs` and moves the client to
// west, where the same producer and consumer go on. East is then restarted by `up`, and the
// client switches back after `switchBackDelayMs`.
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterFailover, PulsarClient, type Consumer } from '../../platform/pulsar/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { status, up } from '../../infra/stack/stack.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';

const info = loadStackInfo();
const token = readSuperuserToken(info);
const east = regionByName(info, 'east');
const west = regionByName(info, 'west');
const clusters = ['east', 'west'];
const admins = [east, west].map((region) => ({ region, admin: new PulsarAdmin({ webUrl: region.webUrl, token, timeoutMs: 30_000 }) }));
const tenant = uniqueName('failover');
const topic = `persistent://${tenant}/ns/${uniqueName('events')}`;
const failover = new ClusterFailover({
  primary: east.brokerUrl, secondaries: [west.brokerUrl],
  probeIntervalMs: 500, probeTimeoutMs: 500, failoverDelayMs: 2_000, switchBackDelayMs: 5_000,
});
const client = new PulsarClient({ serviceUrl: failover, token, operationTimeoutMs: 15_000, backoff: { initialMs: 100, maxMs: 2_000 } });

afterAll(async () => {
  await client.close();
  await up({ log: () => {} });
  // A namespace replicated to both regions is narrowed to the local cluster, then removed, in each.
  for (const { region, admin } of admins) await admin.deleteTenantInCluster(tenant, region.name).catch(() => {});
});

/** Receive until every value in `wanted` has arrived (other values, e.g. replicated ones, are allowed). */
async function receiveAll(consumer: Consumer, wanted: string[]): Promise<void> {
  const missing = new Set(wanted);
  while (missing.size > 0) {
    const m = await consumer.receive(60_000);
    missing.delete(m.value.toString());
    consumer.ack(m);
  }
}

describe.runIf(info.mode === 'local')('cluster failover with east killed', () => {
  it('moves a producer and a consumer to west while east is down, and back once east is restored', async () => {
    for (const { admin } of admins) {
      await admin.tenants.ensure(tenant, { adminRoles: [], allowedClusters: clusters });
      await admin.namespaces.ensure(`${tenant}/ns`, { replicationClusters: clusters });
    }
    const switches: string[] = [];
    client.instrumentation.on('failover.switch', (e) => { switches.push(e.to); });
    const producer = await client.createProducer({ topic, batching: false, sendTimeoutMs: 0 });
    const consumer = await client.subscribe({ topic, subscription: 'follower', initialPosition: 'Earliest' });
    const values = (prefix: string) => Array.from({ length: 20 }, (_, i) => `${prefix}-${i}`);

    await Promise.all(values('east').map((value) => producer.send({ value })));
    await receiveAll(consumer, values('east'));
    expect(client.serviceUrl).toBe(east.brokerUrl);

    const pid = (await status()).regions.find((r) => r.name === 'east')!.pids.pulsar!;
    process.kill(pid, 'SIGKILL');
    // Sent while east is dead: they wait in the pending queue and go to west after the switch.
    const during = values('during').map((value) => producer.send({ value }));
    await waitFor(async () => client.serviceUrl === west.brokerUrl, { what: 'switch to west', timeoutMs: 30_000 });
    expect(switches).toEqual([west.brokerUrl]);
    await Promise.all(during);
    await Promise.all(values('west').map((value) => producer.send({ value })));
    await receiveAll(consumer, [...values('during'), ...values('west')]);

    const { started } = await up({ regions: ['east'], log: () => {} });
    expect(started).toContain('east:pulsar');
    await waitFor(async () => client.serviceUrl === east.brokerUrl, { what: 'switch back to east', timeoutMs: 60_000 });
    expect(switches).toEqual([west.brokerUrl, east.brokerUrl]);
    await Promise.all(values('back').map((value) => producer.send({ value })));
    await receiveAll(consumer, values('back'));
    await producer.close();
    await consumer.close();
  });
});
