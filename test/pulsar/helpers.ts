// Clients for the local stack's regions, with the superuser token (token auth is on).
import { loadStackInfo, readSuperuserToken, regionByName } from '../../infra/stack/stack-info.ts';
import { PulsarClient, type ClientOptions } from '../../platform/pulsar/index.ts';
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
