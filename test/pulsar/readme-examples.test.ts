// The README's examples, run as written against the east region.
import { afterAll, expect, it } from 'vitest';
import { MessageId, PulsarClient } from '../../platform/pulsar/index.ts';
import { regionUrl, superuserToken, topicName } from './helpers.ts';

let client: PulsarClient;
afterAll(async () => { await client?.close(); });

it('runs the README examples', async () => {
  const token = superuserToken();
  const topic = topicName('readme');
  client = new PulsarClient({ serviceUrl: regionUrl('east'), token });

  const producer = await client.createProducer({ topic, compression: 'LZ4' });
  const id = await producer.send({ value: 'hello', key: 'user-1', properties: { source: 'readme' } });
  expect(id).toBeInstanceOf(MessageId);

  const consumer = await client.subscribe({ topic, subscription: 'readme', initialPosition: 'Earliest' });
  const message = await consumer.receive();
  expect(message.value.toString()).toBe('hello');

  const reader = await client.createReader({ topic, startMessageId: MessageId.earliest });
  expect((await reader.receive()).properties).toEqual({ source: 'readme' });

  const txProducer = await client.createProducer({ topic: `${topic}-out`, transactional: true, sendTimeoutMs: 0 });
  const txn = await client.newTransaction({ timeoutMs: 30_000 });
  await txProducer.send({ value: 'out' }, { txn });
  await consumer.ackWithTxn(message, txn);
  await txn.commit();
  expect(txn.state).toBe('COMMITTED');
});
