// The control plane's state: an append-only log of versioned records keyed by resource id,
// folded into memory at start (DESIGN.md "Control plane": the control log is a compacted topic
// keyed by resource id, so the newest record per key is the state). Every backing, in memory,
// file or Pulsar topic, appends the same records; only `#append` and `#load` differ.

export interface StoredRecord<T = unknown> {
  /** Resource id, e.g. `tenant/acme`, `pipeline/acme/clicks`: the log's (compaction) key. */
  key: string;
  /** 1 for the first write of the key, then one more per write (a delete is a write). */
  version: number;
  deleted: boolean;
  value: T;
  writtenAt: string;
}

export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${key}: expected version ${expected}, found ${actual}`);
  }
}

export interface ControlStore {
  /** Reads the whole log and folds it into memory; call once before anything else. */
  open(): Promise<void>;
  /** The live record for a key; undefined when absent or deleted. */
  get<T>(key: string): StoredRecord<T> | undefined;
  /** Live records whose key starts with `prefix`, sorted by key. */
  list<T>(prefix: string): StoredRecord<T>[];
  /**
   * Writes `value` if the key's live version is `expectedVersion` (0: the key must be absent or
   * deleted), else throws StoreConflictError. Resolves once the record is durable.
   */
  put<T>(key: string, value: T, expectedVersion: number): Promise<StoredRecord<T>>;
  /** Appends a tombstone under the same compare-and-set rule. */
  delete(key: string, expectedVersion: number): Promise<void>;
  close(): Promise<void>;
  /** What backs it, for /ready and the logs. */
  readonly backing: string;
}

/**
 * Memory fold plus the compare-and-set, shared by every backing. Writes are serialized in this
 * process; across processes the backing must order appends (a Pulsar topic with an exclusive
 * producer does, see README).
 */
export abstract class FoldingStore implements ControlStore {
  abstract readonly backing: string;
  readonly #records = new Map<string, StoredRecord>();
  #queue: Promise<unknown> = Promise.resolve();
  #open = false;

  protected abstract load(): Promise<StoredRecord[]>;
  protected abstract append(record: StoredRecord): Promise<void>;
  /**
   * Runs in the write queue before the compare-and-set: a shared backing makes the fold current
   * here (the Pulsar store takes the exclusive producer and catches up to the topic's end).
   */
  protected async beforeWrite(): Promise<void> {}

  async open(): Promise<void> {
    for (const record of await this.load()) this.fold(record);
    this.#open = true;
  }

  /** Keeps the newest version per key, whatever order records arrive in. */
  protected fold(record: StoredRecord): void {
    const current = this.#records.get(record.key);
    if (!current || record.version > current.version) this.#records.set(record.key, record);
  }

  /** The newest folded record for a key, tombstones included. */
  protected current(key: string): StoredRecord | undefined {
    return this.#records.get(key);
  }

  get<T>(key: string): StoredRecord<T> | undefined {
    const record = this.#records.get(key);
    return record && !record.deleted ? (record as StoredRecord<T>) : undefined;
  }

  list<T>(prefix: string): StoredRecord<T>[] {
    return [...this.#records.values()]
      .filter((r) => !r.deleted && r.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) as StoredRecord<T>[];
  }

  put<T>(key: string, value: T, expectedVersion: number): Promise<StoredRecord<T>> {
    return this.#write(key, value, expectedVersion, false) as Promise<StoredRecord<T>>;
  }

  async delete(key: string, expectedVersion: number): Promise<void> {
    await this.#write(key, null, expectedVersion, true);
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    this.#open = false;
  }

  /** Runs `work` after every write queued before it and before any queued after it. */
  protected serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #write(key: string, value: unknown, expectedVersion: number, deleted: boolean): Promise<StoredRecord> {
    return this.serialized(async () => {
      if (!this.#open) throw new Error('control store is not open');
      await this.beforeWrite();
      const current = this.#records.get(key);
      const live = current && !current.deleted ? current.version : 0;
      if (live !== expectedVersion) throw new StoreConflictError(key, expectedVersion, live);
      const record: StoredRecord = { key, version: (current?.version ?? 0) + 1, deleted, value, writtenAt: new Date().toISOString() };
      await this.append(record);
      this.fold(record);
      return record;
    });
  }
}
