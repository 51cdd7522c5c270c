// Tenant isolation, end to end: API keys reach only their tenant (404 for another's ids), and
// the Pulsar token the control plane issues for a tenant is refused by the broker on another
// tenant's topic — checked twice: through Pulsar's REST producer (/topics/...) and through our
// own binary-protocol client (platform/pulsar), producing and consuming.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { bundle, pipelineSpec, quotas } from '../../platform/control-plane/testing.ts';
import type { RealApp } from './helpers.ts';
import { expectStatus, realApp, stack, tenantName } from './helpers.ts';

let t: RealApp;
const a = tenantName('cp-iso-a');
const b = tenantName('cp-iso-b');
const tokens: Record<string, string> = {};
const keys: Record<string, string> = {};

beforeAll(async () => {
  t = await realApp();
  for (const id of [a, b]) {
    tokens[id] = (await expectStatus(t.call({ method: 'POST', url: '/v1/tenants', payload: { id, quotas: quotas() } }), 201)).pulsarToken;
    await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${id}/functions/counter/versions`, payload: bundle('counter') }), 201);
    await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${id}/pipelines`, payload: pipelineSpec('main', ['counter']) }), 201);
    keys[id] = (await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${id}/api-keys`, payload: { name: 'ci', role: 'admin' } }), 201)).secret;
  }
});
afterAll(async () => {
  for (const id of [a, b]) await t.call({ method: 'DELETE', url: `/v1/tenants/${id}?force=true` });
  await t.app.close();
});

async function produce(webUrl: string, token: string, topic: string): Promise<number> {
  const response = await fetch(`${webUrl}/topics/persistent/${topic}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ key: 'k', payload: Buffer.from('hello').toString('base64') }] }),
  });
  await response.text();
  return response.status;
}

describe('tenant isolation on the real stack', () => {
  it('lets a tenant token past the broker\'s produce check on its own topics only, in every region', async () => {
    for (const region of stack.regions) {
      expect(await produce(region.webUrl, tokens[a]!, `${a}/main/events`), `${region.name} own`).toBe(200);
      expect(await produce(region.webUrl, tokens[a]!, `${b}/main/events`), `${region.name} foreign`).toBe(401);
    }
  });

  it('lets a tenant token produce and consume over the binary protocol on its own topics only, in every region', async () => {
    for (const region of stack.regions) {
      const client = new PulsarClient({ serviceUrl: region.brokerUrl, token: tokens[a]! });
      try {
        const own = `persistent://${a}/main/events`;
        const consumer = await client.subscribe({ topic: own, subscription: 'isolation', initialPosition: 'Earliest' });
        const producer = await client.createProducer({ topic: own });
        await producer.send({ value: `hello from ${region.name}`, key: 'k' });
        // The namespace replicates, so another region's earlier message may come first.
        const seen: string[] = [];
        while (!seen.includes(`hello from ${region.name}`) && seen.length < 10) {
          const message = await consumer.receive();
          seen.push(message.value.toString());
          consumer.ack(message);
        }
        expect(seen).toContain(`hello from ${region.name}`);
        await producer.close();
        await consumer.close();

        const foreign = `persistent://${b}/main/events`;
        await expect(client.createProducer({ topic: foreign }), `${region.name} produce foreign`).rejects.toMatchObject({ code: 'AuthorizationError', retriable: false });
        await expect(client.subscribe({ topic: foreign, subscription: 'spy' }), `${region.name} consume foreign`).rejects.toMatchObject({ code: 'AuthorizationError' });
      } finally {
        await client.close();
      }
    }
  });

  it('answers a tenant key on another tenant\'s resources with 404, as for ids that do not exist', async () => {
    for (const url of [`/v1/tenants/${b}`, `/v1/tenants/${b}/pipelines/main`, `/v1/tenants/${b}/functions/counter`, `/v1/tenants/${b}/api-keys`]) {
      const response = await t.call({ method: 'GET', url, token: keys[a]! });
      expect(response.statusCode, url).toBe(404);
    }
    expect((await t.call({ method: 'GET', url: `/v1/tenants/${a}/pipelines/main`, token: keys[a]! })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: '/v1/tenants', token: keys[a]! })).statusCode).toBe(403);
  });
});
