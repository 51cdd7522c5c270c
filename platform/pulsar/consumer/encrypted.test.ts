// Encrypted messages, until end-to-end encryption exists: an entry whose metadata carries
// encryption keys reaches the application as one message with error DecryptionNotSupported and
// an empty value, never its ciphertext as if it were the message; the good ones around it
// arrive; a producer asked to encrypt fails at creation naming the option.
import { afterEach, describe, expect, it } from 'vitest';
import { PulsarClient } from '../client.ts';
import { PulsarError } from '../errors.ts';
import { CommandType, encodeBatch, toBigInt } from '../protocol/index.ts';
import { startScriptedBroker } from '../testing/handler-broker.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanup.splice(0).reverse()) await c(); });

describe('encrypted messages', () => {
  it('arrive with error DecryptionNotSupported in their place, never as plaintext, and can be acked', async () => {
    const ciphertext = Buffer.from('this-is-ciphertext-not-a-message');
    const encryption = { encryptionKeys: [{ key: 'app-key', value: Buffer.from([1, 2, 3]) }], encryptionAlgo: 'RSA', encryptionParam: Buffer.alloc(12, 7) };
    const acked: bigint[] = [];
    const broker = await startScriptedBroker((cmd, c) => {
      if (cmd.type === CommandType.ACK) acked.push(...cmd.ack!.messageId.map((m) => toBigInt(m.entryId)));
      if (cmd.type !== CommandType.FLOW || c.index > 0 || broker.commands(CommandType.FLOW).length > 1) return cmd.type === CommandType.FLOW;
      const consumer = toBigInt(cmd.flow!.consumerId);
      c.message(consumer, { entryId: 0 }, { producerName: 'p', sequenceId: 0, publishTime: 1 }, Buffer.from('before'));
      c.message(consumer, { entryId: 1 }, { producerName: 'p', sequenceId: 1, publishTime: 1, ...encryption }, ciphertext);
      // A batch of three, encrypted as a whole (Java encrypts the batch payload).
      const batch = encodeBatch([0, 1, 2].map((i) => ({ metadata: { payloadSize: ciphertext.length, sequenceId: 2 + i }, payload: ciphertext })));
      c.message(consumer, { entryId: 2 }, { producerName: 'p', sequenceId: 2, publishTime: 1, numMessagesInBatch: 3, ...encryption }, batch);
      c.message(consumer, { entryId: 3 }, { producerName: 'p', sequenceId: 5, publishTime: 1 }, Buffer.from('after'));
      return true;
    });
    cleanup.push(() => broker.close());
    const client = new PulsarClient({ serviceUrl: broker.url });
    cleanup.push(() => client.close());
    const consumer = await client.subscribe({ topic: 'persistent://t/n/encrypted', subscription: 's', ackGroupingMs: 0 });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await consumer.receive());
    expect(got.map((m) => m.value.toString())).toEqual(['before', '', '', 'after']);
    expect(got.map((m) => m.error?.code)).toEqual([undefined, 'DecryptionNotSupported', 'DecryptionNotSupported', undefined]);
    expect(got[1]!.error!.message).toContain('app-key');
    for (const m of got) consumer.ack(m);
    for (let i = 0; i < 100 && acked.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(acked).toEqual([0n, 1n, 2n, 3n]);
  });

  it('producer encryption options fail createProducer with an error naming the option', async () => {
    const broker = await startScriptedBroker();
    cleanup.push(() => broker.close());
    const client = new PulsarClient({ serviceUrl: broker.url });
    cleanup.push(() => client.close());
    const err = await client.createProducer({ topic: 'persistent://t/n/enc', encryptionKeys: ['app-key'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PulsarError);
    expect((err as PulsarError).code).toBe('InvalidConfiguration');
    expect((err as PulsarError).message).toContain('encryptionKeys');
    expect(broker.commands(CommandType.PRODUCER)).toHaveLength(0);
  });
});
