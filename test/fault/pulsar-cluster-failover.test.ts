// Cluster failover with real processes: a client whose service URL comes from ClusterFailover
// (primary east, secondary west) on a namespace replicated to both regions. East's broker is
// killed with SIGKILL; the provider sees it down for `failoverDelayMs` and moves the client to
// west, where the same producer and consumer go on. East is then restarted by `up`, and the
// client switches back after `switchBackDelayMs`.
//
// The guarantee checked, by value: nothing is lost and nothing is written twice; every value
// arrives once in the phase that produced it. Subscriptions are not replicated, so a consumer that
// changes cluster reads, besides, what was replicated into that cluster before it got there: after
// the switch to west, west's copies of the east values; after the switch back, east's copies of
// what was produced in west. Those redeliveries are the only duplicates allowed, each at most once
// per phase, and never of a value produced in the cluster the consumer is on — with one exception
// that the broker's own guarantee makes: east's subscription position after its SIGKILL is the
// last one its cursor persisted (mark-delete positions are written at most once a second by
// default), so values acked on east just before the kill may come back once after the switch
// back. Those may only be values of the first east phase.
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterFailover, PulsarClient, type Consumer } from '../../platform/pulsar/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { status, up } from '../../infra/stack/stack.ts';
import { compareDelivery, uniqueName, waitFor } from '../helpers/index.ts';

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

/** A consumer's phase: the cluster it reads from, and the values produced there during it. */
interface Phase {
  region: 'east' | 'west';
  produced: string[];
  received: string[];
}

/**
 * Receive until every value produced in `phase` has arrived, or nothing more comes for 30 s (then
 * the comparison names what is missing). Other values (replicated copies) are recorded too.
 */
async function receivePhase(consumer: Consumer, phase: Phase): Promise<void> {
  const missing = new Set(phase.produced);
  while (missing.size > 0) {
    const m = await consumer.receive(30_000).catch(() => null);
    if (!m) return;
    phase.received.push(m.value.toString());
    missing.delete(m.value.toString());
    consumer.ack(m);
  }
}

/** Everything the phases say about delivery, with the lists that must be empty. */
function checkPhases(phases: Phase[]) {
  const origin = new Map(phases.flatMap((p) => p.produced.map((v) => [v, p.region] as const)));
  const all = compareDelivery(origin.keys(), phases.flatMap((p) => p.received));
  const perPhase = phases.map((p) => {
    const own = new Set(p.produced);
    const copies = p.received.filter((v) => !own.has(v));
    return {
      region: p.region,
      // Its own values, each exactly once.
      own: compareDelivery(p.produced, p.received.filter((v) => own.has(v))),
      // Replicated copies: of values produced in the other cluster only, each at most once.
      copiesFromOwnCluster: copies.filter((v) => origin.get(v) === p.region),
      copiesTwice: compareDelivery(copies, copies).duplicates,
      copies: copies.length,
    };
  });
  return { missing: all.missing, unexpected: all.unexpected, perPhase };
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
    const onEast: Phase = { region: 'east', produced: values('east'), received: [] };
    // Sent while east is dead: they wait in the pending queue and go to west after the switch.
    const onWest: Phase = { region: 'west', produced: [...values('during'), ...values('west')], received: [] };
    const backOnEast: Phase = { region: 'east', produced: values('back'), received: [] };

    await Promise.all(onEast.produced.map((value) => producer.send({ value })));
    await receivePhase(consumer, onEast);
    expect(client.serviceUrl).toBe(east.brokerUrl);

    const pid = (await status()).regions.find((r) => r.name === 'east')!.pids.pulsar!;
    process.kill(pid, 'SIGKILL');
    const during = values('during').map((value) => producer.send({ value }));
    await waitFor(async () => client.serviceUrl === west.brokerUrl, { what: 'switch to west', timeoutMs: 30_000 });
    expect(switches).toEqual([west.brokerUrl]);
    await Promise.all(during);
    await Promise.all(values('west').map((value) => producer.send({ value })));
    await receivePhase(consumer, onWest);

    const { started } = await up({ regions: ['east'], log: () => {} });
    expect(started).toContain('east:pulsar');
    await waitFor(async () => client.serviceUrl === east.brokerUrl, { what: 'switch back to east', timeoutMs: 60_000 });
    expect(switches).toEqual([west.brokerUrl, east.brokerUrl]);
    await Promise.all(backOnEast.produced.map((value) => producer.send({ value })));
    await receivePhase(consumer, backOnEast);

    const phases = [onEast, onWest, backOnEast];
    const check = checkPhases(phases);
    const clean = { expected: 20, received: 20, missing: [], unexpected: [], duplicates: [] };
    expect(check).toEqual({
      missing: [],
      unexpected: [],
      perPhase: [
        { region: 'east', own: clean, copiesFromOwnCluster: [], copiesTwice: [], copies: expect.any(Number) },
        { region: 'west', own: { ...clean, expected: 40, received: 40 }, copiesFromOwnCluster: [], copiesTwice: [], copies: expect.any(Number) },
        { region: 'east', own: clean, copiesFromOwnCluster: expect.any(Array), copiesTwice: [], copies: expect.any(Number) },
      ],
    });
    // Acks east had not persisted when it was killed: only first-phase values can come back.
    const firstPhase = new Set(onEast.produced);
    expect(check.perPhase[2]!.copiesFromOwnCluster.filter((v) => !firstPhase.has(v))).toEqual([]);
    // Nothing existed anywhere before the first phase: it cannot have read a copy.
    expect(check.perPhase[0]!.copies).toBe(0);
    await producer.close();
    await consumer.close();
  });
});
