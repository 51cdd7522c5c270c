// TLS on the real brokers: our client over pulsar+ssl:// trusting the stack's CA produces and
// consumes; without the CA the handshake is refused with a typed error, and the token is never sent.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PulsarClient, PulsarError } from '../../platform/pulsar/index.ts';
import { loadStackInfo, readSuperuserToken } from '../../platform/regions/index.ts';
import { uniqueName } from '../helpers/index.ts';

const info = loadStackInfo();
const token = readSuperuserToken(info);
const tlsRegions = info.regions.filter((r) => r.brokerTlsUrl);

describe.runIf(info.tlsCaFile && tlsRegions.length > 0)('TLS', () => {
  it.each(tlsRegions.map((r) => [r.name, r] as const))('produces and consumes over pulsar+ssl:// in %s', async (_name, region) => {
    const client = new PulsarClient({ serviceUrl: region.brokerTlsUrl!, token, tls: { ca: readFileSync(info.tlsCaFile!) } });
    try {
      const topic = `persistent://public/default/${uniqueName('tls')}`;
      const consumer = await client.subscribe({ topic, subscription: 'tls', initialPosition: 'Earliest' });
      const producer = await client.createProducer({ topic });
      for (let i = 0; i < 20; i++) await producer.send({ value: `secret-${i}` });
      const received: string[] = [];
      while (received.length < 20) {
        const message = await consumer.receive();
        received.push(message.value.toString());
        consumer.ack(message);
      }
      expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `secret-${i}`));
    } finally {
      await client.close();
    }
  });

  it('refuses a broker certificate it cannot verify, with a typed error', async () => {
    const region = tlsRegions[0]!;
    const client = new PulsarClient({
      serviceUrl: region.brokerTlsUrl!,
      token,
      operationTimeoutMs: 5_000,
      backoff: { initialMs: 100, maxMs: 200 },
    });
    try {
      const attempt = client.createProducer({ topic: `persistent://public/default/${uniqueName('tls-untrusted')}` });
      const error = await attempt.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PulsarError);
      expect(error).toMatchObject({ code: 'TlsVerificationFailed', retriable: false });
      expect((error as PulsarError).message).toMatch(/unable to verify the first certificate/);
    } finally {
      await client.close();
    }
  });
});
