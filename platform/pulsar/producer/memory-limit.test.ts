// Memory limit and backpressure against a scripted broker on 127.0.0.1: the client-wide
// memoryLimitBytes over every producer's unacknowledged bytes (a send waits, or fails with
// MemoryBufferIsFull), writes held while the socket's buffer is full until 'drain', and a
// consumer that stops granting flow permits while its queue holds maxQueuedBytes.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import { PulsarError } from '../errors.ts';
import { MemoryLimit } from '../memory-limit.ts';
import { CommandType, toBigInt, type BaseCommand } from '../protocol/index.ts';
import { startScriptedBroker, type ScriptedConnection } from '../testing/handler-broker.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });
function track<T extends { close(): Promise<void> }>(thing: T): T {
  cleanup.push(() => thing.close());
  return thing;
}

const KiB = 1024;
const payload = (tag: string, bytes: number) => Buffer.concat([Buffer.from(tag), Buffer.alloc(bytes - tag.length, 0x2e)]);
const seq = (cmd: BaseCommand) => Number(toBigInt(cmd.send!.sequenceId));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('MemoryLimit', () => {
  it('grants in arrival order, lets one oversized reservation through when nothing is held, and gives waiters up on abort', async () => {
    const memory = new MemoryLimit(100);
    expect(memory.tryReserve(60)).toBe(true);
    const order: string[] = [];
    const a = memory.reserve(50).then(() => order.push('a'));
    expect(memory.tryReserve(10)).toBe(false); // fits, but `a` waits first
    const abort = new AbortController();
    const b = memory.reserve(30, abort.signal).catch(() => order.push('b aborted'));
    abort.abort(new Error('gave up'));
    await b;
    memory.release(60);
    await a;
    expect(order).toEqual(['b aborted', 'a']);
    expect(memory.usedBytes).toBe(50);
    memory.release(50);
    expect(memory.tryReserve(500)).toBe(true);
    expect(memory.tryReserve(1)).toBe(false);
  });
});

describe('client memoryLimitBytes', () => {
  it('makes a second producer wait while the first holds the limit, and sends it once receipts free the bytes', async () => {
    const held: { cmd: BaseCommand; connection: ScriptedConnection }[] = [];
    let withhold = true;
    const broker = track(await startScriptedBroker((cmd, connection) => {
      if (cmd.type !== CommandType.SEND || !withhold) return false;
      held.push({ cmd, connection });
      return true;
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, memoryLimitBytes: 10 * KiB }));
    const first = await client.createProducer({ topic: 'persistent://t/n/mem-a', batching: false });
    const second = await client.createProducer({ topic: 'persistent://t/n/mem-b', batching: false });
    const a = [first.send({ value: payload('a0', 4 * KiB) }), first.send({ value: payload('a1', 4 * KiB) })];
    await until(() => held.length === 2, 'both sends of the first producer');
    expect(first.stats().pendingBytes).toBe(8 * KiB);
    let secondDone = false;
    const b = second.send({ value: payload('b0', 4 * KiB) }).then((id) => { secondDone = true; return id; });
    await new Promise((r) => setTimeout(r, 200));
    expect(secondDone).toBe(false);
    expect(broker.commands(CommandType.SEND)).toHaveLength(2);

    withhold = false;
    for (const { cmd, connection } of held.splice(0)) {
      connection.reply({ type: CommandType.SEND_RECEIPT, sendReceipt: { producerId: cmd.send!.producerId, sequenceId: cmd.send!.sequenceId, messageId: { ledgerId: 1, entryId: cmd.send!.sequenceId } } });
    }
    await Promise.all([...a, b]);
    expect(secondDone).toBe(true);
    expect(first.stats().pendingBytes + second.stats().pendingBytes).toBe(0);
  });

  it('fails a send with MemoryBufferIsFull when blockIfQueueFull is false, and the producer goes on', async () => {
    const held: BaseCommand[] = [];
    const broker = track(await startScriptedBroker((cmd) => {
      if (cmd.type !== CommandType.SEND) return false;
      if (held.length === 0) { held.push(cmd); return true; }
      return false;
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, memoryLimitBytes: 10 * KiB }));
    const producer = await client.createProducer({ topic: 'persistent://t/n/mem-fail', batching: false, blockIfQueueFull: false });
    const firstSend = producer.send({ value: payload('x0', 8 * KiB) });
    await until(() => held.length === 1, 'the first send');
    const refused = await producer.send({ value: payload('x1', 4 * KiB) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PulsarError);
    expect((refused as PulsarError).code).toBe('MemoryBufferIsFull');
    expect((refused as PulsarError).retriable).toBe(true);
    expect(producer.stats().pendingMessages).toBe(1);
    broker.connections[0]!.reply({ type: CommandType.SEND_RECEIPT, sendReceipt: { producerId: held[0]!.send!.producerId, sequenceId: held[0]!.send!.sequenceId, messageId: { ledgerId: 1, entryId: 0 } } });
    await firstSend;
    await producer.send({ value: payload('x2', 4 * KiB) });
    expect(broker.commands(CommandType.SEND).map(seq)).toEqual([0, 1]);
  });
});

describe('socket backpressure', () => {
  it('stops writing when socket.write() returns false and writes the rest, in order, after drain', async () => {
    const broker = track(await startScriptedBroker((cmd, connection) => {
      // Stop reading once the producer is attached: the client's socket buffer fills up.
      if (cmd.type === CommandType.PRODUCER) connection.socket.pause();
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url, memoryLimitBytes: 0 }));
    const producer = await client.createProducer({ topic: 'persistent://t/n/drain', batching: false, maxPendingMessages: 500, sendTimeoutMs: 0 });
    const count = 300;
    const sends = Array.from({ length: count }, (_, i) => producer.send({ value: payload(`m${i}`, 128 * KiB) }));
    await until(() => producer.stats().drainWaits > 0, 'a full socket buffer');
    broker.connections[0]!.socket.resume();
    await Promise.all(sends);
    const seen = broker.commands(CommandType.SEND).map(seq);
    expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
  }, 30_000);
});

describe('consumer maxQueuedBytes', () => {
  it('keeps flow permits back while the queue holds the cap, and grants them once the application drains it', async () => {
    let next = 0;
    const broker = track(await startScriptedBroker((cmd, connection) => {
      if (cmd.type !== CommandType.FLOW) return false;
      const consumerId = toBigInt(cmd.flow!.consumerId);
      for (let i = 0; i < cmd.flow!.messagePermits; i++, next++) {
        connection.message(consumerId, { entryId: next }, { producerName: 'p', sequenceId: next, publishTime: 1 }, payload(`m${next}`, 4 * KiB));
      }
      return true;
    }));
    const client = track(new PulsarClient({ serviceUrl: broker.url }));
    const consumer = await client.subscribe({ topic: 'persistent://t/n/cap', subscription: 's', receiverQueueSize: 10, maxQueuedBytes: 10 * KiB });
    const flows = () => broker.commands(CommandType.FLOW).map((c) => c.flow!.messagePermits);
    await until(() => consumer.stats().queuedMessages === 10, 'the first 10 messages');
    expect(consumer.stats().queuedBytes).toBe(40 * KiB);
    // Half the queue taken would return 5 permits, but 20 KiB are still queued, over the cap.
    for (let i = 0; i < 5; i++) await consumer.receive();
    await new Promise((r) => setTimeout(r, 200));
    expect(flows()).toEqual([10]);
    // Two more: 12 KiB queued, still over. The eighth leaves 8 KiB: all 8 permits go back at once.
    for (let i = 0; i < 2; i++) await consumer.receive();
    await new Promise((r) => setTimeout(r, 200));
    expect(flows()).toEqual([10]);
    await consumer.receive();
    await until(() => flows().length === 2, 'the second FLOW');
    expect(flows()).toEqual([10, 8]);
  });
});
