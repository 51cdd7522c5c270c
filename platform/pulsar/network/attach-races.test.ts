// Attach races against a scripted fake broker on 127.0.0.1: a CLOSE_CONSUMER/CLOSE_PRODUCER or a
// dropped connection arriving together with the attach reply must end in a new attach, never in
// a Ready handle on a dead connection; ConsumerBusy/ProducerBusy after a first successful attach
// (the broker still holding the previous incarnation, a failover subscription moving) are retried.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import { CommandType, encodeSimpleFrame, type BaseCommand } from '../protocol/index.ts';
import { messageFrame, receiptFor, scriptedBroker, type Script, type ScriptedBroker } from '../testing/scripted-broker.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

async function setUp(script: Script) {
  const broker = await scriptedBroker(script);
  cleanup.push(() => broker.close());
  const client = new PulsarClient({ serviceUrl: broker.url, operationTimeoutMs: 3_000, backoff: { initialMs: 20, maxMs: 100 } });
  cleanup.push(() => client.close());
  return { broker, client };
}

const count = (broker: ScriptedBroker, type: number) => broker.received.filter((r) => r.cmd.type === type).length;
const busy = (requestId: unknown, code: number): BaseCommand => ({ type: CommandType.ERROR, error: { requestId: requestId as number, error: code, message: 'busy' } });
const CONSUMER_BUSY = 5;
const PRODUCER_BUSY = 16;

/** Delivers one message "ok" on every FLOW. */
const deliverOnFlow: Script = (cmd, _reply, socket) => {
  if (cmd.type !== CommandType.FLOW) return false;
  socket.write(messageFrame(cmd.flow!.consumerId, 0, ['ok']));
  return true;
};

/** Accepts a SUBSCRIBE, then closes the consumer as an unloading broker does: it must attach again. */
function subscribeThenUnload(cmd: BaseCommand, reply: (cmd: BaseCommand) => void): true {
  reply({ type: CommandType.SUCCESS, success: { requestId: cmd.subscribe!.requestId } });
  setTimeout(() => reply({ type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId: cmd.subscribe!.consumerId, requestId: 0 } }), 50);
  return true;
}

describe('consumer attach races', () => {
  it('subscribes again when CLOSE_CONSUMER comes with the SUCCESS', async () => {
    let subscribes = 0;
    const { broker, client } = await setUp((cmd, reply, socket) => {
      if (cmd.type === CommandType.SUBSCRIBE && ++subscribes === 1) {
        const s = cmd.subscribe!;
        // One write: the close is handled before the subscribe's continuation runs.
        socket.write(Buffer.concat([
          encodeSimpleFrame({ type: CommandType.SUCCESS, success: { requestId: s.requestId } }),
          encodeSimpleFrame({ type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId: s.consumerId, requestId: 0 } }),
        ]));
        return true;
      }
      return deliverOnFlow(cmd, reply, socket);
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/close-with-success', subscription: 's' });
    expect((await consumer.receive(3_000)).value.toString()).toBe('ok');
    expect(count(broker, CommandType.SUBSCRIBE)).toBe(2);
  });

  it('reconnects when the connection ends right behind the SUCCESS of a re-subscribe', async () => {
    let subscribes = 0;
    const { broker, client } = await setUp((cmd, reply, socket) => {
      if (cmd.type === CommandType.SUBSCRIBE) {
        subscribes++;
        if (subscribes === 1) return subscribeThenUnload(cmd, reply);
        if (subscribes === 2) {
          // SUCCESS and the end of the connection together: whichever the consumer sees
          // first, it must end up subscribed on a new connection.
          socket.end(encodeSimpleFrame({ type: CommandType.SUCCESS, success: { requestId: cmd.subscribe!.requestId } }));
          return true;
        }
        return false;
      }
      if (cmd.type === CommandType.FLOW && subscribes < 3) return true;
      return deliverOnFlow(cmd, reply, socket);
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/drop-with-success', subscription: 's' });
    expect((await consumer.receive(3_000)).value.toString()).toBe('ok');
    expect(broker.received.filter((r) => r.cmd.type === CommandType.SUBSCRIBE).map((r) => r.conn)).toEqual([0, 0, 1]);
  });

  it('retries ConsumerBusy after a first successful subscribe instead of failing the consumer', async () => {
    let subscribes = 0;
    const { broker, client } = await setUp((cmd, reply, socket) => {
      if (cmd.type === CommandType.SUBSCRIBE) {
        subscribes++;
        if (subscribes === 1) return subscribeThenUnload(cmd, reply);
        if (subscribes <= 3) { reply(busy(cmd.subscribe!.requestId, CONSUMER_BUSY)); return true; }
        return false;
      }
      if (cmd.type === CommandType.FLOW && subscribes < 4) return true;
      return deliverOnFlow(cmd, reply, socket);
    });
    const consumer = await client.subscribe({ topic: 'persistent://t/n/consumer-busy', subscription: 's', type: 'Failover' });
    expect((await consumer.receive(3_000)).value.toString()).toBe('ok');
    expect(count(broker, CommandType.SUBSCRIBE)).toBe(4);
  });

  it('still fails a first subscribe that gets ConsumerBusy (another consumer holds the subscription)', async () => {
    const { broker, client } = await setUp((cmd, reply) => {
      if (cmd.type !== CommandType.SUBSCRIBE) return false;
      reply(busy(cmd.subscribe!.requestId, CONSUMER_BUSY));
      return true;
    });
    await expect(client.subscribe({ topic: 'persistent://t/n/consumer-busy-first', subscription: 's' })).rejects.toMatchObject({ code: 'ConsumerBusy' });
    expect(count(broker, CommandType.SUBSCRIBE)).toBe(1);
  });
});

describe('producer attach races', () => {
  const acking: Script = (cmd, reply) => {
    if (cmd.type !== CommandType.SEND) return false;
    reply(receiptFor(cmd));
    return true;
  };

  it('attaches again when CLOSE_PRODUCER comes with the PRODUCER_SUCCESS', async () => {
    let producers = 0;
    const { broker, client } = await setUp((cmd, reply, socket) => {
      if (cmd.type === CommandType.PRODUCER && ++producers === 1) {
        const p = cmd.producer!;
        socket.write(Buffer.concat([
          encodeSimpleFrame({ type: CommandType.PRODUCER_SUCCESS, producerSuccess: { requestId: p.requestId, producerName: 'fake', lastSequenceId: -1 } }),
          encodeSimpleFrame({ type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: p.producerId, requestId: 0 } }),
        ]));
        return true;
      }
      return acking(cmd, reply, socket);
    });
    const producer = await client.createProducer({ topic: 'persistent://t/n/close-with-producer-success', batching: false });
    await expect(producer.send({ value: 'x' })).resolves.toBeDefined();
    expect(count(broker, CommandType.PRODUCER)).toBe(2);
  });

  it('retries ProducerBusy after a first successful attach', async () => {
    let producers = 0;
    const { broker, client } = await setUp((cmd, reply, socket) => {
      if (cmd.type === CommandType.PRODUCER) {
        producers++;
        if (producers === 1) {
          reply({ type: CommandType.PRODUCER_SUCCESS, producerSuccess: { requestId: cmd.producer!.requestId, producerName: 'fake', lastSequenceId: -1 } });
          setTimeout(() => reply({ type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: cmd.producer!.producerId, requestId: 0 } }), 50);
          return true;
        }
        if (producers <= 3) { reply(busy(cmd.producer!.requestId, PRODUCER_BUSY)); return true; }
        return false;
      }
      return acking(cmd, reply, socket);
    });
    const producer = await client.createProducer({ topic: 'persistent://t/n/producer-busy', batching: false, sendTimeoutMs: 0 });
    await expect.poll(() => producers, { timeout: 3_000 }).toBeGreaterThanOrEqual(2);
    await expect(producer.send({ value: 'x' })).resolves.toBeDefined();
    expect(count(broker, CommandType.PRODUCER)).toBe(4);
  });
});
