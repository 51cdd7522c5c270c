// East's broker killed with SIGKILL while our producer sends continuously, then restarted on
// its data by `up`: the producer keeps its pending queue, reconnects with backoff and resends in
// order; broker deduplication (on in the stack) drops what the broker had already persisted, so
// a reader sees exactly the sequence sent, once (platform/pulsar/PROTOCOL.md §6.3).
import { afterAll, describe, expect, it } from 'vitest';
import { PulsarClient, type MessageId } from '../../platform/pulsar/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { status, up } from '../../infra/stack/stack.ts';
import { uniqueName, waitFor } from '../helpers/index.ts';

const info = loadStackInfo();
const east = regionByName(info, 'east');
const client = new PulsarClient({
  serviceUrl: east.brokerUrl,
  token: readSuperuserToken(info),
  operationTimeoutMs: 15_000,
  // A restart takes tens of seconds: cap the backoff so we are back soon after the broker is.
  backoff: { initialMs: 100, maxMs: 2_000 },
});
const topic = `persistent://public/default/${uniqueName('broker-kill')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  await client.close();
  await up({ log: () => {} });
});

describe.runIf(info.mode === 'local')('east broker killed with kill -9 mid-stream', () => {
  it('loses nothing and duplicates nothing: the producer resends its pending queue in order after the restart', async () => {
    // A durable subscription first: without one (or retention) the broker trims the ledger
    // written before the kill as soon as it rolls over to a new one on restart.
    await (await client.subscribe({ topic, subscription: 'check', initialPosition: 'Earliest' })).close();
    const producer = await client.createProducer({
      topic,
      // No client-side send timeout: messages wait out the restart in the pending queue.
      sendTimeoutMs: 0,
      maxPendingMessages: 2_000,
      batching: { maxMessages: 50, maxDelayMs: 5 },
    });
    const receipts: Promise<MessageId>[] = [];
    let stop = false;
    let acknowledged = 0;
    const producing = (async () => {
      for (let i = 0; !stop; i++) {
        receipts.push(producer.send({ value: `m-${i}` }).then((id) => { acknowledged++; return id; }));
        // ~2,000 msgs/s, continuously; while the broker is down, wait instead of queueing more.
        if (i % 20 === 19) await sleep(10);
        while (!stop && receipts.length - acknowledged >= 2_000) await sleep(50);
      }
    })();
    const reconnects: number[] = [];
    client.instrumentation.on('connection.reconnect', (e) => { reconnects.push(e.delayMs); });

    await sleep(3_000);
    const pid = (await status()).regions.find((r) => r.name === 'east')!.pids.pulsar!;
    expect(pid).toBeGreaterThan(0);
    const sentBeforeKill = receipts.length;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (await status()).regions.find((r) => r.name === 'east')!.pids.pulsar === undefined,
      { what: 'east Pulsar process gone' });

    const { started } = await up({ regions: ['east'], log: () => {} });
    expect(started).toContain('east:pulsar');
    await sleep(3_000); // keep producing on the restarted broker
    stop = true;
    await producing;
    const sent = receipts.length;
    const ids = await Promise.all(receipts); // every send is acknowledged, none failed
    expect(ids).toHaveLength(sent);
    expect(sent).toBeGreaterThan(sentBeforeKill);
    expect(reconnects.length).toBeGreaterThan(0);
    await producer.close();

    const reader = await client.subscribe({ topic, subscription: 'check', initialPosition: 'Earliest' });
    const values: string[] = [];
    for (;;) {
      // Read past `sent`: a duplicate would show up as an extra message.
      const m = await reader.receive(values.length < sent ? 30_000 : 3_000).catch(() => null);
      if (!m) break;
      values.push(m.value.toString());
    }
    const expected = Array.from({ length: sent }, (_, i) => `m-${i}`);
    const seen = new Set(values);
    const summary = {
      sent, received: values.length, distinct: seen.size,
      missing: expected.filter((v) => !seen.has(v)).slice(0, 10),
      firstOutOfPlace: values.findIndex((v, i) => v !== expected[i]),
    };
    expect(summary).toMatchObject({ received: sent, distinct: sent, missing: [], firstOutOfPlace: -1 });
    expect(values).toEqual(expected);
    await reader.close();
  });
});
