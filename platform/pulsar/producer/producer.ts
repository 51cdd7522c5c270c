// The public producer: one PartitionProducer for a plain topic, or one per partition of a
// partitioned topic with a router choosing among them (PROTOCOL.md §6.4). A partitioned topic's
// metadata is polled (Java's autoUpdatePartitionsInterval): partitions added later get their
// own PartitionProducer, and the router, which sees the partition count on every send, covers them.
import type { ClientContext, TransactionHandle } from '../context.ts';
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { CompressionType, prepareCompression } from '../protocol/index.ts';
import { partitionCount } from '../partition-metadata.ts';
import { startPeriodic, type PeriodicTask } from '../periodic-task.ts';
import { sumProducerCounters, type ProducerStats } from '../stats.ts';
import { TopicName } from '../topic/index.ts';
import type { MessageId, OutgoingMessage } from '../message/index.ts';
import { PartitionProducer, type ProducerOptions } from './partition-producer.ts';
import { keyHashRouter, roundRobinRouter, singlePartitionRouter, type RoutingMode, type MessageRouter } from './router.ts';

export interface CreateProducerOptions extends ProducerOptions {
  /** For partitioned topics without a message key. Keys always hash (JavaStringHash). Default round-robin. */
  routing?: RoutingMode;
  /** How often a partitioned topic's partition count is re-read; 0 never. Default 60 s (Java's). */
  autoUpdatePartitionsIntervalMs?: number;
}

export interface SendOptions {
  txn?: TransactionHandle;
}

export class Producer {
  readonly topic: string;
  #partitions: PartitionProducer[];
  #router: MessageRouter;
  #partitionUpdates: PeriodicTask | undefined;
  #closed = false;

  private constructor(topic: string, partitions: PartitionProducer[], router: MessageRouter) {
    this.topic = topic;
    this.#partitions = partitions;
    this.#router = router;
  }

  static async create(ctx: ClientContext, options: CreateProducerOptions): Promise<Producer> {
    refuseEncryption(options);
    if (options.chunking && options.batching !== false) {
      throw new PulsarError(ClientErrorCode.InvalidConfiguration, 'producer option chunking needs batching: false (a batch cannot be chunked, as in Java)');
    }
    await prepareCompression(CompressionType[options.compression ?? 'NONE']);
    const topic = TopicName.parse(options.topic);
    const count = topic.isPartition ? 0 : await partitionCount(ctx, String(topic), 'producer');
    const children = count === 0 ? [new PartitionProducer(ctx, options, String(topic))] : partitionProducers(ctx, options, topic, 0, count);
    await startAll(children);
    const batchingDelay = options.batching === false ? 0 : (options.batching?.maxDelayMs ?? 1);
    const routing = options.routing ?? 'round-robin';
    const fallback = typeof routing === 'function'
      ? routing
      : routing === 'single' ? singlePartitionRouter() : roundRobinRouter(batchingDelay * 10);
    const producer = new Producer(String(topic), children, typeof routing === 'function' ? routing : keyHashRouter(fallback));
    if (count > 0) {
      producer.#partitionUpdates = startPeriodic(
        options.autoUpdatePartitionsIntervalMs ?? 60_000,
        () => producer.#addNewPartitions(ctx, options, topic),
        ctx.logger,
        `partition update of ${topic}`,
      );
    }
    return producer;
  }

  async #addNewPartitions(ctx: ClientContext, options: CreateProducerOptions, topic: TopicName): Promise<void> {
    const have = this.#partitions.length;
    const count = await ctx.lookup.partitions(String(topic));
    if (count <= have || this.#closed) return;
    const added = await startAll(partitionProducers(ctx, options, topic, have, count));
    if (this.#closed) {
      await Promise.all(added.map((p) => p.close()));
      return;
    }
    this.#partitions = [...this.#partitions, ...added];
    ctx.logger.info({ topic: String(topic), from: have, to: count }, 'producing to new partitions');
  }

  get producerName(): string | undefined {
    return this.#partitions[0]?.name;
  }

  get partitions(): number {
    return this.#partitions.length === 1 && this.#partitions[0]!.partition < 0 ? 0 : this.#partitions.length;
  }

  send(message: OutgoingMessage, options: SendOptions = {}): Promise<MessageId> {
    const n = this.#partitions.length;
    const target = n === 1 ? this.#partitions[0]! : this.#partitions[this.#router(message, n) % n]!;
    const sent = target.send(message, options.txn);
    // Tracked now, not after the partition registration inside send(): a commit called right
    // after send() must wait for this send, or END_TXN can overtake it and commit the input
    // acks without the output (found by test/fault/pulsar-txn-copier.test.ts).
    options.txn?.track(sent);
    return sent;
  }

  async flush(): Promise<void> {
    await Promise.all(this.#partitions.map((p) => p.flush()));
  }

  /** Counters over every partition since creation; see ProducerStats. */
  stats(): ProducerStats {
    return sumProducerCounters(this.#partitions);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#partitionUpdates?.stop();
    await Promise.all(this.#partitions.map((p) => p.close()));
  }
}

function refuseEncryption(options: CreateProducerOptions): void {
  const asked = (['encryptionKeys', 'cryptoKeyReader'] as const).filter((k) => options[k] !== undefined);
  if (asked.length === 0) return;
  throw new PulsarError(ClientErrorCode.InvalidConfiguration,
    `producer option ${asked.join(' and ')}: end-to-end encryption is not supported by this client; messages would go out in plaintext`);
}

/** Producers (not yet attached) for partitions [from, to) of `topic`. */
function partitionProducers(ctx: ClientContext, options: CreateProducerOptions, topic: TopicName, from: number, to: number): PartitionProducer[] {
  return Array.from({ length: to - from }, (_, i) => new PartitionProducer(ctx, options, String(topic.partition(from + i)), from + i));
}

/** Attach every producer; one failure closes them all and is thrown. */
async function startAll(children: PartitionProducer[]): Promise<PartitionProducer[]> {
  const results = await Promise.allSettled(children.map((c) => c.start()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(children.map((c) => c.close().catch(() => undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  return children;
}
