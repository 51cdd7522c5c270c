// Connections shared by every producer, consumer and lookup of a client: one per (logical,
// physical) broker address pair (PROTOCOL.md §6.10), created once even under concurrent demand.
import { Connection, type ConnectionOptions } from './connection.ts';
import { addressKey, type BrokerAddress } from './service-url.ts';

export type SharedConnectionOptions = Omit<ConnectionOptions, 'physical' | 'proxyToBroker'>;

export class ConnectionPool {
  #options: SharedConnectionOptions;
  #connections = new Map<string, Promise<Connection>>();
  #closed = false;

  constructor(options: SharedConnectionOptions) {
    this.#options = options;
  }

  get(logical: BrokerAddress, physical: BrokerAddress = logical): Promise<Connection> {
    const key = `${addressKey(logical)}|${addressKey(physical)}`;
    const existing = this.#connections.get(key);
    if (existing) {
      // A failed or closed connection is replaced on the next request.
      return existing.then((c) => (c.closed ? this.#create(key, logical, physical) : c), () => this.#create(key, logical, physical));
    }
    return this.#create(key, logical, physical);
  }

  #create(key: string, logical: BrokerAddress, physical: BrokerAddress): Promise<Connection> {
    const current = this.#connections.get(key);
    const created = (async () => {
      const prior = current ? await current.catch(() => null) : null;
      if (prior && !prior.closed) return prior;
      const proxied = addressKey(logical) !== addressKey(physical);
      const conn = await Connection.connect({
        ...this.#options,
        physical,
        ...(proxied ? { proxyToBroker: `${logical.host}:${logical.port}` } : {}),
      });
      if (this.#closed) {
        await conn.close();
      }
      return conn;
    })();
    this.#connections.set(key, created);
    created.catch(() => {
      if (this.#connections.get(key) === created) this.#connections.delete(key);
    });
    return created;
  }

  /** Accept new connections again after close() (used when switching clusters). */
  reopen(): void {
    this.#closed = false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close(), () => undefined)));
  }
}
