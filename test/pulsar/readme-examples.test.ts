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

  const keyed = await client.createProducer({ topic, batching: { keyBased: true } });
  const worker = await client.subscribe({
    topic, subscription: 'workers', type: 'KeyShared',
    keyShared: { mode: 'STICKY', hashRanges: [{ start: 0, end: 32_767 }] },
    nackBackoff: { minDelayMs: 1_000, maxDelayMs: 60_000, multiplier: 2 },
  });
  await keyed.send({ value: 'keyed', key: 'user-1' });
  // The README's pattern, on this test's own topics: `<topic>-out` above matches.
  const audit = await client.subscribe({ topicsPattern: `${topic}-.*`, subscription: 'audit' });
  expect(audit.topics).toEqual([`${topic}-out`]);
  const { messagesSent, messagesAcked, pendingMessages, sendLatencyMs } = keyed.stats();
  expect([messagesSent, messagesAcked, pendingMessages, sendLatencyMs.count]).toEqual([1, 1, 0, 1]);
  const { messagesReceived, acks, nacks, queuedMessages } = worker.stats();
  expect([acks, nacks]).toEqual([0, 0]);
  expect(queuedMessages).toBe(messagesReceived);
});
