// Topic lookup and partitioned metadata over the binary protocol (PROTOCOL.md §3.4): follow
// Redirect answers against the returned broker with the returned `authoritative` flag, up to
// `maxRedirects`; with proxy_through_service_url the logical broker is reached through the
// service URL's host.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { CommandType, type BaseCommand } from '../protocol/index.ts';
import type { Connection } from './connection.ts';
import type { ConnectionPool } from './pool.ts';
import { parseServiceUrl, type BrokerAddress } from './service-url.ts';

export interface LookupResult {
  logical: BrokerAddress;
  physical: BrokerAddress;
}

export class LookupService {
  #pool: ConnectionPool;
  #serviceUrl: () => string;
  #maxRedirects: number;
  #next = 0;

  constructor(pool: ConnectionPool, serviceUrl: () => string, maxRedirects = 20) {
    this.#pool = pool;
    this.#serviceUrl = serviceUrl;
    this.#maxRedirects = maxRedirects;
  }

  /** A connection to one of the service URL's hosts, rotating to the next one on failure. */
  async serviceConnection(): Promise<Connection> {
    const hosts = parseServiceUrl(this.#serviceUrl());
    let lastError: unknown;
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[(this.#next + i) % hosts.length]!;
      try {
        return await this.#pool.get(host);
      } catch (err) {
        lastError = err;
        this.#next = (this.#next + i + 1) % hosts.length;
      }
    }
    throw lastError;
  }

  async lookup(topic: string): Promise<LookupResult> {
    const service = await this.serviceConnection();
    const serviceHost = service.options.physical;
    let conn = service;
    let authoritative = false;
    for (let redirects = 0; redirects <= this.#maxRedirects; redirects++) {
      const reply: BaseCommand = await conn.request({ type: CommandType.LOOKUP, lookupTopic: { topic, requestId: 0, authoritative } });
      const res = reply.lookupTopicResponse!;
      const url = (serviceHost.tls ? res.brokerServiceUrlTls : res.brokerServiceUrl) || res.brokerServiceUrl;
      if (!url) throw new PulsarError(ClientErrorCode.LookupFailed, `lookup of ${topic} returned no broker URL`, { retriable: true });
      const logical = parseServiceUrl(url)[0]!;
      const physical = res.proxyThroughServiceUrl ? serviceHost : logical;
      if (res.response === 1) return { logical, physical };
      // Redirect: ask the named broker, carrying its authoritative flag.
      authoritative = res.authoritative ?? false;
      conn = await this.#pool.get(logical, physical);
    }
    throw new PulsarError(ClientErrorCode.TooManyRedirects, `lookup of ${topic} exceeded ${this.#maxRedirects} redirects`, { retriable: true });
  }

  /**
   * Topic names in `namespace` (tenant/namespace), partitions listed one by one, as
   * GET_TOPICS_OF_NAMESPACE returns them. `mode`: 0 persistent, 1 non-persistent, 2 both.
   */
  async topicsOfNamespace(namespace: string, mode: number): Promise<string[]> {
    const conn = await this.serviceConnection();
    const res = await conn.request({ type: CommandType.GET_TOPICS_OF_NAMESPACE, getTopicsOfNamespace: { namespace, mode, requestId: 0 } });
    return res.getTopicsOfNamespaceResponse!.topics ?? [];
  }

  /** Number of partitions; 0 for a non-partitioned topic. */
  async partitions(topic: string): Promise<number> {
    const conn = await this.serviceConnection();
    const res = await conn.request({ type: CommandType.PARTITIONED_METADATA, partitionMetadata: { topic, requestId: 0 } });
    return res.partitionMetadataResponse!.partitions ?? 0;
  }
}
