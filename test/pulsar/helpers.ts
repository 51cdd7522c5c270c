// Clients for the local stack's regions, with the superuser token (token auth is on).
import { afterAll } from 'vitest';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { PulsarClient, type ClientOptions, type Message } from '../../platform/pulsar/index.ts';
import { uniqueName } from '../helpers/index.ts';

export function regionUrl(region: 'east' | 'west'): string {
  return regionByName(loadStackInfo(), region).brokerUrl;
}

export function superuserToken(): string {
  return readSuperuserToken(loadStackInfo());
}

export function clientFor(region: 'east' | 'west', options: Partial<ClientOptions> = {}): PulsarClient {
  return new PulsarClient({ serviceUrl: regionUrl(region), token: superuserToken(), operationTimeoutMs: 15_000, ...options });
}

export function topicName(test: string): string {
  return `persistent://public/default/${uniqueName(test)}`;
}

/** Exactly `n` messages, each within `timeoutMs`. */
export async function take(consumer: { receive(timeoutMs?: number): Promise<Message> }, n: number, timeoutMs = 20_000): Promise<Message[]> {
  const out: Message[] = [];
  while (out.length < n) out.push(await consumer.receive(timeoutMs));
  return out;
}

/** A factory of clients that all close after the file's tests. */
export function clientsClosedAfterAll(): (region?: 'east' | 'west') => PulsarClient {
  const clients: PulsarClient[] = [];
  afterAll(async () => { await Promise.all(clients.map((c) => c.close())); });
  return (region = 'east') => {
    const c = clientFor(region);
    clients.push(c);
    return c;
  };
}
