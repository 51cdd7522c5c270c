// The public producer: one PartitionProducer for a plain topic, or one per partition of a
// partitioned topic with a router choosing among them (PROTOCOL.md §6.4).
import type { ClientContext, TransactionHandle } from '../context.ts';
import { partitionCount } from '../partition-metadata.ts';
import { TopicName } from '../topic/index.ts';
import type { MessageId, OutgoingMessage } from '../message/index.ts';
import { PartitionProducer, type ProducerOptions } from './partition-producer.ts';
import { keyHashRouter, roundRobinRouter, singlePartitionRouter, type RoutingMode, type MessageRouter } from './router.ts';

export interface CreateProducerOptions extends ProducerOptions {
  /** For partitioned topics without a message key. Keys always hash (JavaStringHash). Default round-robin. */
  routing?: RoutingMode;
}

export interface SendOptions {
  txn?: TransactionHandle;
}

export class Producer {
  readonly topic: string;
  #partitions: PartitionProducer[];
  #router: MessageRouter;

  private constructor(topic: string, partitions: PartitionProducer[], router: MessageRouter) {
    this.topic = topic;
    this.#partitions = partitions;
    this.#router = router;
  }

  static async create(ctx: ClientContext, options: CreateProducerOptions): Promise<Producer> {
    const topic = TopicName.parse(options.topic);
    const count = topic.isPartition ? 0 : await partitionCount(ctx, String(topic), 'producer');
    const children = count === 0
      ? [new PartitionProducer(ctx, options, String(topic))]
      : Array.from({ length: count }, (_, i) => new PartitionProducer(ctx, options, String(topic.partition(i)), i));
    const results = await Promise.allSettled(children.map((c) => c.start()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(children.map((c) => c.close().catch(() => undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    const batchingDelay = options.batching === false ? 0 : (options.batching?.maxDelayMs ?? 1);
    const routing = options.routing ?? 'round-robin';
    const fallback = typeof routing === 'function'
      ? routing
      : routing === 'single' ? singlePartitionRouter() : roundRobinRouter(batchingDelay * 10);
    return new Producer(String(topic), children, typeof routing === 'function' ? routing : keyHashRouter(fallback));
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

  async close(): Promise<void> {
    await Promise.all(this.#partitions.map((p) => p.close()));
  }
}
