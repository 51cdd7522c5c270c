// A consumer on one (partition) topic: SUBSCRIBE, flow permits, acks, nacks, redelivery and
// reconnect. Permits (PROTOCOL.md §3.6, §6.5): FLOW(receiverQueueSize) after each subscribe, then
// FLOW(n) whenever n ≥ half the queue has been handed to the application or skipped.
import { asPulsarError, ClientErrorCode, PulsarConnectionError, PulsarError, PulsarTimeoutError } from '../errors.ts';
import { ChunkMessageId, MessageId, type Message } from '../message/index.ts';
import { Backoff, retryUntilOperationTimeout, nextResourceId, reconnectWithBackoff, type Connection, type ConsumerHandler } from '../network/index.ts';
import { CommandType, has, toBigInt, toLong, type BaseCommand, type MessageIdData, type PayloadSection } from '../protocol/index.ts';
import type { ClientContext, TransactionHandle } from '../context.ts';
import { toSchemaData, type SchemaInfo } from '../schema.ts';
import { cumulativeAckData, entryData, transactionalAckData } from './ack-data.ts';
import { entryKeyOf } from '../message/message-id.ts';
import { AckTracker } from './ack-tracker.ts';
import type { KeySharedMeta } from './key-shared.ts';
import { decodeEntry, failedMessage } from './message-decoder.ts';
import { ChunkAssembler, type ChunkLimits, type ChunkOutcome } from './chunk-assembler.ts';
import { NackTracker, type NackBackoff } from './nack-tracker.ts';

export const SubscriptionType = { Exclusive: 0, Shared: 1, Failover: 2, KeyShared: 3 } as const;
export type SubscriptionType = keyof typeof SubscriptionType;
export const InitialPosition = { Latest: 0, Earliest: 1 } as const;
export type InitialPosition = keyof typeof InitialPosition;

export interface PartitionConsumerOptions {
  subscription: string;
  type: SubscriptionType;
  initialPosition: InitialPosition;
  receiverQueueSize: number;
  consumerName?: string;
  ackGroupingMs: number;
  batchIndexAck: boolean;
  nackRedeliveryDelayMs: number;
  /** Instead of the fixed delay: grows with the redelivery count. */
  nackBackoff?: Required<NackBackoff>;
  ackTimeoutMs: number;
  /** Key_Shared only; default AUTO_SPLIT. */
  keySharedMeta?: KeySharedMeta;
  priorityLevel?: number;
  readCompacted?: boolean;
  replicateSubscriptionState?: boolean;
  /** Reader: a non-durable cursor starting at `startMessageId`. */
  durable: boolean;
  startMessageId?: MessageId;
  startMessageIdInclusive?: boolean;
  subscriptionProperties?: Record<string, string>;
  schema?: SchemaInfo;
  /** Limits on reassembling chunked messages (defaults as Java's). */
  chunks?: Partial<ChunkLimits>;
}

/** Where a partition consumer delivers: the parent's shared queue. */
export interface Delivery {
  push(consumer: PartitionConsumer, messages: Message[]): void;
  /** Drop queued messages of this partition (its connection went away; the broker redelivers). */
  purge(consumer: PartitionConsumer): number;
  failed(consumer: PartitionConsumer, err: PulsarError): void;
  /** The queue holds its byte cap: permits are kept back until it does not (it then calls delivered(0)). */
  queueFull(): boolean;
}

const State = { Connecting: 0, Ready: 1, Closed: 2, Failed: 3 } as const;
type State = (typeof State)[keyof typeof State];

export class PartitionConsumer implements ConsumerHandler {
  readonly topic: string;
  readonly partition: number;
  readonly consumerId = nextResourceId();
  readonly options: PartitionConsumerOptions;
  #ctx: ClientContext;
  #delivery: Delivery;
  #state: State = State.Connecting;
  #cnx: Connection | null = null;
  #permitsToReturn = 0;
  #acks: AckTracker;
  #nacks: NackTracker;
  #unacked = new Map<string, { id: MessageId; at: number }>();
  #timer: NodeJS.Timeout | undefined;
  #backoff: Backoff;
  #reconnecting = false;
  #lastDelivered: MessageId | undefined;
  /** Failover: the broker says which consumer is active (ACTIVE_CONSUMER_CHANGE); until then, not. */
  #active: boolean;
  /**
   * Exclusive/Failover redeliver everything on a nack, an ack timeout or an aborted transaction;
   * messages the broker sent before that can still be on the wire. The epoch (PIP-84) grows with
   * each such redelivery, the broker stamps what it reads afterwards with it, and a message
   * stamped lower is stale: dropped, as Java's isValidConsumerEpoch does.
   */
  #epoch = 0n;
  readonly #redeliversAll: boolean;
  #chunks: ChunkAssembler;

  constructor(ctx: ClientContext, delivery: Delivery, topic: string, partition: number, options: PartitionConsumerOptions) {
    this.#ctx = ctx;
    this.#delivery = delivery;
    this.topic = topic;
    this.partition = partition;
    this.options = options;
    this.#active = options.type !== 'Failover';
    this.#redeliversAll = options.type === 'Exclusive' || options.type === 'Failover';
    this.#backoff = new Backoff(ctx.backoff);
    this.#acks = new AckTracker((ids, cumulative) => this.#sendAck(ids, cumulative), {
      groupMs: options.ackGroupingMs,
      batchIndexAck: options.batchIndexAck,
      canSend: () => this.#usableConnection() !== null,
    });
    this.#nacks = new NackTracker(options.nackBackoff ?? options.nackRedeliveryDelayMs);
    const nackDelay = options.nackBackoff?.minDelayMs ?? options.nackRedeliveryDelayMs;
    const tick = Math.max(100, Math.min(1000, nackDelay, options.ackTimeoutMs || 1000));
    this.#chunks = new ChunkAssembler(options.chunks);
    this.#timer = setInterval(() => { this.#redeliverDue(); this.#expireChunks(); }, tick);
    this.#timer.unref();
  }

  get isActive(): boolean {
    return this.#active;
  }

  async start(): Promise<void> {
    try {
      await retryUntilOperationTimeout({
        kind: 'consumer',
        topic: this.topic,
        backoff: this.#backoff,
        context: this.#ctx,
        operation: () => this.#attach(),
        toError: toConsumerError,
      });
    } catch (err) {
      this.#shutdown();
      this.#state = State.Failed;
      throw err;
    }
  }

  async #attach(): Promise<void> {
    const { logical, physical } = await this.#ctx.lookup.lookup(this.topic);
    const cnx = await this.#ctx.pool.get(logical, physical);
    const o = this.options;
    const subscribe: NonNullable<BaseCommand['subscribe']> = {
      topic: this.topic,
      subscription: o.subscription,
      subType: SubscriptionType[o.type],
      consumerId: toLong(this.consumerId),
      requestId: 0,
      initialPosition: InitialPosition[o.initialPosition],
      durable: o.durable,
      consumerEpoch: toLong(this.#epoch),
    };
    if (o.consumerName) subscribe.consumerName = o.consumerName;
    if (o.priorityLevel !== undefined) subscribe.priorityLevel = o.priorityLevel;
    if (o.readCompacted) subscribe.readCompacted = true;
    if (o.replicateSubscriptionState) subscribe.replicateSubscriptionState = true;
    if (o.type === 'KeyShared') subscribe.keySharedMeta = o.keySharedMeta ?? { keySharedMode: 0 }; // AUTO_SPLIT unless told (§3.6)
    const schema = toSchemaData(o.schema);
    if (schema) subscribe.schema = schema;
    if (o.subscriptionProperties) {
      subscribe.subscriptionProperties = Object.entries(o.subscriptionProperties).map(([key, value]) => ({ key, value }));
    }
    // A reader resumes after the last message it handed out (§6.5).
    const start = this.#lastDelivered ?? o.startMessageId;
    if (!o.durable && start) subscribe.startMessageId = start.toData();
    cnx.registerConsumer(this.consumerId, this);
    try {
      await cnx.request({ type: CommandType.SUBSCRIBE, subscribe });
    } catch (err) {
      cnx.unregisterConsumer(this.consumerId);
      if (err instanceof PulsarTimeoutError) {
        cnx.sendCommand({ type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId: toLong(this.consumerId), requestId: toLong(0n) } });
      }
      throw err;
    }
    if (this.#state !== State.Connecting) {
      cnx.unregisterConsumer(this.consumerId);
      return;
    }
    if (!cnx.hasConsumer(this.consumerId, this)) {
      // CLOSE_CONSUMER or a dropped connection arrived with (or right after) the SUCCESS, before
      // this continuation ran: Ready here would be a consumer on a dead connection. Attach again.
      throw new PulsarConnectionError(`consumer on ${this.topic} was closed while subscribing`);
    }
    this.#cnx = cnx;
    this.#state = State.Ready;
    this.#backoff.reset();
    this.#permitsToReturn = 0;
    // Acks made while reconnecting go first, so the broker does not redeliver what they cover.
    this.#acks.flush();
    if (o.receiverQueueSize > 0) this.#flow(o.receiverQueueSize);
  }

  #flow(permits: number): void {
    this.#cnx?.sendCommand({ type: CommandType.FLOW, flow: { consumerId: toLong(this.consumerId), messagePermits: permits } });
  }

  /** The parent handed `count` messages to the application (or dropped them): return permits. */
  delivered(count: number, last?: MessageId): void {
    if (last) {
      this.#lastDelivered = last;
      if (this.options.ackTimeoutMs > 0 && this.options.durable) this.#unacked.set(last.key(), { id: last, at: Date.now() });
    }
    this.#permitsToReturn += count;
    const threshold = Math.max(1, Math.floor(this.options.receiverQueueSize / 2));
    if (this.#permitsToReturn >= threshold && this.#state === State.Ready && !this.#delivery.queueFull()) {
      this.#flow(this.#permitsToReturn);
      this.#permitsToReturn = 0;
    }
  }

  // ConsumerHandler
  onMessage(cmd: NonNullable<BaseCommand['message']>, payload: PayloadSection | undefined): void {
    if (this.#redeliversAll && has(cmd, 'consumerEpoch') && toBigInt(cmd.consumerEpoch) < this.#epoch) {
      // Stale: sent before our last redelivery request. A chunk counts as one entry here too.
      const { messages, skipped } = decodeEntry(this.topic, this.partition, cmd, payload);
      this.delivered(messages.length + skipped);
      return;
    }
    if (payload && !payload.error && (payload.metadata?.numChunksFromMsg ?? 0) > 1) {
      this.#onChunk(cmd, payload);
      return;
    }
    const { messages, skipped, ackedByBroker } = decodeEntry(this.topic, this.partition, cmd, payload);
    if (ackedByBroker && messages.length > 0) this.#acks.ackedByBroker(messages[0]!.id, ackedByBroker);
    // A reader starting at an id (exclusive, Java's default) skips that id and anything before it.
    const start = !this.options.durable && !this.#lastDelivered && !this.options.startMessageIdInclusive ? this.options.startMessageId : undefined;
    const fresh = messages.filter((m) => !this.#acks.isPendingAck(m.id) && !(start && !start.equals(MessageId.earliest) && m.id.compare(start) <= 0));
    const dropped = skipped + (messages.length - fresh.length);
    if (dropped > 0) this.delivered(dropped);
    if (fresh.length > 0) this.#delivery.push(this, fresh);
  }

  /** One chunk of a chunked message: held until its message is whole (or its set fails). */
  #onChunk(cmd: NonNullable<BaseCommand['message']>, section: PayloadSection): void {
    const id = MessageId.fromData(cmd.messageId, this.partition);
    const { outcome, evicted, ack } = this.#chunks.add(id, section.metadata!, section.payload, cmd.redeliveryCount ?? 0);
    for (const a of ack) this.#acks.ack(a);
    const out = [...evicted, outcome].map((o) => this.#chunkMessage(o, cmd)).filter((m): m is Message => m !== undefined);
    // Each chunk took a permit; a delivered message gives its one back when the application takes it.
    if (out.length === 0) this.delivered(1);
    if (out.length > 0) this.#delivery.push(this, out);
  }

  #chunkMessage(o: ChunkOutcome, cmd: NonNullable<BaseCommand['message']>): Message | undefined {
    if (o.kind === 'held') return undefined;
    if (o.kind === 'failed') return failedMessage(o.id, this.topic, o.error, o.metadata, o.redeliveryCount);
    const { uuid: _u, chunkId: _c, numChunksFromMsg: _n, totalChunkMsgSize: _t, ...metadata } = o.metadata;
    const { messages } = decodeEntry(this.topic, this.partition, { ...cmd, redeliveryCount: o.redeliveryCount, messageId: o.id.toData() }, { metadata, payload: o.payload });
    return messages[0] && { ...messages[0], id: o.id };
  }

  #expireChunks(): void {
    const expired = this.#chunks.expire();
    if (expired.length > 0) this.#delivery.push(this, expired.map((o) => this.#chunkMessage(o, { consumerId: toLong(this.consumerId), messageId: { ledgerId: 0, entryId: 0 } })!));
  }

  onActiveChange(active: boolean): void {
    this.#active = active;
  }

  onBrokerClose(): void { this.#disconnected(); }
  onConnectionClosed(): void { this.#disconnected(); }

  #disconnected(): void {
    if (this.#state !== State.Ready) return;
    this.#cnx = null;
    this.#state = State.Connecting;
    this.#active = this.options.type !== 'Failover';
    // Everything unacked comes back from the broker: drop local copies and batch progress (§6.5).
    this.#delivery.purge(this);
    this.#chunks.clear();
    this.#acks.reset();
    this.#unacked.clear();
    void this.#reconnectLoop();
  }

  async #reconnectLoop(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      await reconnectWithBackoff({
        kind: 'consumer',
        topic: this.topic,
        backoff: this.#backoff,
        context: this.#ctx,
        stillConnecting: () => this.#state === State.Connecting,
        attach: () => this.#attach(),
        toError: toConsumerError,
        fail: (e) => {
          this.#state = State.Failed;
          this.#shutdown();
          this.#delivery.failed(this, e);
        },
      });
    } finally {
      this.#reconnecting = false;
    }
  }

  ack(id: MessageId): void {
    // Both maps are usually empty (no ack timeout, no nacks): skip building the key then.
    if (this.#unacked.size > 0) this.#unacked.delete(id.key());
    if (this.#nacks.size > 0) this.#nacks.delete(id.key());
    // A chunked message is acked by acking every chunk entry it was made of.
    if (id instanceof ChunkMessageId && id.chunkIds.length > 0) for (const c of id.chunkIds) this.#acks.ack(c);
    else this.#acks.ack(id);
  }

  ackCumulative(id: MessageId): void {
    this.#assertCumulativeAllowed();
    for (const [k, v] of this.#unacked) if (v.id.compare(id) <= 0) this.#unacked.delete(k);
    this.#acks.ackCumulative(id);
  }

  /**
   * A transactional ack goes out at once with a request id; ACK_RESPONSE tells its fate (§5.3).
   * All `ids` travel in one ACK command, which the broker records as one pending-ack log entry:
   * one request per message made the transactional copier four times slower than a plain one.
   * Cumulative acks the highest id only.
   */
  async ackWithTxn(ids: readonly MessageId[], txn: TransactionHandle, cumulative: boolean): Promise<void> {
    if (ids.length === 0) return;
    if (cumulative) this.#assertCumulativeAllowed();
    txn.assertOpen();
    // The broker redelivers from the mark-delete position when this aborts: what is queued
    // here (past the acked point) would come twice.
    if (this.#redeliversAll) txn.afterAbort(this.#onTransactionAborted);
    await txn.registerAckedSubscription(this.topic, this.options.subscription);
    const cnx = this.#cnx;
    if (!cnx) {
      throw new PulsarError(ClientErrorCode.ConnectionClosed, `transactional ack on ${this.topic} not sent: the consumer is reconnecting`, { retriable: true });
    }
    const acked = cumulative ? [ids.reduce((a, b) => (b.compare(a) > 0 ? b : a))] : ids;
    for (const id of acked) this.#unacked.delete(id.key());
    try {
      await cnx.request({
        type: CommandType.ACK,
        ack: {
          consumerId: toLong(this.consumerId),
          ackType: cumulative ? 1 : 0,
          messageId: cumulative ? [cumulativeAckData(acked[0]!)] : transactionalAckData(acked),
          txnidMostBits: toLong(txn.mostBits),
          txnidLeastBits: toLong(txn.leastBits),
        },
      });
    } catch (err) {
      if (err instanceof PulsarConnectionError || err instanceof PulsarTimeoutError) {
        // Sent, but whether the broker recorded it is unknown; sending it again in the same
        // transaction can conflict with itself. Only aborting the transaction is safe.
        throw new PulsarError(ClientErrorCode.AckOutcomeUnknown,
          `transactional ack on ${this.topic} sent but not confirmed (${err.message}); abort transaction ${txn.mostBits}:${txn.leastBits}`, { cause: err });
      }
      throw err;
    }
  }

  #onTransactionAborted = (): void => {
    if (this.#state === State.Ready || this.#state === State.Connecting) this.redeliver([]);
  };

  #assertCumulativeAllowed(): void {
    // The broker ignores a cumulative ack on these and reports nothing (Consumer.messageAcked),
    // so a transaction could commit without its input ack; Go refuses it the same way.
    if (this.options.type === 'Shared' || this.options.type === 'KeyShared') {
      throw new PulsarError(ClientErrorCode.CumulativeAckNotAllowed,
        `cumulative ack is not allowed on a ${this.options.type} subscription (${this.options.subscription}); ack each message`);
    }
  }

  /** Redeliver after the nack delay, or the backoff's delay for `redeliveryCount`. */
  nack(id: MessageId, redeliveryCount = 0): void {
    this.#unacked.delete(id.key());
    this.#nacks.add(id, redeliveryCount);
  }

  /** The connection while attached and open; null while (re)connecting. */
  #usableConnection(): Connection | null {
    const cnx = this.#cnx;
    return this.#state === State.Ready && cnx !== null && !cnx.closed ? cnx : null;
  }

  #sendAck(ids: MessageIdData[], cumulative: boolean): boolean {
    const cnx = this.#usableConnection();
    if (!cnx) return false; // kept until re-attached
    cnx.sendCommand({
      type: CommandType.ACK,
      ack: { consumerId: toLong(this.consumerId), ackType: cumulative ? 1 : 0, messageId: ids },
    });
    this.#ctx.instrumentation.emit('consumer.ack', () => ({ topic: this.topic, subscription: this.options.subscription, messages: ids.length }));
    return true;
  }

  #redeliverDue(): void {
    const now = Date.now();
    const due = this.#nacks.size > 0 ? this.#nacks.takeDue(now) : [];
    if (this.options.ackTimeoutMs > 0) {
      for (const [k, v] of this.#unacked) if (now - v.at >= this.options.ackTimeoutMs) { due.push(v.id); this.#unacked.delete(k); }
    }
    if (due.length > 0) this.redeliver(due);
  }

  /**
   * REDELIVER_UNACKNOWLEDGED_MESSAGES. Specific ids are honoured only by Shared and Key_Shared;
   * Exclusive/Failover redeliver everything (the broker rewinds to keep order), and so does an
   * empty list (redeliverUnacknowledged()). Redelivering everything clears the local queue first,
   * and on Exclusive/Failover moves to a new epoch (§6.6).
   */
  redeliver(ids: MessageId[]): void {
    const cnx = this.#cnx;
    if (!cnx) {
      // The re-subscribe redelivers everything anyway; it carries the new epoch.
      if (this.#redeliversAll) this.#epoch++;
      return;
    }
    const consumerId = toLong(this.consumerId);
    if (!this.#redeliversAll && ids.length > 0) {
      const entries = new Map<string, MessageIdData>();
      for (const id of ids.flatMap((i) => (i instanceof ChunkMessageId && i.chunkIds.length > 0 ? i.chunkIds : [i]))) entries.set(entryKeyOf(id), entryData(id));
      const list = [...entries.values()];
      for (let i = 0; i < list.length; i += 1000) {
        cnx.sendCommand({ type: CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES, redeliverUnacknowledgedMessages: { consumerId, messageIds: list.slice(i, i + 1000) } });
      }
      return;
    }
    // The epoch grows before the queue is cleared (PIP-84), so nothing stale slips in between.
    if (this.#redeliversAll) this.#epoch++;
    const cleared = this.#delivery.purge(this);
    this.#acks.reset();
    this.#unacked.clear();
    cnx.sendCommand({
      type: CommandType.REDELIVER_UNACKNOWLEDGED_MESSAGES,
      redeliverUnacknowledgedMessages: this.#redeliversAll ? { consumerId, consumerEpoch: toLong(this.#epoch) } : { consumerId },
    });
    if (cleared > 0) this.delivered(cleared);
  }

  flushAcks(): void {
    this.#acks.flush();
  }

  async seek(target: MessageId | number): Promise<void> {
    const cnx = this.#cnx;
    if (!cnx) throw new PulsarError(ClientErrorCode.ConnectionClosed, `consumer on ${this.topic} is reconnecting`, { retriable: true });
    this.#acks.flush();
    const seek: NonNullable<BaseCommand['seek']> = { consumerId: toLong(this.consumerId), requestId: 0 };
    if (typeof target === 'number') seek.messagePublishTime = toLong(BigInt(target));
    else seek.messageId = target.toData();
    // The broker answers SUCCESS, then closes this consumer; we re-subscribe from the new position.
    this.#lastDelivered = undefined;
    if (!this.options.durable) this.options.startMessageId = typeof target === 'number' ? this.options.startMessageId : target;
    await cnx.request({ type: CommandType.SEEK, seek });
    this.#delivery.purge(this);
  }

  async getLastMessageId(): Promise<MessageId> {
    const cnx = this.#cnx;
    if (!cnx) throw new PulsarError(ClientErrorCode.ConnectionClosed, `consumer on ${this.topic} is reconnecting`, { retriable: true });
    const res = await cnx.request({ type: CommandType.GET_LAST_MESSAGE_ID, getLastMessageId: { consumerId: toLong(this.consumerId), requestId: 0 } });
    return MessageId.fromData(res.getLastMessageIdResponse!.lastMessageId, this.partition);
  }

  #shutdown(): void {
    clearInterval(this.#timer);
    this.#acks.close();
    this.#cnx?.unregisterConsumer(this.consumerId);
  }

  async close(unsubscribe = false): Promise<void> {
    if (this.#state === State.Closed) return;
    this.#acks.flush();
    const cnx = this.#cnx;
    this.#state = State.Closed;
    this.#shutdown();
    if (cnx && !cnx.closed) {
      const consumerId = toLong(this.consumerId);
      if (unsubscribe) await cnx.request({ type: CommandType.UNSUBSCRIBE, unsubscribe: { consumerId, requestId: 0 } });
      else await cnx.request({ type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId, requestId: 0 } }).catch(() => undefined);
    }
  }
}

function toConsumerError(err: unknown): PulsarError {
  return asPulsarError(err, ClientErrorCode.ConnectFailed, { retriable: true });
}

