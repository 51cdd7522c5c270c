// Fault tolerance against a fake broker on 127.0.0.1 (a real node:net server speaking our wire
// layer): reconnect with backoff and jitter, the pending queue resent in order, send timeout,
// keep-alive, AUTH_CHALLENGE, and the transaction rule that an END_TXN whose reply is lost is
// never resent. The real-broker versions with killed processes live in test/fault/.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient, TransactionState } from '../index.ts';
import { CommandType, type BaseCommand } from '../protocol/index.ts';
import { idOf, receiptFor, scriptedBroker, type ScriptedBroker } from '../testing/scripted-broker.ts';
import { Backoff } from './backoff.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

function track<T extends { close(): Promise<void> }>(thing: T): T {
  cleanup.push(() => thing.close());
  return thing;
}

const sends = (broker: ScriptedBroker, conn?: number) =>
  broker.received.filter((r) => r.cmd.type === CommandType.SEND && (conn === undefined || r.conn === conn)).map((r) => idOf(r.cmd.send!.sequenceId));

describe('Backoff', () => {
  it('doubles from the initial delay up to the maximum, within ±jitter', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0.2, random: () => 0 });
    const high = new Backoff({ initialMs: 100, maxMs: 1_000, jitter: 0.2, random: () => 0.999999 });
    expect(Array.from({ length: 6 }, () => low.next())).toEqual([80, 160, 320, 640, 800, 800]);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([120, 240, 480, 960, 1_000, 1_000]);
    low.reset();
    expect(low.next()).toBe(80);
  });
});

describe('first attach', () => {
  const persistenceError = (requestId: unknown): BaseCommand => ({
    type: CommandType.ERROR,
    error: { requestId: requestId as number, error: 2, message: 'ManagedLedgerException: Not enough non-faulty bookies available' },
  });

  it('retries a producer whose PRODUCER gets a retriable PersistenceError, as after a broker restart', async () => {
    let refusals = 2;
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.PRODUCER && refusals > 0) { refusals--; reply(persistenceError(cmd.producer!.requestId)); }
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, backoff: { initialMs: 10, maxMs: 50 } }));
    const producer = await client.createProducer({ topic: 'persistent://t/n/first-attach', batching: false });
    expect(producer).toBeDefined();
    const attempts = broker.received.filter((r) => r.cmd.type === CommandType.PRODUCER).map((r) => idOf(r.cmd.producer!.epoch ?? 0));
    // Three attempts, each a new epoch for the broker.
    expect(attempts).toEqual([0, 1, 2]);
  });

  it('gives up at the operation timeout with the broker\'s last error', async () => {
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.PRODUCER) reply(persistenceError(cmd.producer!.requestId));
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 300, backoff: { initialMs: 20, maxMs: 50 } }));
    await expect(client.createProducer({ topic: 'persistent://t/n/first-attach-fails', batching: false }))
      .rejects.toMatchObject({ code: 'PersistenceError', message: expect.stringContaining('non-faulty bookies') });
    expect(broker.received.filter((r) => r.cmd.type === CommandType.PRODUCER).length).toBeGreaterThan(1);
  });

  it('retries the partition metadata request too when the broker is not ready yet', async () => {
    let refusals = 2;
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.PARTITIONED_METADATA && refusals > 0) {
        refusals--;
        reply({ type: CommandType.PARTITIONED_METADATA_RESPONSE, partitionMetadataResponse: { requestId: cmd.partitionMetadata!.requestId, response: 1, error: 6, message: 'not ready' } });
      }
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, backoff: { initialMs: 10, maxMs: 50 } }));
    await client.createProducer({ topic: 'persistent://t/n/metadata-retry', batching: false });
    expect(broker.received.filter((r) => r.cmd.type === CommandType.PARTITIONED_METADATA)).toHaveLength(3);
  });

  it('does not retry a non-retriable error such as AuthorizationError', async () => {
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.SUBSCRIBE) reply({ type: CommandType.ERROR, error: { requestId: cmd.subscribe!.requestId, error: 4, message: 'not authorized' } });
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, backoff: { initialMs: 10, maxMs: 50 } }));
    await expect(client.subscribe({ topic: 'persistent://t/n/first-attach-denied', subscription: 's' })).rejects.toMatchObject({ code: 'AuthorizationError' });
    expect(broker.received.filter((r) => r.cmd.type === CommandType.SUBSCRIBE)).toHaveLength(1);
  });
});

describe('producer reconnect', () => {
  it('reconnects with growing, jittered delays while the broker is away, then resends the pending queue in order', async () => {
    let acking = false;
    // The broker is "away" while refusals last: each new connection is dropped at its CONNECT, so
    // the producer cannot re-attach (which resets its backoff). Dropping them from a timer instead
    // let the producer re-attach first when the timer ran late under CI load; the delays restarted.
    let refusals = 0;
    const broker = track(await scriptedBroker((cmd, reply, socket) => {
      if (cmd.type === CommandType.CONNECT && refusals > 0) { refusals--; socket.destroy(); return; }
      if (cmd.type === CommandType.SEND && acking) reply(receiptFor(cmd));
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, backoff: { initialMs: 20, maxMs: 200 } }));
    const delays: number[] = [];
    client.instrumentation.on('connection.reconnect', (e) => { delays.push(e.delayMs); });
    const producer = await client.createProducer({ topic: 'persistent://t/n/reconnect', batching: false, sendTimeoutMs: 0 });
    const results = Array.from({ length: 5 }, (_, i) => producer.send({ value: `m-${i}` }));
    await expect.poll(() => sends(broker, 0)).toEqual([0, 1, 2, 3, 4]);

    refusals = 3;
    broker.sockets[0]!.destroy();
    await expect.poll(() => refusals, { timeout: 5_000 }).toBe(0);
    acking = true;
    const ids = await Promise.all(results);
    expect(ids.map((m) => Number(m.entryId))).toEqual([0, 1, 2, 3, 4]);
    const last = broker.sockets.length - 1;
    expect(sends(broker, last)).toEqual([0, 1, 2, 3, 4]);
    expect(delays.length).toBeGreaterThanOrEqual(2);
    // 20, 40, 80... each within ±20 %.
    delays.slice(0, 3).forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(20 * 2 ** i * 0.8);
      expect(d).toBeLessThanOrEqual(20 * 2 ** i * 1.2);
    });
  });

  it('fails a send with Timeout when the broker never acknowledges it within sendTimeoutMs', async () => {
    const broker = track(await scriptedBroker());
    const client = track(new PulsarClient({ serviceUrl: broker.url }));
    const producer = await client.createProducer({ topic: 'persistent://t/n/timeout', batching: false, sendTimeoutMs: 300 });
    const started = Date.now();
    await expect(producer.send({ value: 'x' })).rejects.toMatchObject({ code: 'Timeout', retriable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('connection', () => {
  it('closes a connection whose PINGs go unanswered and re-establishes it', async () => {
    // A broker that answers nothing after the handshake: no PONG, no other frame.
    const broker = track(await scriptedBroker((cmd, reply) => { if (cmd.type === CommandType.SEND) reply(receiptFor(cmd)); }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, keepAliveIntervalMs: 100, backoff: { initialMs: 10, maxMs: 50 } }));
    const closed: string[] = [];
    client.instrumentation.on('connection.close', (e) => { closed.push(e.reason ?? ''); });
    const producer = await client.createProducer({ topic: 'persistent://t/n/keepalive', batching: false });
    await expect.poll(() => closed.find((r) => r.includes('keep-alive')), { timeout: 2_000 }).toBeDefined();
    expect(broker.received.some((r) => r.cmd.type === CommandType.PING)).toBe(true);
    // The producer came back on a new connection and still works.
    await expect.poll(() => broker.received.filter((r) => r.cmd.type === CommandType.PRODUCER).length, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
    await expect(producer.send({ value: 'after' })).resolves.toBeDefined();
  });

  it('answers AUTH_CHALLENGE with a freshly read token on the same connection', async () => {
    let challenged = false;
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.PRODUCER && !challenged) {
        challenged = true;
        reply({ type: CommandType.AUTH_CHALLENGE, authChallenge: { serverVersion: 'fake', protocolVersion: 20, challenge: { authMethodName: 'token', authData: Buffer.from('refresh') } } });
      }
    }));
    let version = 0;
    const client = track(new PulsarClient({ serviceUrl: broker.url, token: () => `token-${++version}` }));
    await client.createProducer({ topic: 'persistent://t/n/auth', batching: false });
    await expect.poll(() => broker.received.find((r) => r.cmd.type === CommandType.AUTH_RESPONSE)).toBeDefined();
    const connect = broker.received.find((r) => r.cmd.type === CommandType.CONNECT)!;
    const response = broker.received.find((r) => r.cmd.type === CommandType.AUTH_RESPONSE)!;
    expect(Buffer.from(connect.cmd.connect!.authData!).toString()).toBe('token-1');
    expect(connect.cmd.connect!.featureFlags?.supportsAuthRefresh).toBe(true);
    expect(response.conn).toBe(connect.conn);
    expect(response.cmd.authResponse!.response!.authMethodName).toBe('token');
    expect(Buffer.from(response.cmd.authResponse!.response!.authData!).toString()).toBe('token-2');
  });
});

describe('transactions: an END_TXN whose reply is lost', () => {
  it('is never resent: the transaction becomes UNKNOWN and a later transaction is not hit by it', async () => {
    let nextTxn = 0;
    const broker = track(await scriptedBroker((cmd, reply, socket) => {
      if (cmd.type === CommandType.NEW_TXN) {
        reply({ type: CommandType.NEW_TXN_RESPONSE, newTxnResponse: { requestId: cmd.newTxn!.requestId, txnidMostBits: 0, txnidLeastBits: ++nextTxn } });
      } else if (cmd.type === CommandType.END_TXN) {
        // The first END_TXN reaches the TC but its reply is lost with the connection.
        if (idOf(cmd.endTxn!.txnidLeastBits) === 1) socket.destroy();
        else reply({ type: CommandType.END_TXN_RESPONSE, endTxnResponse: { requestId: cmd.endTxn!.requestId, txnidMostBits: 0, txnidLeastBits: cmd.endTxn!.txnidLeastBits } });
      }
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 2_000 }));
    const endTxns = (least: number) => broker.received.filter((r) => r.cmd.type === CommandType.END_TXN && idOf(r.cmd.endTxn!.txnidLeastBits) === least);

    const first = await client.newTransaction();
    await expect(first.commit()).rejects.toMatchObject({ code: 'TransactionOutcomeUnknown' });
    expect(first.state).toBe(TransactionState.Unknown);
    await expect(first.commit()).rejects.toMatchObject({ code: 'TransactionState' });
    await expect(first.abort()).rejects.toMatchObject({ code: 'TransactionState' });

    const second = await client.newTransaction();
    await second.commit();
    expect(second.state).toBe(TransactionState.Committed);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endTxns(1)).toHaveLength(1);
    expect(endTxns(2)).toHaveLength(1);
  });

  it('commit sent right after send() waits for that send (END_TXN never overtakes it)', async () => {
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.NEW_TXN) reply({ type: CommandType.NEW_TXN_RESPONSE, newTxnResponse: { requestId: cmd.newTxn!.requestId, txnidMostBits: 0, txnidLeastBits: 1 } });
      // A slow ADD_PARTITION_TO_TXN: the send cannot go out before it is answered.
      if (cmd.type === CommandType.ADD_PARTITION_TO_TXN) setTimeout(() => reply({ type: CommandType.ADD_PARTITION_TO_TXN_RESPONSE, addPartitionToTxnResponse: { requestId: cmd.addPartitionToTxn!.requestId } }), 100);
      if (cmd.type === CommandType.SEND) reply(receiptFor(cmd));
      if (cmd.type === CommandType.END_TXN) reply({ type: CommandType.END_TXN_RESPONSE, endTxnResponse: { requestId: cmd.endTxn!.requestId } });
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url }));
    const producer = await client.createProducer({ topic: 'persistent://t/n/txn-order', transactional: true, sendTimeoutMs: 0 });
    const txn = await client.newTransaction();
    const sent = producer.send({ value: 'out' }, { txn });
    await txn.commit();
    await sent;
    const order = broker.received.map((r) => r.cmd.type).filter((t) => t === CommandType.SEND || t === CommandType.END_TXN);
    expect(order).toEqual([CommandType.SEND, CommandType.END_TXN]);
  });

  it('is never resent after a reply timeout either', async () => {
    const broker = track(await scriptedBroker((cmd, reply) => {
      if (cmd.type === CommandType.NEW_TXN) reply({ type: CommandType.NEW_TXN_RESPONSE, newTxnResponse: { requestId: cmd.newTxn!.requestId, txnidMostBits: 0, txnidLeastBits: 7 } });
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 300 }));
    const txn = await client.newTransaction();
    await expect(txn.abort()).rejects.toMatchObject({ code: 'TransactionOutcomeUnknown' });
    expect(txn.state).toBe(TransactionState.Unknown);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(broker.received.filter((r) => r.cmd.type === CommandType.END_TXN)).toHaveLength(1);
  });
});
