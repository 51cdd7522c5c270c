// The client: owns the connection pool and lookup service, and creates producers, consumers,
// readers and transactions. Options are validated once here (STYLE.md: compile options once).
import type tls from 'node:tls';
import { ClientErrorCode, PulsarError } from './errors.ts';
import type { ClientContext } from './context.ts';
import { Instrumentation, silentLogger, type Logger } from './instrumentation.ts';
import { ConnectionPool, LookupService, parseServiceUrl, tokenAuth, type AuthProvider, type BackoffOptions } from './network/index.ts';
import { Producer, type CreateProducerOptions } from './producer/index.ts';
import { Consumer, type ConsumerOptions, type PublicConsumer } from './consumer/index.ts';
import { MessageId } from './message/index.ts';
import { MemoryLimit } from './memory-limit.ts';
import { getOrCreateSchema, getSchema, type RegisteredSchema, type SchemaInfo } from './schema.ts';
import { TransactionCoordinatorClient, type Transaction, type TransactionOptions } from './transactions/index.ts';

/** Something that says which service URL to use now (see ClusterFailover). */
export interface ServiceUrlProvider {
  getServiceUrl(): string;
  /** Called once with the client, so the provider can move it to another cluster. */
  attach?(client: PulsarClient): void;
  close?(): void;
}

export interface ClientOptions {
  serviceUrl: string | ServiceUrlProvider;
  /** A JWT, or a function returning the current one (re-read on AUTH_CHALLENGE). */
  token?: string | (() => string | Promise<string>);
  auth?: AuthProvider;
  tls?: tls.ConnectionOptions;
  operationTimeoutMs?: number;
  connectionTimeoutMs?: number;
  keepAliveIntervalMs?: number;
  backoff?: BackoffOptions;
  logger?: Logger;
  /**
   * Bytes of message payload all producers together may hold until the broker acknowledges them;
   * past it a send waits (or fails with MemoryBufferIsFull when the producer's `blockIfQueueFull`
   * is false). Default 64 MiB (Java's); 0 means no limit.
   */
  memoryLimitBytes?: number;
}

export interface ReaderOptions {
  topic: string;
  /** MessageId.earliest, MessageId.latest or a message id. */
  startMessageId: MessageId;
  receiverQueueSize?: number;
  readCompacted?: boolean;
  readerName?: string;
}

export class PulsarClient {
  readonly instrumentation = new Instrumentation();
  #ctx: ClientContext;
  #abort = new AbortController();
  #provider: ServiceUrlProvider;
  #pool: ConnectionPool;
  #closeables = new Set<{ close(): Promise<void> }>();
  #tc: TransactionCoordinatorClient | undefined;

  constructor(options: ClientOptions) {
    this.#provider = typeof options.serviceUrl === 'string' ? { getServiceUrl: () => options.serviceUrl as string } : options.serviceUrl;
    parseServiceUrl(this.#provider.getServiceUrl()); // fail fast on a bad URL
    const auth = options.auth ?? (options.token !== undefined ? tokenAuth(options.token) : undefined);
    const logger = options.logger ?? silentLogger;
    this.#pool = new ConnectionPool({
      auth,
      tlsOptions: options.tls,
      connectTimeoutMs: options.connectionTimeoutMs ?? 10_000,
      operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
      keepAliveIntervalMs: options.keepAliveIntervalMs ?? 30_000,
      logger,
      instrumentation: this.instrumentation,
    });
    this.#ctx = {
      pool: this.#pool,
      lookup: new LookupService(this.#pool, () => this.#provider.getServiceUrl()),
      logger,
      instrumentation: this.instrumentation,
      operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
      backoff: options.backoff ?? {},
      closing: this.#abort.signal,
      memory: new MemoryLimit(memoryLimitBytes(options.memoryLimitBytes)),
    };
    this.#provider.attach?.(this);
  }

  get serviceUrl(): string {
    return this.#provider.getServiceUrl();
  }

  #track<T extends { close(): Promise<void> }>(resource: T): T {
    this.#assertOpen();
    this.#closeables.add(resource);
    const close = resource.close.bind(resource);
    resource.close = async () => {
      this.#closeables.delete(resource);
      await close();
    };
    return resource;
  }

  #assertOpen(): void {
    if (this.#abort.signal.aborted) throw new PulsarError(ClientErrorCode.AlreadyClosed, 'client is closed');
  }

  async createProducer(options: CreateProducerOptions): Promise<Producer> {
    this.#assertOpen();
    return this.#track(await Producer.create(this.#ctx, options));
  }

  async subscribe(options: ConsumerOptions): Promise<PublicConsumer> {
    this.#assertOpen();
    return this.#track(await Consumer.create(this.#ctx, options));
  }

  /** A reader: a non-durable, exclusive cursor from `startMessageId`. */
  async createReader(options: ReaderOptions): Promise<PublicConsumer> {
    this.#assertOpen();
    const latest = options.startMessageId.equals(MessageId.latest);
    return this.#track(await Consumer.create(this.#ctx, {
      topic: options.topic,
      subscription: `reader-${Math.random().toString(36).slice(2, 12)}`,
      type: 'Exclusive',
      durable: false,
      startMessageId: options.startMessageId,
      initialPosition: latest ? 'Latest' : 'Earliest',
      receiverQueueSize: options.receiverQueueSize ?? 1000,
      readCompacted: options.readCompacted,
      consumerName: options.readerName,
      ackGroupingMs: 0,
    }));
  }

  /** The topic's latest schema (or `version`); undefined when it has none. */
  async getSchema(topic: string, version?: Uint8Array): Promise<RegisteredSchema | undefined> {
    this.#assertOpen();
    return getSchema(this.#ctx, topic, version);
  }

  /** Register a schema on a topic (or find it there); its version. Fails with IncompatibleSchema when the registry refuses it. */
  async getOrCreateSchema(topic: string, schema: SchemaInfo): Promise<Buffer> {
    this.#assertOpen();
    return getOrCreateSchema(this.#ctx, topic, schema);
  }

  /** Begin a transaction (transactions must be enabled on the broker). */
  async newTransaction(options: TransactionOptions = {}): Promise<Transaction> {
    this.#assertOpen();
    this.#tc ??= new TransactionCoordinatorClient(this.#ctx);
    return this.#tc.newTransaction(options);
  }

  /**
   * Connect every transaction coordinator now instead of on first use (Java does this at client
   * start); a broker loads a coordinator only when a client first connects to it. Returns the
   * number of coordinators.
   */
  async connectTransactionCoordinators(): Promise<number> {
    this.#assertOpen();
    this.#tc ??= new TransactionCoordinatorClient(this.#ctx);
    return this.#tc.connectAll();
  }

  /**
   * Drop every connection: producers and consumers reconnect through the (possibly changed)
   * service URL, resending what is pending. Used by the failover provider.
   */
  async reconnectAll(): Promise<void> {
    const old = this.#pool;
    // Closing the pooled connections notifies every producer and consumer, which re-look-up.
    await old.close();
    this.#pool.reopen();
    await this.#tc?.reset();
  }

  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    await Promise.allSettled([...this.#closeables].map((c) => c.close()));
    this.#abort.abort();
    this.#provider.close?.();
    await this.#tc?.close();
    await this.#pool.close();
  }
}

function memoryLimitBytes(value: number | undefined): number {
  const bytes = value ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new PulsarError(ClientErrorCode.InvalidConfiguration, `memoryLimitBytes must be a whole number of bytes >= 0, not ${value}`);
  }
  return bytes;
}
