// A producer on one (partition) topic. Every SEND frame stays in the pending queue until its
// SEND_RECEIPT; receipts arrive in order, and after a reconnect the whole queue is re-written
// in order on the new connection, which broker dedup makes safe (PROTOCOL.md §6.3). Producer name
// and producer id survive reconnects; the epoch grows (§3.5).
import { asPulsarError, ClientErrorCode, PulsarConnectionError, PulsarError, PulsarTimeoutError, serverError } from '../errors.ts';
import { ChunkMessageId, MessageId, type OutgoingMessage } from '../message/index.ts';
import { Backoff, retryUntilOperationTimeout, nextResourceId, reconnectWithBackoff, sleep, type Connection, type ProducerHandler } from '../network/index.ts';
import { CommandType, CompressionType, has, toBigInt, toLong, type BaseCommand } from '../protocol/index.ts';
import type { ClientContext, TransactionHandle } from '../context.ts';
import { ProducerCounters } from '../stats.ts';
import { toSchemaData, type SchemaInfo } from '../schema.ts';
import { buildChunkFrames, buildFrame, frameSequenceId, toBytes, type QueuedMessage } from './batch-builder.ts';
import { BatchContainer } from './batch-container.ts';

export const AccessMode = { Shared: 0, Exclusive: 1, WaitForExclusive: 2, ExclusiveWithFencing: 3 } as const;
export type AccessMode = keyof typeof AccessMode;
export type CompressionName = 'NONE' | 'LZ4' | 'ZLIB' | 'ZSTD' | 'SNAPPY';

export interface BatchingOptions {
  maxMessages?: number;
  maxBytes?: number;
  maxDelayMs?: number;
  /**
   * One batch per ordering key, else per key (Java's BatcherBuilder.KEY_BASED), under the same
   * limits: needed on Key_Shared subscriptions, where a batch goes whole to the consumer of its
   * first message's key. Default false.
   */
  keyBased?: boolean;
}

export interface ProducerOptions {
  topic: string;
  producerName?: string;
  accessMode?: AccessMode;
  /** Defaults: 1000 messages, 128 KiB, 1 ms (Java's defaults, §6.1). `false` sends one frame per message. */
  batching?: BatchingOptions | false;
  compression?: CompressionName;
  /** 0 disables. Transactional messages are never timed out client-side (§5.3). Default 30 s. */
  sendTimeoutMs?: number;
  /** Messages accepted but not yet acknowledged by the broker. Default 1000. */
  maxPendingMessages?: number;
  /**
   * When the queue (or the client's memoryLimitBytes) is full: wait for room (default) or fail
   * with ProducerQueueFull (MemoryBufferIsFull).
   */
  blockIfQueueFull?: boolean;
  initialSequenceId?: bigint;
  properties?: Record<string, string>;
  /** Announce transactional use so the broker readies the topic's transaction buffer first. */
  transactional?: boolean;
  /**
   * Java's end-to-end encryption options. Not implemented: setting either fails createProducer
   * with InvalidConfiguration rather than sending plaintext the caller believes encrypted.
   */
  encryptionKeys?: string[];
  cryptoKeyReader?: unknown;
  /**
   * Send a message larger than the broker's max message size (CONNECTED's max_message_size) as
   * chunks that consumers reassemble (Java's enableChunking). Needs `batching: false`. Default false.
   */
  chunking?: boolean;
  /** The schema to register (or match) on the topic; default none (bytes). IncompatibleSchema if the registry refuses it. */
  schema?: SchemaInfo;
  /** Largest chunk (metadata and payload) when chunking; default and cap the broker's max message size. */
  chunkMaxMessageSize?: number;
}

interface Callback {
  resolve(id: MessageId): void;
  reject(err: PulsarError): void;
}

interface PendingSend {
  lowest: bigint;
  highest: bigint;
  count: number;
  frame: Buffer;
  callbacks: Callback[];
  createdAt: number;
  transactional: boolean;
  batched: boolean;
  /** Payload bytes held against the client's memory limit until settled. */
  bytes: number;
  /** One chunk of a chunked message; its last chunk holds the callback. */
  chunk?: { index: number; last: boolean; message: { first?: MessageId } };
}

const State = { Connecting: 0, Ready: 1, Closing: 2, Closed: 3, Failed: 4 } as const;
type State = (typeof State)[keyof typeof State];

const U64_MAX = (1n << 64n) - 1n;

export class PartitionProducer implements ProducerHandler {
  readonly topic: string;
  readonly partition: number;
  readonly producerId = nextResourceId();
  #ctx: ClientContext;
  #options: ProducerOptions;
  #compression: number;
  #batching: Required<Omit<BatchingOptions, 'keyBased'>> | null;
  #name: string | undefined;
  #userProvidedName: boolean;
  #epoch = 0n;
  #topicEpoch: bigint | undefined;
  #state: State = State.Connecting;
  #failure: PulsarError | null = null;
  #cnx: Connection | null = null;
  #nextSequenceId: bigint | undefined;
  #pending: PendingSend[] = [];
  #inflight = 0;
  #spaceWaiters: (() => void)[] = [];
  #flushWaiters: (() => void)[] = [];
  #batch: BatchContainer<Callback>;
  #batchTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;
  #backoff: Backoff;
  #reconnecting = false;
  /** Payload bytes this producer holds against the client's memory limit. */
  #heldBytes = 0;
  /** Frames waiting for the socket's 'drain' (write() returned false), in order. */
  #unwritten: PendingSend[] = [];
  #awaitingDrain = false;
  readonly counters = new ProducerCounters();
  /** Sends waiting for their turn (registration, queue room); later sends queue behind them. */
  #waitingTurns = 0;
  #lastTurn: Promise<void> = Promise.resolve();

  constructor(ctx: ClientContext, options: ProducerOptions, topic: string, partition = -1) {
    this.#ctx = ctx;
    this.#options = options;
    this.topic = topic;
    this.partition = partition;
    this.#compression = CompressionType[options.compression ?? 'NONE'];
    this.#batching = options.batching === false ? null : {
      maxMessages: options.batching?.maxMessages ?? 1000,
      maxBytes: options.batching?.maxBytes ?? 128 * 1024,
      maxDelayMs: options.batching?.maxDelayMs ?? 1,
    };
    // Without batching the container stays empty: every message goes out on its own.
    this.#batch = new BatchContainer(this.#batching ?? { maxMessages: 1, maxBytes: 0 }, options.batching !== false && options.batching?.keyBased === true);
    this.#name = options.producerName;
    this.#userProvidedName = options.producerName !== undefined;
    this.#backoff = new Backoff(ctx.backoff);
    const sendTimeout = options.sendTimeoutMs ?? 30_000;
    if (sendTimeout > 0) {
      this.#timeoutTimer = setInterval(() => this.#failTimedOut(sendTimeout), Math.min(1000, sendTimeout));
      this.#timeoutTimer.unref();
    }
  }

  get name(): string | undefined {
    return this.#name;
  }

  /** Messages accepted and not yet acknowledged or failed. */
  get pendingMessages(): number {
    return this.#inflight;
  }

  /** Payload bytes held against the client's memory limit. */
  get pendingBytes(): number {
    return this.#heldBytes;
  }

  get lastSequenceId(): bigint {
    return (this.#nextSequenceId ?? 0n) - 1n;
  }

  /** First attach; failures go to the caller (later ones are retried in the background). */
  async start(): Promise<void> {
    let first = true;
    try {
      await retryUntilOperationTimeout({
        kind: 'producer',
        topic: this.topic,
        backoff: this.#backoff,
        context: this.#ctx,
        operation: () => {
          // A retried PRODUCER is a new attempt for the broker, as after a reconnect (§3.5).
          if (!first) this.#epoch++;
          first = false;
          return this.#attach();
        },
        toError: asError,
      });
    } catch (err) {
      this.#terminate(asError(err), State.Failed);
      throw err;
    }
  }

  async #attach(): Promise<void> {
    const { logical, physical } = await this.#ctx.lookup.lookup(this.topic);
    const cnx = await this.#ctx.pool.get(logical, physical);
    cnx.registerProducer(this.producerId, this);
    const producer: NonNullable<BaseCommand['producer']> = {
      topic: this.topic,
      producerId: toLong(this.producerId),
      requestId: 0,
      epoch: toLong(this.#epoch),
      producerAccessMode: AccessMode[this.#options.accessMode ?? 'Shared'],
      // A broker-chosen name is re-sent on reconnect, flagged as not user-provided (§3.5).
      userProvidedProducerName: this.#userProvidedName,
    };
    if (this.#name !== undefined) producer.producerName = this.#name;
    if (this.#topicEpoch !== undefined) producer.topicEpoch = toLong(this.#topicEpoch);
    if (this.#options.transactional) producer.txnEnabled = true;
    const schema = toSchemaData(this.#options.schema);
    if (schema) producer.schema = schema;
    if (this.#options.properties) {
      producer.metadata = Object.entries(this.#options.properties).map(([key, value]) => ({ key, value }));
    }
    let res: BaseCommand;
    try {
      res = await cnx.request({ type: CommandType.PRODUCER, producer });
    } catch (err) {
      cnx.unregisterProducer(this.producerId);
      if (err instanceof PulsarTimeoutError) {
        // DOC-BP: after a PRODUCER timeout, close it before retrying.
        cnx.sendCommand({ type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: toLong(this.producerId), requestId: toLong(0n) } });
      }
      throw err;
    }
    const ok = res.producerSuccess!;
    this.#name = ok.producerName;
    if (has(ok, 'topicEpoch')) this.#topicEpoch = toBigInt(ok.topicEpoch);
    if (this.#nextSequenceId === undefined) {
      const last = toBigInt(ok.lastSequenceId ?? -1, true);
      this.#nextSequenceId = this.#options.initialSequenceId !== undefined
        ? this.#options.initialSequenceId + 1n
        : last + 1n; // -1 from the broker means "start at 0"
    }
    if (this.#state !== State.Connecting) {
      cnx.unregisterProducer(this.producerId);
      return;
    }
    if (!cnx.hasProducer(this.producerId, this)) {
      // CLOSE_PRODUCER or a dropped connection came with the reply: attach again, never Ready on it.
      throw new PulsarConnectionError(`producer on ${this.topic} was closed while attaching`);
    }
    this.#cnx = cnx;
    this.#state = State.Ready;
    this.#backoff.reset();
    // Resend everything not yet acknowledged, in order (§6.3).
    this.#unwritten = [...this.#pending];
    this.#awaitingDrain = false;
    this.#writeOut(cnx);
  }

  async #reconnectLoop(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      await reconnectWithBackoff({
        kind: 'producer',
        topic: this.topic,
        backoff: this.#backoff,
        context: this.#ctx,
        stillConnecting: () => this.#state === State.Connecting,
        attach: () => {
          this.#epoch++;
          return this.#attach();
        },
        toError: asError,
        fail: (e) => this.#terminate(e, State.Failed),
      });
    } finally {
      this.#reconnecting = false;
    }
  }

  #disconnected(): void {
    if (this.#state !== State.Ready) return;
    this.#cnx = null;
    this.#unwritten = [];
    this.#state = State.Connecting;
    void this.#reconnectLoop();
  }

  // ProducerHandler
  onConnectionClosed(): void { this.#disconnected(); }
  onBrokerClose(): void { this.#disconnected(); }

  onSendReceipt(cmd: NonNullable<BaseCommand['sendReceipt']>): void {
    const seq = toBigInt(cmd.sequenceId);
    const head = this.#pending[0];
    if (!head || seq < head.lowest) return; // stale receipt for something already settled
    if (seq > head.lowest) {
      // Out of sync: drop the connection so that everything pending is resent in order.
      this.#ctx.logger.warn({ topic: this.topic, expected: String(head.lowest), got: String(seq) }, 'receipt out of order');
      void this.#cnx?.close();
      return;
    }
    this.#pending.shift();
    const data = cmd.messageId;
    const ledger = data ? toBigInt(data.ledgerId) : U64_MAX;
    const entry = data ? toBigInt(data.entryId) : U64_MAX;
    const partition = this.partition;
    if (head.chunk) {
      const id = new MessageId(ledger, entry, partition);
      if (head.chunk.index === 0) head.chunk.message.first = id;
      if (head.chunk.last) head.callbacks[0]?.resolve(new ChunkMessageId(head.chunk.message.first ?? id, id));
    } else if (!head.batched) {
      head.callbacks[0]!.resolve(new MessageId(ledger, entry, partition));
    } else {
      head.callbacks.forEach((cb, i) => cb.resolve(new MessageId(ledger, entry, partition, i, head.count)));
    }
    this.counters.messagesAcked += head.count;
    this.counters.sendLatencyMs.observe(Date.now() - head.createdAt, head.count);
    this.#ctx.instrumentation.emit('producer.receipt', () => ({ topic: this.topic, messages: head.count, latencyMs: Date.now() - head.createdAt }));
    this.#release(head.count, head.bytes);
  }

  onSendError(cmd: NonNullable<BaseCommand['sendError']>): void {
    const err = serverError(cmd.error, cmd.message);
    this.#ctx.logger.warn({ topic: this.topic, code: err.code, err: err.message }, 'send error');
    if (err.code === 'TopicTerminatedError') {
      this.#terminate(err, State.Failed);
      return;
    }
    if (err.code === 'NotAllowedError' || err.code === 'ChecksumError') {
      // Our frames are checksummed once and kept verbatim, so the message itself is at fault.
      const head = this.#pending[0];
      if (head && head.lowest === toBigInt(cmd.sequenceId)) {
        this.#pending.shift();
        this.#fail(head.callbacks, err);
        this.#release(head.count, head.bytes);
      }
      return;
    }
    // Anything else: re-attach the producer and resend (§6.3).
    const cnx = this.#cnx;
    if (cnx) {
      cnx.unregisterProducer(this.producerId);
      cnx.sendCommand({ type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: toLong(this.producerId), requestId: toLong(0n) } });
      this.#disconnected();
    }
  }

  /** Queue one message; resolves with its id once the broker has persisted it. */
  async send(message: OutgoingMessage, txn?: TransactionHandle): Promise<MessageId> {
    this.#assertUsable();
    txn?.assertOpen();
    const payload = toBytes(message.value);
    // Sequence ids follow call order: a send that has to wait (its transaction's partition
    // registration, room in the queue, room in the client's memory) holds back every later send
    // until it has its id. The usual case takes its slot and bytes without an await.
    const queueReserved = !txn && this.#waitingTurns === 0 && this.#tryReserve();
    const memoryReserved = queueReserved && this.#ctx.memory.tryReserve(payload.length);
    if (memoryReserved) this.#heldBytes += payload.length;
    const turn = memoryReserved ? undefined : this.#takeTurn(txn, payload.length, queueReserved);
    if (turn) {
      try {
        await turn.ready;
        this.#assertUsable();
      } catch (err) {
        turn.done();
        throw err;
      }
    }
    const sequenceId = message.sequenceId ?? this.#nextSequenceId!;
    this.#nextSequenceId = (sequenceId > this.#nextSequenceId! ? sequenceId : this.#nextSequenceId!) + 1n;
    turn?.done();
    const queued: QueuedMessage = { sequenceId, payload, message };
    const result = new Promise<MessageId>((resolve, reject) => {
      const cb = { resolve, reject };
      if (this.#options.chunking) {
        this.#enqueueChunked(queued, cb, txn);
        return;
      }
      const unbatchable = message.deliverAt !== undefined || message.deliverAfterMs !== undefined;
      if (!this.#batching || unbatchable) {
        this.#flushBatch();
        this.#enqueue([queued], [cb], false, txn);
        return;
      }
      if (this.#batch.needsFlushBefore(payload.length, txn)) this.#flushBatch();
      if (this.#batch.add(queued, cb, txn)) this.#flushBatch();
      else this.#batchTimer ??= setTimeout(() => this.#flushBatch(), this.#batching.maxDelayMs);
    });
    if (txn) txn.track(result);
    return result;
  }

  #flushBatch(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#batch.count === 0) return;
    const { batches, txn } = this.#batch.drain();
    for (const b of batches) this.#enqueue(b.messages, b.callbacks, true, txn);
  }

  #enqueue(messages: QueuedMessage[], callbacks: Callback[], batched: boolean, txn?: TransactionHandle): void {
    let frame: Buffer;
    try {
      frame = buildFrame(messages, {
        producerId: this.producerId,
        producerName: this.#name ?? '',
        compression: this.#compression,
        keyBased: this.#batch.keyBased,
        ...(txn ? { txn: { mostBits: txn.mostBits, leastBits: txn.leastBits } } : {}),
      }, batched);
    } catch (err) {
      this.#fail(callbacks, asError(err));
      this.#release(messages.length, payloadBytes(messages));
      return;
    }
    const maxSize = (this.#cnx?.maxMessageSize ?? 5 * 1024 * 1024) + 10 * 1024;
    if (frame.length > maxSize) {
      this.#fail(callbacks, new PulsarError(ClientErrorCode.MessageTooBig, `frame of ${frame.length} bytes exceeds the broker limit`));
      this.#release(messages.length, payloadBytes(messages));
      return;
    }
    const pending: PendingSend = {
      lowest: frameSequenceId(messages, batched && this.#batch.keyBased),
      highest: messages[messages.length - 1]!.sequenceId,
      count: messages.length,
      frame,
      callbacks,
      createdAt: Date.now(),
      transactional: txn !== undefined,
      batched,
      bytes: payloadBytes(messages),
    };
    this.#push(pending);
  }

  /** A message too large for one entry goes out as chunks (buildChunkFrames), each its own pending send. */
  #enqueueChunked(queued: QueuedMessage, cb: Callback, txn?: TransactionHandle): void {
    const brokerMax = this.#cnx?.maxMessageSize ?? 5 * 1024 * 1024;
    let frames: Buffer[];
    try {
      frames = buildChunkFrames(queued, {
        producerId: this.producerId,
        producerName: this.#name ?? '',
        compression: this.#compression,
        ...(txn ? { txn: { mostBits: txn.mostBits, leastBits: txn.leastBits } } : {}),
      }, Math.min(brokerMax, this.#options.chunkMaxMessageSize ?? brokerMax));
    } catch (err) {
      this.#fail([cb], asError(err));
      this.#release(1, queued.payload.length);
      return;
    }
    const message = {};
    const createdAt = Date.now();
    frames.forEach((frame, index) => {
      const last = index === frames.length - 1;
      this.#push({
        lowest: queued.sequenceId,
        highest: queued.sequenceId,
        count: last ? 1 : 0,
        frame,
        callbacks: last ? [cb] : [],
        createdAt,
        transactional: txn !== undefined,
        batched: false,
        bytes: last ? queued.payload.length : 0,
        ...(frames.length > 1 ? { chunk: { index, last, message } } : {}),
      });
    });
  }

  #push(pending: PendingSend): void {
    const { frame, count } = pending;
    this.#pending.push(pending);
    this.counters.messagesSent += count;
    this.counters.bytesSent += frame.length;
    this.#ctx.instrumentation.emit('producer.send', () => ({ topic: this.topic, messages: count, bytes: frame.length }));
    if (this.#state !== State.Ready || !this.#cnx) return;
    if (this.#awaitingDrain) this.#unwritten.push(pending);
    else if (!this.#cnx.write(frame)) this.#waitForDrain(this.#cnx);
  }

  /** Write queued frames until the socket says its buffer is full, then wait for 'drain'. */
  #writeOut(cnx: Connection): void {
    while (this.#unwritten.length > 0 && !this.#awaitingDrain) {
      if (!cnx.write(this.#unwritten.shift()!.frame)) this.#waitForDrain(cnx);
    }
  }

  #waitForDrain(cnx: Connection): void {
    this.#awaitingDrain = true;
    this.counters.drainWaits++;
    void cnx.drained().then(() => {
      if (this.#cnx !== cnx) return; // reconnected: the new connection resends everything
      this.#awaitingDrain = false;
      this.#writeOut(cnx);
    });
  }

  async #waitForMemory(bytes: number): Promise<void> {
    const memory = this.#ctx.memory;
    if (this.#options.blockIfQueueFull === false) {
      this.#release(1, 0);
      throw new PulsarError(ClientErrorCode.MemoryBufferIsFull, `client memory limit of ${memory.limitBytes} bytes is taken by unacknowledged messages`, { retriable: true });
    }
    // What holds the memory may be our own open batch.
    this.#flushBatch();
    await memory.reserve(bytes);
    if (this.#state === State.Closing || this.#state === State.Closed || this.#state === State.Failed) {
      memory.release(bytes); // terminated while waiting: it released what it held, not this
      this.#assertUsable();
    }
    this.#heldBytes += bytes;
  }

  /** Waits for the previous turn, then for registration, room and memory; `done` once the id is taken. */
  #takeTurn(txn: TransactionHandle | undefined, bytes: number, queueReserved: boolean): { ready: Promise<void>; done(): void } {
    const previous = this.#lastTurn;
    let release!: () => void;
    this.#lastTurn = new Promise<void>((resolve) => { release = resolve; });
    this.#waitingTurns++;
    const ready = (async () => {
      await previous;
      if (txn) await txn.registerProducedPartition(this.topic);
      if (!queueReserved) await this.#reserve();
      if (this.#ctx.memory.tryReserve(bytes)) this.#heldBytes += bytes;
      else await this.#waitForMemory(bytes);
    })();
    return {
      ready,
      done: () => {
        this.#waitingTurns--;
        release();
      },
    };
  }

  #tryReserve(): boolean {
    if (this.#inflight >= (this.#options.maxPendingMessages ?? 1000) || this.#spaceWaiters.length > 0) return false;
    this.#inflight++;
    return true;
  }

  async #reserve(): Promise<void> {
    const max = this.#options.maxPendingMessages ?? 1000;
    if (this.#tryReserve()) return;
    if (this.#options.blockIfQueueFull === false) {
      throw new PulsarError(ClientErrorCode.ProducerQueueFull, `producer queue of ${max} messages is full`, { retriable: true });
    }
    // The batch may be what holds the room: send it now instead of waiting for its timer.
    this.#flushBatch();
    await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
  }

  #release(count: number, bytes: number): void {
    this.#inflight -= count;
    this.#heldBytes -= bytes;
    this.#ctx.memory.release(bytes);
    const max = this.#options.maxPendingMessages ?? 1000;
    // Room goes to waiters in arrival order; the slot is reserved on their behalf.
    while (this.#spaceWaiters.length > 0 && this.#inflight < max) {
      this.#inflight++;
      this.#spaceWaiters.shift()!();
    }
    if (this.#inflight === 0 && this.#batch.count === 0) {
      const waiters = this.#flushWaiters;
      this.#flushWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  #failTimedOut(timeoutMs: number): void {
    const now = Date.now();
    const head = this.#pending[0];
    if (!head || head.transactional || now - head.createdAt < timeoutMs) return;
    // Java fails every pending message once the oldest times out; we fail those past the limit.
    const err = new PulsarTimeoutError(`send to ${this.topic} not acknowledged within ${timeoutMs} ms`);
    while (this.#pending.length > 0 && !this.#pending[0]!.transactional && now - this.#pending[0]!.createdAt >= timeoutMs) {
      const p = this.#pending.shift()!;
      this.#fail(p.callbacks, err);
      this.#release(p.count, p.bytes);
    }
  }

  /** Send the open batch and wait until every queued message is acknowledged or failed. */
  async flush(): Promise<void> {
    this.#flushBatch();
    if (this.#inflight === 0) return;
    await new Promise<void>((resolve) => this.#flushWaiters.push(resolve));
  }

  #assertUsable(): void {
    if (this.#state === State.Closing || this.#state === State.Closed) {
      throw new PulsarError(ClientErrorCode.AlreadyClosed, `producer on ${this.topic} is closed`);
    }
    if (this.#state === State.Failed) throw this.#failure!;
  }

  #terminate(err: PulsarError, state: State): void {
    this.#state = state;
    this.#failure = err;
    clearInterval(this.#timeoutTimer);
    clearTimeout(this.#batchTimer);
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) this.#fail(p.callbacks, err);
    for (const b of this.#batch.drain().batches) this.#fail(b.callbacks, err);
    this.#inflight = 0;
    this.#ctx.memory.release(this.#heldBytes);
    this.#heldBytes = 0;
    this.#unwritten = [];
    this.#spaceWaiters.splice(0).forEach((w) => w());
    this.#flushWaiters.splice(0).forEach((w) => w());
    this.#cnx?.unregisterProducer(this.producerId);
  }

  #fail(callbacks: readonly Callback[], err: PulsarError): void {
    this.counters.sendErrors += callbacks.length;
    for (const cb of callbacks) cb.reject(err);
  }

  async close(): Promise<void> {
    if (this.#state === State.Closed || this.#state === State.Closing) return;
    if (this.#state === State.Ready) {
      await Promise.race([this.flush(), sleep(this.#ctx.operationTimeoutMs)]);
    }
    const cnx = this.#cnx;
    this.#state = State.Closing;
    if (cnx && !cnx.closed) {
      await cnx.request({ type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: toLong(this.producerId), requestId: 0 } })
        .catch(() => undefined);
    }
    this.#terminate(new PulsarError(ClientErrorCode.AlreadyClosed, `producer on ${this.topic} closed`), State.Closed);
  }
}

function asError(err: unknown): PulsarError {
  return asPulsarError(err, ClientErrorCode.ProducerFailed);
}

function payloadBytes(messages: readonly QueuedMessage[]): number {
  let bytes = 0;
  for (const m of messages) bytes += m.payload.length;
  return bytes;
}
