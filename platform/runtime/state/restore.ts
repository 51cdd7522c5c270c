// Restore of a partition a loop has just gained (README "Restore"): the Redis view first (its
// mark and keys), then the changelog from the mark; without a mark, or without Redis, the whole
// changelog. The replay goes up to a fence record this owner writes first, so it also takes in
// (or waits out) the previous owner's last transaction. The result is the partition's whole
// state in memory.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PulsarClient } from '../../pulsar/index.ts';
import { replayChangelog, type ReplayOptions } from './changelog.ts';
import { PartitionState } from './partition-state.ts';
import type { ViewNames } from './redis-names.ts';
import { readView } from './redis-view.ts';
import { START } from './position.ts';

export interface RestoreSource {
  client: PulsarClient;
  redis: Redis;
  names: ViewNames;
  changelogPartition: string;
  partition: number;
  redisTimeoutMs: number;
  replay: ReplayOptions;
  /** Writes the fence record and says how to recognise it (state/bookkeeping.ts). */
  fence: () => Promise<ReplayOptions['until']>;
  log: Logger;
}

export interface Restored { state: PartitionState; fromRedis: number; replayed: number; mark: string }

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function restorePartition(source: RestoreSource): Promise<Restored> {
  const state = new PartitionState();
  let mark = START;
  let fromRedis = 0;
  try {
    const view = await withTimeout(readView(source.redis, source.names), source.redisTimeoutMs, 'reading the redis view');
    for (const [member, entry] of view.entries) state.seed(member, entry);
    mark = view.mark;
    fromRedis = view.entries.length;
  } catch (err) {
    // Redis is only a view: without it the changelog from the start gives the same state.
    source.log.warn({ err: String(err) }, 'redis view unreadable; restoring from the whole changelog');
  }
  state.applied = mark;
  const until = await source.fence();
  const replayed = await replayChangelog(source.client, source.changelogPartition, source.partition, state, { ...source.replay, until });
  return { state, fromRedis, replayed, mark };
}
