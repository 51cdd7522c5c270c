// The exactly-once loop of one input partition (README "The exactly-once loop"). Each cycle
// subscribes a fresh Failover consumer, waits until the broker makes it the active one, restores
// (or re-syncs) the partition's state, and runs batches until it is stopped, loses the
// partition, or a batch aborts; then it closes that consumer and starts over. A fresh consumer
// gets the partition from its first un-acked input and never sees deliveries meant for the old
// one, so an abort cannot make inputs arrive twice or out of order.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Consumer, Message, Producer, PulsarClient } from '../pulsar/index.ts';
import { TransactionState } from '../pulsar/index.ts';
import type { FunctionSlot } from './batch/function-slot.ts';
import { publishBatch, type BatchProducers } from './batch/publish.ts';
import { runBatch } from './batch/run-batch.ts';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';
import type { PipelineLabels, RuntimeMetrics } from './metrics.ts';
import { lastInput, lastInputChange, fenceRecord, isFence } from './state/bookkeeping.ts';
import { encodeRecord, replayChangelog, type ChangelogRecord } from './state/changelog.ts';
import type { PartitionState } from './state/partition-state.ts';
import { START } from './state/position.ts';
import type { ViewNames } from './state/redis-names.ts';
import { RedisView } from './state/redis-view.ts';
import { restorePartition } from './state/restore.ts';

export interface LoopSettings {
  batchMaxMessages: number;
  batchMaxWaitMs: number;
  txnTimeoutMs: number;
  redisTimeoutMs: number;
  replayIdleTimeoutMs: number;
  backoffMaxMs: number;
}

export interface LoopDeps {
  client: PulsarClient;
  redis: Redis;
  labels: PipelineLabels;
  /** The input partition topic, its index, its changelog partition topic and subscription. */
  inputPartition: string;
  partition: number;
  changelogPartition: string;
  subscription: string;
  /** Stable per worker: Failover assigns partitions by consumer name. */
  consumerName: string;
  viewNames: ViewNames;
  slots: FunctionSlot[];
  producers: Omit<BatchProducers, 'changelog'>;
  settings: LoopSettings;
  log: Logger;
  metrics: RuntimeMetrics;
}

export const LoopStatus = { Standby: 'standby', Restoring: 'restoring', Active: 'active', Stopped: 'stopped' } as const;
export type LoopStatus = (typeof LoopStatus)[keyof typeof LoopStatus];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class PartitionLoop {
  #d: LoopDeps;
  #status: LoopStatus = LoopStatus.Standby;
  #stopping = false;
  #state: PartitionState | undefined;
  #view: RedisView | undefined;
  #changelog: Promise<Producer> | undefined;
  #committedBatches = 0;

  constructor(deps: LoopDeps) {
    this.#d = deps;
  }

  get status(): LoopStatus {
    return this.#status;
  }

  get committedBatches(): number {
    return this.#committedBatches;
  }

  /** Finish (or abort) the batch in hand, then return from run(). */
  stop(): void {
    this.#stopping = true;
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      let consumer: Consumer | undefined;
      try {
        consumer = await this.#d.client.subscribe({
          topic: this.#d.inputPartition, subscription: this.#d.subscription, type: 'Failover', consumerName: this.#d.consumerName,
          initialPosition: 'Earliest', receiverQueueSize: Math.max(100, this.#d.settings.batchMaxMessages * 2),
        });
        if (!(await this.#waitActive(consumer))) continue;
        if (!this.#state) {
          // The fence in the restore may have waited out the previous owner's last transaction;
          // a fresh consumer then gets what that transaction's abort gave back, in order.
          await this.#restore();
          continue;
        }
        await this.#resync();
        while (!this.#stopping && consumer.isActive) {
          const received = await consumer.receiveBatch({ maxMessages: this.#d.settings.batchMaxMessages, timeoutMs: this.#d.settings.batchMaxWaitMs });
          // Inputs a committed batch already acked (a partly acked batch entry comes back whole).
          const last = lastInput(this.#state);
          const batch = last ? received.filter((m) => m.id.compare(last) > 0) : received;
          if (batch.length === 0) continue;
          await this.#runBatch(consumer, batch);
          failures = 0;
        }
        if (!this.#stopping) this.#release('the broker made another consumer active');
      } catch (err) {
        failures++;
        const e = err as RuntimeError;
        this.#d.log.warn({ err: String(err), cause: e.cause ? String(e.cause) : undefined, failures }, 'partition cycle failed; starting over on a fresh consumer');
        if (!this.#stopping) await sleep(Math.min(this.#d.settings.backoffMaxMs, 200 * 2 ** Math.min(failures - 1, 10)));
      } finally {
        await consumer?.close().catch(() => undefined);
      }
    }
    // Drain: what was committed reaches the view before the connections close.
    await this.#view?.settled();
    this.#release('stopped');
    await this.#changelog?.then((p) => p.close()).catch(() => undefined);
    this.#status = LoopStatus.Stopped;
  }

  async #waitActive(consumer: Consumer): Promise<boolean> {
    this.#status = LoopStatus.Standby;
    while (!this.#stopping && !consumer.isActive) await sleep(50);
    return !this.#stopping;
  }

  /** On gaining the partition: Redis view, then the changelog up to this owner's fence. */
  async #restore(): Promise<void> {
    const d = this.#d;
    this.#status = LoopStatus.Restoring;
    const restored = await restorePartition({
      client: d.client, redis: d.redis, names: d.viewNames, changelogPartition: d.changelogPartition, partition: d.partition,
      redisTimeoutMs: d.settings.redisTimeoutMs, log: d.log,
      // A dead owner's open transaction holds the reader back until the coordinator aborts it.
      replay: { idleTimeoutMs: d.settings.replayIdleTimeoutMs + d.settings.txnTimeoutMs },
      fence: () => this.#writeFence(),
    });
    this.#state = restored.state;
    this.#view = new RedisView(d.redis, d.viewNames, restored.state, d.log, {
      written: () => undefined,
      failed: () => d.metrics.redisWriteFailed(d.labels),
    });
    this.#view.rewriteWhole();
    d.metrics.restored(d.labels, restored.fromRedis, restored.replayed);
    d.metrics.owned(d.labels, 1);
    d.log.info({ fromRedis: restored.fromRedis, replayed: restored.replayed, keys: restored.state.size, mark: restored.mark || 'start' }, 'partition restored');
  }

  async #writeFence(): Promise<(record: ChangelogRecord) => boolean> {
    const nonce = randomUUID();
    const producer = await this.#changelogProducer();
    const txn = await this.#d.client.newTransaction({ timeoutMs: this.#d.settings.txnTimeoutMs });
    try {
      await producer.send(encodeRecord(fenceRecord(this.#d.consumerName, nonce)), { txn });
      await txn.commit();
    } catch (err) {
      if (txn.state === TransactionState.Open) await txn.abort().catch(() => undefined);
      throw err;
    }
    return isFence(nonce);
  }

  /** After an abort, or a new consumer: catch up with what others committed meanwhile. */
  async #resync(): Promise<void> {
    const d = this.#d;
    const replayed = await replayChangelog(d.client, d.changelogPartition, d.partition, this.#state!, { idleTimeoutMs: d.settings.replayIdleTimeoutMs });
    d.metrics.resynced(d.labels, replayed);
    if (replayed > 0) this.#view?.rewriteWhole();
    this.#status = LoopStatus.Active;
  }

  #release(why: string): void {
    if (!this.#state) return;
    this.#d.log.info({ why }, 'partition released');
    this.#view?.close();
    this.#view = undefined;
    this.#state = undefined;
    this.#d.metrics.owned(this.#d.labels, -1);
  }

  #changelogProducer(): Promise<Producer> {
    this.#changelog ??= this.#d.client.createProducer({ topic: this.#d.changelogPartition, transactional: true, sendTimeoutMs: 0 }).catch((err: unknown) => {
      this.#changelog = undefined;
      throw err;
    });
    return this.#changelog;
  }

  async #runBatch(consumer: Consumer, batch: Message[]): Promise<void> {
    const d = this.#d;
    const state = this.#state!;
    const started = performance.now();
    const changelog = await this.#changelogProducer();
    const txn = await d.client.newTransaction({ timeoutMs: d.settings.txnTimeoutMs });
    let positions;
    let deadLetters: Map<string, number>;
    try {
      const outcome = await runBatch(batch, d.slots, state);
      outcome.changes.push(lastInputChange(batch.reduce((a, b) => (b.id.compare(a.id) > 0 ? b : a)).id));
      deadLetters = new Map();
      for (const l of outcome.deadLetters) deadLetters.set(l.reason, (deadLetters.get(l.reason) ?? 0) + 1);
      positions = await publishBatch(txn, { ...d.producers, changelog }, consumer, batch, outcome);
      // A loop that lost the partition meanwhile must not commit: the new owner may have restored already.
      if (!consumer.isActive) throw new RuntimeError(RuntimeErrorCode.NotActive, 'lost the partition before commit');
      await txn.commit();
    } catch (err) {
      if (txn.state === TransactionState.Open) await txn.abort().catch(() => undefined);
      d.metrics.aborted(d.labels);
      throw new RuntimeError(RuntimeErrorCode.BatchAborted, `batch of ${batch.length} aborted (transaction ${txn.id} ${txn.state})`, { retriable: true, cause: err });
    }
    let mark = START;
    for (const [member, entry] of positions) {
      state.apply(member, entry.position, entry.value);
      if (entry.position > mark) mark = entry.position;
    }
    this.#view?.record(positions, mark);
    this.#committedBatches++;
    d.metrics.committed(d.labels, batch.length, (performance.now() - started) / 1000, deadLetters);
  }

  /** Resolves when the Redis view has written everything committed so far (tests). */
  async viewSettled(): Promise<void> {
    await this.#view?.settled();
  }
}
