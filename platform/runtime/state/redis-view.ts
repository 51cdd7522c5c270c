// One input partition's Redis view: written after each commit, read at restore. Writes are
// serialized and coalesced (at most one MULTI in flight; what commits meanwhile goes in the next),
// so a slow or dead Redis never holds up the loop. A write that fails, or a mark that is missing
// (FLUSHALL, a new Redis), makes the next write a rewrite of the whole partition from memory.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { START } from './position.ts';
import type { KeyEntry, PartitionState } from './partition-state.ts';
import type { ViewNames } from './redis-names.ts';
import { viewMulti } from './redis-scripts.ts';

const RETRY_MS = 1_000;

export interface ViewEvents {
  written(keys: number, whole: boolean): void;
  failed(err: unknown): void;
}

export class RedisView {
  #redis: Redis;
  #names: ViewNames;
  #state: PartitionState;
  #log: Logger;
  #events: ViewEvents;
  #pending = new Map<string, KeyEntry>();
  #pendingMark = START;
  #whole = false;
  #flying: Promise<void> | null = null;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(redis: Redis, names: ViewNames, state: PartitionState, log: Logger, events: ViewEvents) {
    this.#redis = redis;
    this.#names = names;
    this.#state = state;
    this.#log = log;
    this.#events = events;
  }

  /** Keys committed up to `mark` (the batch's highest changelog position). */
  record(changes: Iterable<[string, KeyEntry]>, mark: string): void {
    for (const [member, entry] of changes) this.#pending.set(member, entry);
    if (mark > this.#pendingMark) this.#pendingMark = mark;
    this.#kick();
  }

  /** After a restore: the view may lack what the replay found, so write the whole partition. */
  rewriteWhole(): void {
    this.#whole = true;
    if (this.#state.applied > this.#pendingMark) this.#pendingMark = this.#state.applied;
    this.#kick();
  }

  /** Resolves once nothing is pending or in flight (tests, drain). */
  async settled(): Promise<void> {
    while (this.#flying) await this.#flying;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  #kick(): void {
    if (this.#flying || this.#closed) return;
    if (!this.#whole && this.#pending.size === 0) return;
    this.#flying = this.#write().finally(() => {
      this.#flying = null;
      this.#kick();
    });
  }

  async #write(): Promise<void> {
    const whole = this.#whole;
    const entries = whole ? [...this.#state.entries()] : [...this.#pending];
    const mark = whole && this.#state.applied > this.#pendingMark ? this.#state.applied : this.#pendingMark;
    this.#pending = new Map();
    this.#whole = false;
    const multi = viewMulti(this.#redis);
    for (const [member, entry] of entries) {
      multi.setIfNewer(this.#names.stateKey(member), this.#names.keySet, entry.position, JSON.stringify(entry.value), member);
    }
    // A whole rewrite sets the mark even at START: an empty mark means "replay from the start".
    const withMark = whole || mark !== START;
    if (withMark) multi.advanceMark(this.#names.mark, mark, whole ? '1' : '0');
    try {
      const results = await multi.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('MULTI discarded');
      const markResult = withMark ? results[results.length - 1]![1] : 1;
      if (markResult === -1) {
        this.#log.warn({ mark: this.#names.mark }, 'redis view lost its restore mark (flushed?); rewriting the partition');
        this.#whole = true;
      }
      this.#events.written(entries.length, whole);
    } catch (err) {
      this.#events.failed(err);
      this.#log.warn({ err: String(err) }, 'redis view write failed; the partition will be rewritten');
      this.#retryLater();
    }
  }

  #retryLater(): void {
    // Whatever this write held is in memory: a whole rewrite covers it.
    this.#whole = true;
    clearTimeout(this.#retry);
    if (this.#closed) return;
    this.#retry = setTimeout(() => this.#kick(), RETRY_MS);
    this.#retry.unref();
  }
}

/** The view of a partition as Redis holds it: its restore mark and every key with its position. */
export async function readView(redis: Redis, names: ViewNames): Promise<{ mark: string; entries: [string, KeyEntry][] }> {
  const [[markErr, mark], [setErr, members]] = (await redis.multi().get(names.mark).smembers(names.keySet).exec()) as [[Error | null, string | null], [Error | null, string[]]];
  if (markErr || setErr) throw markErr ?? setErr;
  if (mark === null) return { mark: START, entries: [] };
  const pipeline = redis.pipeline();
  for (const member of members) pipeline.hmget(names.stateKey(member), 'pos', 'value');
  const rows = (await pipeline.exec()) ?? [];
  const entries: [string, KeyEntry][] = [];
  rows.forEach(([err, row], i) => {
    if (err) throw err;
    const [position, value] = row as [string | null, string | null];
    if (position !== null && value !== null) entries.push([members[i]!, { position, value: JSON.parse(value) as KeyEntry['value'] }]);
  });
  return { mark, entries };
}
