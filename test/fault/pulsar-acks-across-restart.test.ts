// Acks made while the broker is down: east's broker is killed (SIGKILL) after the consumer has
// received every message and before it acks them. Plain acks made during the outage are kept
// and sent on the new connection, so after the restart nothing comes back, neither to the same
// consumer nor to a new one; a transactional ack made during the outage fails at once with a
// clear error instead of vanishing.
import { afterAll, describe, expect, it } from 'vitest';
import { PulsarClient, type Message } from '../../platform/pulsar/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { status, up } from '../../infra/stack/stack.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';

const info = loadStackInfo();
const east = regionByName(info, 'east');
const client = new PulsarClient({
  serviceUrl: east.brokerUrl,
  token: readSuperuserToken(info),
  operationTimeoutMs: 15_000,
  backoff: { initialMs: 100, maxMs: 2_000 },
});
const topic = `persistent://public/default/${uniqueName('acks-restart')}`;

afterAll(async () => {
  await client.close();
  await up({ log: () => {} });
});

describe.runIf(info.mode === 'local')('acks made while the broker restarts', () => {
  // A restart under load takes minutes: more than the default test timeout.
  it('sends plain acks on the new connection and fails a transactional ack clearly', { timeout: 600_000 }, async () => {
    const options = { topic, subscription: 'sub', initialPosition: 'Earliest' as const };
    const consumer = await client.subscribe(options);
    // One entry per message: without batch-index acks a batch entry is acked only once whole.
    const producer = await client.createProducer({ topic, batching: false });
    const sent = Array.from({ length: 50 }, (_, i) => `m-${i}`);
    await Promise.all(sent.map((value) => producer.send({ value })));
    await producer.close();
    const received: Message[] = [];
    while (received.length < sent.length) received.push(await consumer.receive(20_000));
    expect(received.map((m) => m.value.toString())).toEqual(sent);

    let closed = 0;
    client.instrumentation.on('connection.close', () => { closed++; });
    const pid = (await status()).regions.find((r) => r.name === 'east')!.pids.pulsar!;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await status()).regions.find((r) => r.name === 'east')!.pids.pulsar === undefined,
      { what: 'east Pulsar process gone' });
    await waitFor(async () => closed > 0, { what: 'the client to see its connection close' });

    // Broker down: every plain ack is made now, and flushed (ack grouping) while disconnected.
    const acksSent: number[] = [];
    client.instrumentation.on('consumer.ack', (e) => { acksSent.push(e.messages); });
    for (const m of received.slice(0, 49)) consumer.ack(m);
    // A transactional ack now has no connection to go on: it must fail, not disappear. No
    // transaction can be opened while east (its coordinator) is down, so a handle that reports
    // itself open and registered stands in for one.
    const offline = {
      mostBits: 0n, leastBits: 0n, assertOpen() {}, track() {}, afterAbort() {},
      registerProducedPartition: () => Promise.resolve(), registerAckedSubscription: () => Promise.resolve(),
    };
    await expect(consumer.ackWithTxn(received[49]!, offline)).rejects.toMatchObject({ code: 'ConnectionClosed' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // past the 100 ms grouping: flushed into nothing today
    expect(acksSent).toEqual([]);

    const { started } = await up({ regions: ['east'], log: () => {} });
    expect(started).toContain('east:pulsar');
    // The pending acks go out on the new connection, before FLOW: the broker redelivers only m-49.
    await waitFor(async () => acksSent.length > 0, { timeoutMs: 120_000, what: 'acks sent after the reconnect' });
    const redelivered = await consumer.receive(60_000);
    expect(redelivered.value.toString()).toBe('m-49');
    await expect(consumer.receive(3_000)).rejects.toMatchObject({ code: 'Timeout' });
    consumer.ack(redelivered);
    await consumer.close();

    // And the subscription agrees: a new consumer gets nothing.
    const again = await client.subscribe(options);
    await expect(again.receive(3_000)).rejects.toMatchObject({ code: 'Timeout' });
    await again.close();
  });
});
