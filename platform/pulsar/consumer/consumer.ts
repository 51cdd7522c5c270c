// The public consumer: one PartitionConsumer per partition of each subscribed topic, all
// feeding one queue that `receive`, `receiveBatch` and `for await` read. Dead-letter and retry
// topics follow Java's names and properties (PROTOCOL.md §6.7). Two polls keep the set of
// partitions current, as Java's: partitioned metadata (partitions added later are consumed) and,
// for a topics pattern, the namespace's topic list (new matching topics are consumed, deleted
// ones dropped).
import { ClientErrorCode, PulsarError } from '../errors.ts';
import type { ClientContext, TransactionHandle } from '../context.ts';
import { namespaceTopics, partitionCount } from '../partition-metadata.ts';
import { startPeriodic, type PeriodicTask } from '../periodic-task.ts';
import type { ConsumerStats } from '../stats.ts';
import { MessageId, type Message } from '../message/index.ts';
import { Producer } from '../producer/index.ts';
import type { SchemaInfo } from '../schema.ts';
import { TopicName } from '../topic/index.ts';
import { keySharedMeta, type KeySharedPolicy } from './key-shared.ts';
import { nackBackoff, type NackBackoff } from './nack-tracker.ts';
import {
  PartitionConsumer, type Delivery, type InitialPosition, type PartitionConsumerOptions, type SubscriptionType,
} from './partition-consumer.ts';
import { parseTopicPattern, TopicsPatternMode, type TopicPattern } from './topic-pattern.ts';

export interface DeadLetterPolicy {
  /** A message redelivered this many times goes to the dead-letter topic instead of the application. */
  maxRedeliverCount: number;
  /** Default `<topic>-<subscription>-DLQ`. */
  deadLetterTopic?: string;
}

export interface RetryPolicy {
  /** Default `<topic>-<subscription>-RETRY`. */
  retryTopic?: string;
  /** Reconsumed more than this many times → dead-letter topic. Default 16 (Java's). */
  maxReconsumeTimes?: number;
}

export interface ConsumerOptions {
  topic?: string;
  topics?: string[];
  /**
   * Every topic of one namespace whose name matches, e.g. `persistent://public/default/orders-.*`
   * (whole-name match, scheme left out as in Java), re-discovered every
   * `patternAutoDiscoveryPeriodMs`. Instead of `topic`/`topics`.
   */
  topicsPattern?: string | RegExp;
  /** Which domains a pattern covers. Default the pattern's scheme (persistent when none). */
  topicsPatternMode?: keyof typeof TopicsPatternMode;
  /** 0 never re-discovers. Default 60 s (Java's). */
  patternAutoDiscoveryPeriodMs?: number;
  /** How often partitioned topics' partition counts are re-read; 0 never. Default 60 s (Java's). */
  autoUpdatePartitionsIntervalMs?: number;
  subscription: string;
  /** Default Exclusive. */
  type?: SubscriptionType;
  /** Key_Shared policy (type KeyShared only): AUTO_SPLIT (default) or STICKY with hash ranges. */
  keyShared?: KeySharedPolicy;
  /** Default Latest. */
  initialPosition?: InitialPosition;
  /** Default 1000. */
  receiverQueueSize?: number;
  /**
   * Payload bytes the receive queue may hold: past it no flow permits are granted until the
   * application takes messages (a queue of 1000 large messages would otherwise hold gigabytes).
   * Default 64 MiB; 0 means no cap.
   */
  maxQueuedBytes?: number;
  consumerName?: string;
  /** Default 100 ms; 0 sends every ack at once. */
  ackGroupingMs?: number;
  /** Ack single messages of a batch with ack_set (needs acknowledgmentAtBatchIndexLevelEnabled on the broker). */
  batchIndexAck?: boolean;
  /** Default 60 s. */
  nackRedeliveryDelayMs?: number;
  /** Nack delay growing with the redelivery count (min × multiplier^count, capped); replaces nackRedeliveryDelayMs. */
  nackBackoff?: NackBackoff;
  /** 0 (default) disables. */
  ackTimeoutMs?: number;
  priorityLevel?: number;
  readCompacted?: boolean;
  replicateSubscriptionState?: boolean;
  subscriptionProperties?: Record<string, string>;
  deadLetter?: DeadLetterPolicy;
  retry?: RetryPolicy;
  /** The schema this consumer reads with; checked against the topic's by the registry. Default none (bytes). */
  schema?: SchemaInfo;
  /** Incomplete chunked messages held at once per partition; default 10 (Java's maxPendingChunkedMessage). */
  maxPendingChunkedMessage?: number;
  /** Default 60 s. */
  expireTimeOfIncompleteChunkedMessageMs?: number;
  /** Past maxPendingChunkedMessage: ack the oldest incomplete one's chunks and drop it, instead of delivering it with `error`. Default false. */
  autoAckOldestChunkedMessageOnQueueFull?: boolean;
  /** Bytes held for incomplete chunked messages per partition; default 64 MiB. */
  maxPendingChunkedBytes?: number;
}

/** Reader-only options, see Client.createReader. */
export interface InternalConsumerOptions extends ConsumerOptions {
  durable?: boolean;
  startMessageId?: MessageId;
}

interface Queued {
  from: PartitionConsumer;
  message: Message;
}

export const RETRY_PROPERTIES = {
  realTopic: 'REAL_TOPIC',
  originMessageId: 'ORIGIN_MESSAGE_ID',
  reconsumeTimes: 'RECONSUMETIMES',
  delayTime: 'DELAY_TIME',
} as const;

export class Consumer implements Delivery, AsyncIterable<Message> {
  readonly subscription: string;
  #ctx: ClientContext;
  #options: InternalConsumerOptions;
  #children: PartitionConsumer[] = [];
  #byTopic = new Map<string, PartitionConsumer>();
  #queue: Queued[] = [];
  #head = 0;
  #waiters: { resolve(q: Queued | null): void; reject(e: PulsarError): void }[] = [];
  #closed = false;
  #failure: PulsarError | null = null;
  #dlq: Promise<Producer> | undefined;
  #retry: Promise<Producer> | undefined;
  #primaryTopics: string[];
  #pattern: TopicPattern | undefined;
  #perPartition: PartitionConsumerOptions;
  /** Subscribed topics (partitioned names) → their partition count, 0 when not partitioned. */
  #partitionCounts = new Map<string, number>();
  #watches: PeriodicTask[] = [];
  #queuedBytes = 0;
  #maxQueuedBytes: number;
  #counters = { messagesReceived: 0, bytesReceived: 0, acks: 0, nacks: 0, redeliveredMessages: 0, deadLettered: 0 };

  private constructor(ctx: ClientContext, options: InternalConsumerOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.subscription = options.subscription;
    this.#primaryTopics = options.topics ?? (options.topic ? [options.topic] : []);
    const invalid = (why: string) => new PulsarError(ClientErrorCode.InvalidConfiguration, why);
    if (options.topicsPattern !== undefined) {
      if (this.#primaryTopics.length > 0) throw invalid('give `topicsPattern` or `topic`/`topics`, not both');
      // Java names them after the first topic; a pattern has none to name them after.
      if ((options.deadLetter && !options.deadLetter.deadLetterTopic) || (options.retry && !options.retry.retryTopic)) {
        throw invalid('a `topicsPattern` consumer needs an explicit deadLetterTopic / retryTopic');
      }
      this.#pattern = parseTopicPattern(options.topicsPattern, options.topicsPatternMode);
    } else if (this.#primaryTopics.length === 0) {
      throw invalid('a consumer needs `topic`, `topics` or `topicsPattern`');
    }
    const type = options.type ?? 'Exclusive';
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    if (!Number.isSafeInteger(this.#maxQueuedBytes) || this.#maxQueuedBytes < 0) throw invalid('maxQueuedBytes must be a whole number of bytes >= 0');
    if (options.keyShared && type !== 'KeyShared') throw invalid(`keyShared is for type KeyShared, not ${type}`);
    this.#perPartition = {
      subscription: options.subscription,
      type,
      initialPosition: options.initialPosition ?? 'Latest',
      receiverQueueSize: options.receiverQueueSize ?? 1000,
      consumerName: options.consumerName,
      ackGroupingMs: options.ackGroupingMs ?? 100,
      batchIndexAck: options.batchIndexAck ?? false,
      nackRedeliveryDelayMs: options.nackRedeliveryDelayMs ?? 60_000,
      nackBackoff: options.nackBackoff ? nackBackoff(options.nackBackoff) : undefined,
      keySharedMeta: type === 'KeyShared' ? keySharedMeta(options.keyShared) : undefined,
      ackTimeoutMs: options.ackTimeoutMs ?? 0,
      priorityLevel: options.priorityLevel,
      readCompacted: options.readCompacted,
      replicateSubscriptionState: options.replicateSubscriptionState,
      durable: options.durable ?? true,
      startMessageId: options.startMessageId,
      subscriptionProperties: options.subscriptionProperties,
      schema: options.schema,
      chunks: {
        maxPendingChunkedMessages: options.maxPendingChunkedMessage,
        expireTimeOfIncompleteChunkedMessageMs: options.expireTimeOfIncompleteChunkedMessageMs,
        autoAckOldestChunkedMessageOnQueueFull: options.autoAckOldestChunkedMessageOnQueueFull,
        maxPendingChunkedBytes: options.maxPendingChunkedBytes,
      },
    };
  }

  static async create(ctx: ClientContext, options: InternalConsumerOptions): Promise<Consumer> {
    const consumer = new Consumer(ctx, options);
    try {
      const topics = consumer.#pattern ? await consumer.#discover() : consumer.#primaryTopics.map((t) => TopicName.parse(t));
      if (options.retry) topics.push(TopicName.parse(consumer.#retryTopicName()));
      await Promise.all(topics.map((t) => consumer.#addTopic(t)));
    } catch (err) {
      await consumer.close().catch(() => undefined);
      throw err;
    }
    consumer.#watch();
    return consumer;
  }

  #watch(): void {
    const { logger } = this.#ctx;
    const partitions = startPeriodic(this.#options.autoUpdatePartitionsIntervalMs ?? 60_000, () => this.#addNewPartitions(), logger, 'partition update');
    const pattern = this.#pattern && startPeriodic(this.#options.patternAutoDiscoveryPeriodMs ?? 60_000, () => this.#rediscover(), logger, 'topic pattern discovery');
    this.#watches = [partitions, pattern].filter((t): t is PeriodicTask => t !== undefined);
  }

  /** The pattern's matching topics, as listed now. */
  async #discover(): Promise<TopicName[]> {
    const pattern = this.#pattern!;
    const listed = await namespaceTopics(this.#ctx, pattern.namespace, TopicsPatternMode[pattern.mode]);
    return pattern.select(listed).map((t) => TopicName.parse(t));
  }

  /**
   * Subscribe every partition of `topic`. Topics and partitions found after creation start at
   * Earliest: they appeared after this consumer did, so all they hold is new to it, and Latest
   * would skip what was produced before the poll noticed them.
   */
  async #addTopic(topic: TopicName, initialPosition?: InitialPosition): Promise<void> {
    const name = String(topic);
    if (this.#partitionCounts.has(name)) return;
    this.#partitionCounts.set(name, 0); // claimed before awaiting: a concurrent poll leaves it alone
    try {
      const n = topic.isPartition ? 0 : await partitionCount(this.#ctx, name, 'consumer');
      this.#partitionCounts.set(name, n);
      await this.#attachPartitions(topic, 0, n, initialPosition);
    } catch (err) {
      this.#partitionCounts.delete(name);
      throw err;
    }
  }

  /** Consumers for partitions [from, to) of `topic` (to = 0: `topic` is not partitioned), attached. */
  async #attachPartitions(topic: TopicName, from: number, to: number, initialPosition?: InitialPosition): Promise<void> {
    const names = to === 0
      ? [[String(topic), topic.partitionIndex] as const]
      : Array.from({ length: to - from }, (_, i) => [String(topic.partition(from + i)), from + i] as const);
    const options = initialPosition ? { ...this.#perPartition, initialPosition } : this.#perPartition;
    const children = names.map(([name, partition]) => new PartitionConsumer(this.#ctx, this, name, partition, { ...options }));
    for (const child of children) {
      this.#children.push(child);
      this.#byTopic.set(child.topic, child);
    }
    const results = await Promise.allSettled(children.map((c) => c.start()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      await this.#detach(children);
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  async #detach(children: readonly PartitionConsumer[]): Promise<void> {
    const gone = new Set(children);
    this.#children = this.#children.filter((c) => !gone.has(c));
    for (const c of children) {
      this.#byTopic.delete(c.topic);
      this.purge(c);
    }
    await Promise.all(children.map((c) => c.close().catch(() => undefined)));
  }

  async #addNewPartitions(): Promise<void> {
    for (const [name, have] of [...this.#partitionCounts]) {
      if (have === 0) continue; // not partitioned, or still being added
      const n = await this.#ctx.lookup.partitions(name);
      if (n <= have || this.#closed || this.#partitionCounts.get(name) !== have) continue;
      this.#partitionCounts.set(name, n);
      try {
        await this.#attachPartitions(TopicName.parse(name), have, n, 'Earliest');
      } catch (err) {
        this.#partitionCounts.set(name, have);
        throw err;
      }
      this.#ctx.logger.info({ topic: name, from: have, to: n }, 'consuming new partitions');
    }
  }

  async #rediscover(): Promise<void> {
    const found = await this.#discover();
    if (this.#closed) return;
    const keep = new Set(found.map(String));
    if (this.#options.retry) keep.add(String(TopicName.parse(this.#retryTopicName())));
    for (const name of [...this.#partitionCounts.keys()]) {
      if (keep.has(name)) continue;
      this.#partitionCounts.delete(name);
      await this.#detach(this.#children.filter((c) => String(TopicName.parse(c.topic).base) === name));
      this.#ctx.logger.info({ topic: name }, 'topic no longer matches the pattern (deleted?): unsubscribed from it');
    }
    for (const topic of found) {
      if (this.#closed || this.#partitionCounts.has(String(topic))) continue;
      try {
        await this.#addTopic(topic, 'Earliest');
        this.#ctx.logger.info({ topic: String(topic) }, 'consuming a new topic matching the pattern');
      } catch (err) {
        this.#ctx.logger.warn({ topic: String(topic), err: String(err) }, 'cannot subscribe to a topic matching the pattern; retrying at the next discovery');
      }
    }
  }

  get topics(): string[] {
    return [...this.#byTopic.keys()];
  }

  /**
   * Failover: whether the broker made this consumer the active one on at least one partition
   * (ACTIVE_CONSUMER_CHANGE, PROTOCOL.md §3.6). Other subscription types are always active.
   */
  get isActive(): boolean {
    return this.#children.some((c) => c.isActive);
  }

  // Delivery
  push(from: PartitionConsumer, messages: Message[]): void {
    const policy = this.#options.deadLetter;
    const counters = this.#counters;
    counters.messagesReceived += messages.length;
    for (const message of messages) {
      counters.bytesReceived += message.value.length;
      if (message.redeliveryCount > 0) counters.redeliveredMessages++;
      // Dead-lettered on arrival, so the application never sees it again (PROTOCOL.md §6.7).
      if (policy && message.redeliveryCount >= policy.maxRedeliverCount) {
        counters.deadLettered++;
        this.#deliver(from, message, 1);
        void this.#divertToDeadLetter({ from, message });
        continue;
      }
      const waiter = this.#waiters.shift();
      if (waiter) {
        this.#deliver(from, message, 1);
        waiter.resolve({ from, message });
      } else {
        this.#queue.push({ from, message });
        this.#queuedBytes += message.value.length;
      }
    }
    this.#ctx.instrumentation.emit('consumer.receive', () => ({ topic: from.topic, subscription: this.subscription, messages: messages.length }));
  }

  purge(from: PartitionConsumer): number {
    const before = this.#queue.length - this.#head;
    this.#queue = this.#queue.slice(this.#head).filter((q) => q.from !== from);
    this.#head = 0;
    const wasFull = this.queueFull();
    this.#queuedBytes = this.#queue.reduce((n, q) => n + q.message.value.length, 0);
    if (wasFull) this.#resumeFlowIfRoom();
    return before - this.#queue.length;
  }

  queueFull(): boolean {
    return this.#maxQueuedBytes > 0 && this.#queuedBytes >= this.#maxQueuedBytes;
  }

  /** Partition consumers held back their permits while the queue was full: let them grant them. */
  #resumeFlowIfRoom(): void {
    if (this.queueFull()) return;
    for (const c of this.#children) c.delivered(0);
  }

  failed(from: PartitionConsumer, err: PulsarError): void {
    this.#ctx.logger.error({ topic: from.topic, code: err.code, err: err.message }, 'consumer failed permanently');
    this.#failure = err;
    this.#waiters.splice(0).forEach((w) => w.reject(err));
  }

  #deliver(from: PartitionConsumer, message: Message, count: number): void {
    from.delivered(count, message.id);
  }

  #take(): Queued | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const q = this.#queue[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const wasFull = this.queueFull();
    this.#queuedBytes -= q.message.value.length;
    this.#deliver(q.from, q.message, 1);
    if (wasFull) this.#resumeFlowIfRoom();
    return q;
  }

  /** The next message; rejects with AlreadyClosed once the consumer is closed. */
  async receive(timeoutMs?: number): Promise<Message> {
    const q = await this.#next(timeoutMs);
    if (!q) throw new PulsarError(ClientErrorCode.Timeout, `no message within ${timeoutMs} ms`, { retriable: true });
    return q.message;
  }

  async #next(timeoutMs?: number): Promise<Queued | null> {
    if (this.#closed) throw new PulsarError(ClientErrorCode.AlreadyClosed, 'consumer is closed');
    if (this.#failure) throw this.#failure;
    const q = this.#take();
    if (q) return q;
    return new Promise<Queued | null>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#waiters.push(waiter);
      if (timeoutMs !== undefined) {
        setTimeout(() => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) { this.#waiters.splice(i, 1); resolve(null); }
        }, timeoutMs);
      }
    });
  }

  /**
   * Up to `maxMessages`, waiting at most `timeoutMs` for the first and then taking whatever is
   * already queued: the runtime's "N messages or T ms" batch (DESIGN.md, exactly-once loop).
   */
  async receiveBatch(options: { maxMessages?: number; timeoutMs?: number } = {}): Promise<Message[]> {
    const max = options.maxMessages ?? 100;
    const first = await this.#next(options.timeoutMs ?? 100);
    if (!first) return [];
    const out: Message[] = [first.message];
    // The rest synchronously: awaiting each queued message cost a promise and a microtask apiece.
    for (let q = out.length < max ? this.#take() : undefined; q; q = out.length < max ? this.#take() : undefined) out.push(q.message);
    return out;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    for (;;) {
      let message: Message;
      try {
        message = await this.receive();
      } catch (err) {
        if (err instanceof PulsarError && err.code === ClientErrorCode.AlreadyClosed) return;
        throw err;
      }
      yield message;
    }
  }

  #child(message: Message | MessageId, topic?: string): PartitionConsumer {
    const t = topic ?? (message as Message).topic;
    const child = (t && this.#byTopic.get(t)) || (this.#children.length === 1 ? this.#children[0] : undefined);
    if (!child) throw new PulsarError(ClientErrorCode.InvalidConfiguration, `message from ${t} does not belong to this consumer`);
    return child;
  }

  ack(message: Message): void {
    this.#child(message).ack(message.id);
    this.#counters.acks++;
  }

  /**
   * Ack `message` and everything before it on its partition (inside a batch: the earlier
   * indexes, not the later ones). Throws CumulativeAckNotAllowed on Shared and Key_Shared.
   */
  ackCumulative(message: Message): void {
    this.#child(message).ackCumulative(message.id);
    this.#counters.acks++;
  }

  /**
   * Acknowledge inside a transaction; the ack is final only when the transaction commits. Pass
   * a batch's messages together: they go in one request per partition (and one pending-ack
   * write in the broker) instead of one each. Cumulative acks the highest message per partition.
   */
  ackWithTxn(messages: Message | readonly Message[], txn: TransactionHandle, options: { cumulative?: boolean } = {}): Promise<void> {
    const list = Array.isArray(messages) ? (messages as readonly Message[]) : [messages as Message];
    const byChild = new Map<PartitionConsumer, MessageId[]>();
    for (const m of list) {
      const child = this.#child(m);
      const ids = byChild.get(child);
      if (ids) ids.push(m.id);
      else byChild.set(child, [m.id]);
    }
    const cumulative = options.cumulative ?? false;
    const operation = Promise.all([...byChild].map(([child, ids]) => child.ackWithTxn(ids, txn, cumulative))).then(() => undefined);
    txn.track(operation);
    this.#counters.acks += list.length;
    return operation;
  }

  /** Redeliver after nackRedeliveryDelayMs, or after the nackBackoff delay for its redelivery count. */
  nack(message: Message): void {
    this.#child(message).nack(message.id, message.redeliveryCount);
    this.#counters.nacks++;
  }

  /** Counters since creation, over every partition; see ConsumerStats. */
  stats(): ConsumerStats {
    return { ...this.#counters, queuedMessages: this.#queue.length - this.#head, queuedBytes: this.#queuedBytes };
  }

  /**
   * Redeliver every unacked message of this consumer now. On Exclusive/Failover the stream
   * restarts from the first unacked message; nothing sent before this call is handed out after it.
   */
  redeliverUnacknowledged(): void {
    for (const c of this.#children) c.redeliver([]);
  }

  async seek(target: MessageId | number): Promise<void> {
    const children = typeof target === 'number' || target.partition < 0 ? this.#children : this.#children.filter((c) => c.partition === (target as MessageId).partition);
    await Promise.all(children.map((c) => c.seek(target)));
  }

  /** Entry-level id of the last message in the topic (first partition for partitioned topics). */
  getLastMessageId(): Promise<MessageId> {
    return this.#children[0]!.getLastMessageId();
  }

  /** Publish a copy to the retry topic, delayed, and ack the original (PROTOCOL.md §6.7). */
  async reconsumeLater(message: Message, delayMs: number): Promise<void> {
    const retry = this.#options.retry;
    if (!retry) throw new PulsarError(ClientErrorCode.InvalidConfiguration, 'reconsumeLater needs a retry policy');
    const times = Number(message.properties[RETRY_PROPERTIES.reconsumeTimes] ?? '0') + 1;
    const properties: Record<string, string> = {
      ...message.properties,
      [RETRY_PROPERTIES.reconsumeTimes]: String(times),
      [RETRY_PROPERTIES.delayTime]: String(delayMs),
    };
    properties[RETRY_PROPERTIES.realTopic] ??= message.topic;
    properties[RETRY_PROPERTIES.originMessageId] ??= message.id.toString();
    const out = { value: message.value, properties, ...(message.key !== undefined ? { key: message.key } : {}) };
    if (times > (retry.maxReconsumeTimes ?? 16)) {
      await (await this.#deadLetterProducer()).send(out);
    } else {
      await (await this.#retryProducer()).send({ ...out, deliverAfterMs: delayMs });
    }
    this.ack(message);
  }

  async #divertToDeadLetter(q: Queued): Promise<void> {
    const m = q.message;
    try {
      const producer = await this.#deadLetterProducer();
      await producer.send({
        value: m.value,
        properties: { ...m.properties, [RETRY_PROPERTIES.realTopic]: m.topic, [RETRY_PROPERTIES.originMessageId]: m.id.toString() },
        ...(m.key !== undefined ? { key: m.key } : {}),
      });
      this.ack(m);
    } catch (err) {
      this.#ctx.logger.warn({ topic: m.topic, err: String(err) }, 'dead-letter publish failed; nacking');
      this.nack(m);
    }
  }

  #baseTopic(): TopicName {
    return TopicName.parse(this.#primaryTopics[0]!).base;
  }

  #retryTopicName(): string {
    return this.#options.retry?.retryTopic ?? `${this.#baseTopic()}-${this.subscription}-RETRY`;
  }

  #deadLetterProducer(): Promise<Producer> {
    const topic = this.#options.deadLetter?.deadLetterTopic ?? `${this.#baseTopic()}-${this.subscription}-DLQ`;
    this.#dlq ??= Producer.create(this.#ctx, { topic, batching: false });
    this.#dlq.catch(() => { this.#dlq = undefined; });
    return this.#dlq;
  }

  #retryProducer(): Promise<Producer> {
    this.#retry ??= Producer.create(this.#ctx, { topic: this.#retryTopicName(), batching: false });
    this.#retry.catch(() => { this.#retry = undefined; });
    return this.#retry;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const err = new PulsarError(ClientErrorCode.AlreadyClosed, 'consumer is closed');
    this.#waiters.splice(0).forEach((w) => w.reject(err));
    await Promise.all(this.#watches.map((w) => w.stop()));
    await Promise.all(this.#children.map((c) => c.close()));
    await Promise.all([this.#dlq, this.#retry].map((p) => p?.then((pr) => pr.close(), () => undefined)));
  }

  async unsubscribe(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#watches.map((w) => w.stop()));
    await Promise.all(this.#children.map((c) => c.close(true)));
    await Promise.all([this.#dlq, this.#retry].map((p) => p?.then((pr) => pr.close(), () => undefined)));
  }
}
