// The control log as the design has it (DESIGN.md "Control plane"): a compacted, geo-replicated
// Pulsar topic keyed by resource id, read and written through platform/pulsar.
//
// Start: a reader from the earliest message folds every record up to the topic's last message id
// at start, then keeps tailing, so writes of other instances (and records replicated from the
// other region) show up. Write: take the region's writer lock, catch up to the topic's last
// message id, compare-and-set on the fold, publish, and acknowledge once our own tail has applied
// the record. While we hold the lock nobody else in this region appends, so the fold we compared
// against is the whole log and each key's versions grow by one in log order.
//
// The lock is an Exclusive subscription (`lodestar-control-log-writer`) on the topic, not an
// Exclusive producer: Pulsar 4.0 refuses an exclusive producer on a topic replicated both ways
// ("Topic has existing shared producers": the other region's replicator is a shared producer,
// apache/pulsar#24914). An Exclusive subscription admits one consumer per region and is dropped
// with its connection, like an exclusive producer, but it does not fence a holder that lost it
// mid-write; such a write is caught after publishing (our record is not the one folded) and
// reported as a conflict.
//
// Such a losing record is still the newest message of its key, and compaction keeps the newest
// message per key: an instance started after compaction would fold the loser. So whenever the tail
// applies a record the fold did not take ("shadowed" key), the instance takes the lock, catches up
// and publishes the folded record again, making it the newest once more (once per key and version,
// so two regions that both write cannot make it loop).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Logger, Message, Producer, PulsarClient } from '../../pulsar/index.ts';
import { MessageId, PulsarError, silentLogger } from '../../pulsar/index.ts';
import type { StoredRecord } from './control-store.ts';
import { FoldingStore, StoreConflictError } from './control-store.ts';

const WRITER_LOCK = 'lodestar-control-log-writer';

export interface PulsarControlStoreOptions {
  /** A client on the region this instance writes to (and reads from). */
  client: PulsarClient;
  /** Close the client with the store (server.ts hands its own client over). */
  ownsClient?: boolean;
  /** e.g. `persistent://lodestar/system/control-log`. */
  topic: string;
  logger?: Logger;
  /** How long a write waits for another instance to release the writer lock. Default 30 s. */
  acquireTimeoutMs?: number;
  /** How long start and writes wait for the tail to reach a position. Default 30 s. */
  catchUpTimeoutMs?: number;
  /** The writer lock is kept this long after the last write, then released for other instances. Default 200 ms. */
  releaseAfterMs?: number;
}

interface Waiter {
  target: MessageId;
  resolve(): void;
}

const I64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Whether `folded`, the record the fold holds for a key, is `record` (the same object or the same JSON). */
function isFolded(folded: StoredRecord | undefined, record: StoredRecord): boolean {
  return folded === record || (folded !== undefined && JSON.stringify(folded) === JSON.stringify(record));
}

/** Whether the tail, having applied `applied`, has applied everything up to and including `target`. */
function covers(applied: MessageId | undefined, target: MessageId): boolean {
  // The broker answers entry -1 for a topic (ledger) with nothing in it (Java's hasMessageAvailable
  // reads it the same way).
  if (I64(target.entryId) < 0n) return true;
  if (!applied) return false;
  if (applied.ledgerId !== target.ledgerId) return applied.ledgerId > target.ledgerId;
  if (applied.entryId !== target.entryId) return applied.entryId > target.entryId;
  if (target.batchIndex >= 0) return applied.batchIndex >= target.batchIndex;
  return applied.batchIndex < 0 || applied.batchIndex >= applied.batchSize - 1;
}

export class PulsarControlStore extends FoldingStore {
  readonly backing: string;
  readonly #client: PulsarClient;
  readonly #ownsClient: boolean;
  readonly #topic: string;
  readonly #logger: Logger;
  readonly #acquireTimeoutMs: number;
  readonly #catchUpTimeoutMs: number;
  readonly #releaseAfterMs: number;
  #reader: Consumer | undefined;
  #tail: Promise<void> | undefined;
  #applied: MessageId | undefined;
  #waiters: Waiter[] = [];
  #producer: Promise<Producer> | undefined;
  #lock: Consumer | undefined;
  #releasing: Promise<void> = Promise.resolve();
  #releaseTimer: NodeJS.Timeout | undefined;
  #writing = 0;
  #closed = false;
  /** Keys whose newest message in the log is not the record the fold holds. */
  #shadowed = new Set<string>();
  /** `key@version` already republished by this instance. */
  #republished = new Set<string>();
  #repairScheduled = false;

  constructor(options: PulsarControlStoreOptions) {
    super();
    this.#client = options.client;
    this.#ownsClient = options.ownsClient ?? false;
    this.#topic = options.topic;
    this.#logger = options.logger ?? silentLogger;
    this.#acquireTimeoutMs = options.acquireTimeoutMs ?? 30_000;
    this.#catchUpTimeoutMs = options.catchUpTimeoutMs ?? 30_000;
    this.#releaseAfterMs = options.releaseAfterMs ?? 200;
    this.backing = `pulsar:${options.topic}`;
  }

  /** The position the tail has applied, for tests and /ready. */
  get applied(): MessageId | undefined {
    return this.#applied;
  }

  protected async load(): Promise<StoredRecord[]> {
    // readCompacted: start from the compacted view (newest record per key) and the live tail after it.
    this.#reader = await this.#client.createReader({ topic: this.#topic, startMessageId: MessageId.earliest, readCompacted: true });
    this.#tail = this.#runTail(this.#reader);
    await this.#catchUp();
    return [];
  }

  /** Keys whose newest log message is not their folded record (tests, diagnostics). */
  get shadowedKeys(): string[] {
    return [...this.#shadowed];
  }

  protected override async beforeWrite(): Promise<void> {
    this.#lock ??= await this.#acquire();
    await this.#catchUp();
    await this.#republishShadowed();
  }

  protected async append(record: StoredRecord): Promise<void> {
    const id = await this.#publish(record);
    await this.#waitApplied(id);
    // Another writer got in first only if we lost the lock mid-write; the fold keeps the first record of a version.
    const folded = this.current(record.key);
    if (!isFolded(folded, record)) {
      // Our lock handle is stale: drop it so the repair and the next write take it afresh.
      this.#releaseLock();
      throw new StoreConflictError(record.key, record.version - 1, folded?.version ?? 0);
    }
  }

  async #publish(record: StoredRecord): Promise<MessageId> {
    this.#producer ??= this.#client.createProducer({ topic: this.#topic, batching: false });
    try {
      return await (await this.#producer).send({ key: record.key, value: JSON.stringify(record) });
    } catch (error) {
      this.#producer = undefined;
      throw error;
    }
  }

  /** Runs in the write queue with the lock held and the fold caught up. */
  async #republishShadowed(): Promise<void> {
    for (const key of [...this.#shadowed]) {
      const folded = this.current(key);
      const once = `${key}@${folded?.version}`;
      if (!folded || this.#republished.has(once)) {
        this.#shadowed.delete(key);
        if (folded) this.#logger.warn({ topic: this.#topic, key, version: folded.version }, 'control log record shadowed again after it was republished; is an instance in another region writing too?');
        continue;
      }
      this.#republished.add(once);
      await this.#waitApplied(await this.#publish(folded));
      this.#logger.warn({ topic: this.#topic, key, version: folded.version }, 'control log: republished the folded record over a later conflicting one (a writer lost the lock mid-write)');
    }
  }

  /** A repair outside any write: one pass through the write queue, soon after the tail noticed. */
  #scheduleRepair(): void {
    if (this.#repairScheduled || this.#closed) return;
    this.#repairScheduled = true;
    setImmediate(() => {
      this.#repairScheduled = false;
      if (this.#closed || this.#shadowed.size === 0) return;
      this.#counted(() => this.serialized(() => this.beforeWrite())).catch((error: unknown) => {
        this.#logger.error({ topic: this.#topic, err: String(error) }, 'control log repair failed; the next write retries it');
      });
    });
  }

  override put<T>(key: string, value: T, expectedVersion: number): Promise<StoredRecord<T>> {
    return this.#counted(() => super.put(key, value, expectedVersion));
  }

  override delete(key: string, expectedVersion: number): Promise<void> {
    return this.#counted(() => super.delete(key, expectedVersion));
  }

  override async close(): Promise<void> {
    await super.close();
    this.#closed = true;
    clearTimeout(this.#releaseTimer);
    this.#releaseLock();
    await this.#releasing;
    await (await this.#producer?.catch(() => undefined))?.close().catch(() => undefined);
    await this.#reader?.close().catch(() => undefined);
    await this.#tail;
    for (const w of this.#waiters.splice(0)) w.resolve();
    if (this.#ownsClient) await this.#client.close();
  }

  async #counted<T>(write: () => Promise<T>): Promise<T> {
    this.#writing++;
    clearTimeout(this.#releaseTimer);
    try {
      return await write();
    } finally {
      if (--this.#writing === 0 && !this.#closed) {
        this.#releaseTimer = setTimeout(() => {
          if (this.#writing === 0) this.#releaseLock();
        }, this.#releaseAfterMs);
        this.#releaseTimer.unref();
      }
    }
  }

  #releaseLock(): void {
    const lock = this.#lock;
    this.#lock = undefined;
    if (lock) this.#releasing = this.#releasing.then(() => lock.close()).catch(() => undefined);
  }

  /** The writer lock: Pulsar answers ConsumerBusy while another instance holds it; we retry. */
  async #acquire(): Promise<Consumer> {
    await this.#releasing;
    const deadline = Date.now() + this.#acquireTimeoutMs;
    let delay = 20;
    for (;;) {
      try {
        const lock = await this.#client.subscribe({ topic: this.#topic, subscription: WRITER_LOCK, type: 'Exclusive', initialPosition: 'Latest', ackGroupingMs: 1000 });
        void this.#drain(lock);
        return lock;
      } catch (error) {
        const busy = error instanceof PulsarError && error.code === 'ConsumerBusy';
        if (!busy || Date.now() + delay > deadline) throw error;
        this.#logger.debug({ topic: this.#topic, code: error.code }, 'control log writer lock busy; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, 500);
      }
    }
  }

  /** The lock's subscription is a durable cursor: ack what it receives so it holds no backlog (quota). */
  async #drain(lock: Consumer): Promise<void> {
    try {
      for await (const message of lock) lock.ackCumulative(message);
    } catch {
      // Closed or failed: the lock is gone either way; the next write takes it again.
    }
  }

  async #catchUp(): Promise<void> {
    const reader = this.#reader;
    if (!reader) throw new Error('pulsar control store is not open');
    await this.#waitApplied(await reader.getLastMessageId());
  }

  #waitApplied(target: MessageId): Promise<void> {
    if (covers(this.#applied, target)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`control log ${this.#topic}: tail did not reach ${target.toString()} within ${this.#catchUpTimeoutMs} ms`));
      }, this.#catchUpTimeoutMs);
      const waiter: Waiter = { target, resolve: () => { clearTimeout(timer); resolve(); } };
      this.#waiters.push(waiter);
    });
  }

  async #runTail(reader: Consumer): Promise<void> {
    for (;;) {
      let message: Message;
      try {
        message = await reader.receive();
      } catch (error) {
        if (this.#closed) return;
        this.#logger.error({ topic: this.#topic, err: String(error) }, 'control log tail stopped');
        return;
      }
      this.#apply(message);
      this.#applied = message.id;
      const ready = this.#waiters.filter((w) => covers(this.#applied, w.target));
      if (ready.length > 0) {
        this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
        for (const w of ready) w.resolve();
      }
    }
  }

  #apply(message: Message): void {
    if (message.error) {
      this.#logger.error({ topic: this.#topic, id: message.id.toString(), err: message.error.message }, 'unreadable control log message skipped');
      return;
    }
    let record: StoredRecord;
    try {
      record = JSON.parse(message.value.toString('utf8')) as StoredRecord;
    } catch {
      this.#logger.error({ topic: this.#topic, id: message.id.toString() }, 'control log message is not JSON; skipped');
      return;
    }
    if (typeof record.key !== 'string' || typeof record.version !== 'number' || record.key !== message.key) {
      this.#logger.error({ topic: this.#topic, id: message.id.toString() }, 'control log message is not a record; skipped');
      return;
    }
    this.fold(record);
    if (!isFolded(this.current(record.key), record)) {
      this.#shadowed.add(record.key);
      this.#scheduleRepair();
    } else {
      this.#shadowed.delete(record.key);
    }
  }
}
