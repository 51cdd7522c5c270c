// Reassembles chunked messages (a payload over the broker's max message size, sent as several
// entries sharing a uuid; Java's ConsumerImpl chunk handling). The network is hostile here: a
// chunk set that is missing a chunk, out of order, inconsistent in its sizes or counts, over the
// limits or left incomplete too long becomes one message with `error` set (its id covers every
// chunk received, so acking it acks them), and the bytes held for incomplete messages are capped.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import { ChunkMessageId, MessageId } from '../message/index.ts';
import type { MessageMetadata } from '../protocol/index.ts';

export interface ChunkLimits {
  /** Incomplete chunked messages held at once (Java's maxPendingChunkedMessage, default 10). */
  maxPendingChunkedMessages: number;
  /** An incomplete one older than this is given up (Java's default 60 s). */
  expireTimeOfIncompleteChunkedMessageMs: number;
  /** At the message limit: drop the oldest and ack its chunks, instead of delivering it as an error. */
  autoAckOldestChunkedMessageOnQueueFull: boolean;
  /** Bytes held for incomplete messages together; one message's total must fit too. */
  maxPendingChunkedBytes: number;
}

export const DEFAULT_CHUNK_LIMITS: ChunkLimits = {
  maxPendingChunkedMessages: 10,
  expireTimeOfIncompleteChunkedMessageMs: 60_000,
  autoAckOldestChunkedMessageOnQueueFull: false,
  maxPendingChunkedBytes: 64 * 1024 * 1024,
};

const EMPTY = Buffer.alloc(0);

interface Pending {
  uuid: string;
  metadata: MessageMetadata;
  numChunks: number;
  buffer: Buffer;
  filled: number;
  lastChunkId: number;
  ids: MessageId[];
  startedAt: number;
  redeliveryCount: number;
  /** Set once the set went bad: its bytes are let go, its later chunks' ids still collected. */
  error?: string;
}

export type ChunkOutcome =
  /** Held: wait for more chunks. */
  | { kind: 'held' }
  | { kind: 'complete'; id: ChunkMessageId; metadata: MessageMetadata; payload: Buffer; redeliveryCount: number }
  /** A bad or abandoned chunk set, to be delivered as one message with `error`. */
  | { kind: 'failed'; id: ChunkMessageId; metadata: MessageMetadata; error: PulsarError; redeliveryCount: number };

export class ChunkAssembler {
  readonly #limits: ChunkLimits;
  /** Insertion order is age order: the first entry is the oldest. */
  readonly #pending = new Map<string, Pending>();
  #heldBytes = 0;
  readonly #now: () => number;

  constructor(limits: Partial<ChunkLimits> = {}, now: () => number = Date.now) {
    // Options left undefined keep their defaults.
    const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    this.#limits = { ...DEFAULT_CHUNK_LIMITS, ...given };
    this.#now = now;
  }

  get pendingMessages(): number {
    return this.#pending.size;
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  /**
   * One chunk entry. Returns what became of it and, first, what it pushed out: sets given up to
   * make room (`evicted`, acked when `ack` is true, else to be delivered as errors).
   */
  add(id: MessageId, metadata: MessageMetadata, payload: Uint8Array, redeliveryCount: number): { outcome: ChunkOutcome; evicted: ChunkOutcome[]; ack: MessageId[] } {
    const evicted: ChunkOutcome[] = [];
    const ack: MessageId[] = [];
    const uuid = metadata.uuid ?? '';
    const chunkId = metadata.chunkId ?? -1;
    const numChunks = metadata.numChunksFromMsg ?? 0;
    const total = metadata.totalChunkMsgSize ?? -1;
    const held = { outcome: { kind: 'held' } as ChunkOutcome, evicted, ack };
    if (!uuid || numChunks < 2 || chunkId < 0 || chunkId >= numChunks || total < 0 || payload.length > total) {
      // Nothing to tie it to other chunks by: it fails alone (its set, if any, expires or fails on its own).
      return { outcome: this.#failed([id], metadata, `malformed chunk metadata (uuid '${uuid}', chunk ${chunkId} of ${numChunks}, total ${total} bytes, chunk ${payload.length} bytes)`, redeliveryCount), evicted, ack };
    }
    let p = this.#pending.get(uuid);
    if (p && p.ids.length >= 2 * p.numChunks + 16) {
      // Chunks of one uuid without end: stop collecting their ids.
      this.#drop(p);
      return { outcome: this.#failed([...p.ids, id], p.metadata, p.error ?? `message ${uuid}: more chunks than its ${p.numChunks}`, p.redeliveryCount), evicted, ack };
    }
    if (p && !p.error && chunkId <= p.lastChunkId) {
      // A chunk seen again (redelivered, or resent by the producer): keep its id so the message's
      // ack covers this entry too, but not its bytes.
      p.ids.push(id);
      return held;
    }
    if (!p) {
      p = this.#open(uuid, metadata, numChunks, total, redeliveryCount, evicted, ack);
      if (chunkId !== 0) this.#break(p, `chunk ${chunkId} of message ${uuid} without its earlier chunks`);
      else if (total > this.#limits.maxPendingChunkedBytes) this.#break(p, `chunked message ${uuid} of ${total} bytes is over maxPendingChunkedBytes (${this.#limits.maxPendingChunkedBytes})`);
    } else if (!p.error && chunkId !== p.lastChunkId + 1) {
      this.#break(p, `chunk ${chunkId} of message ${uuid} after chunk ${p.lastChunkId}`);
    } else if (!p.error && (numChunks !== p.numChunks || total !== p.buffer.length)) {
      this.#break(p, `chunk ${chunkId} of message ${uuid} says ${numChunks} chunks / ${total} bytes, the first said ${p.numChunks} / ${p.buffer.length}`);
    } else if (!p.error && p.filled + payload.length > p.buffer.length) {
      this.#break(p, `chunks of message ${uuid} exceed its total of ${p.buffer.length} bytes`);
    }
    if (p.error) {
      // A broken set is delivered once, as one error message, when its last chunk has come.
      p.ids.push(id);
      if (chunkId < numChunks - 1) return held;
      this.#drop(p);
      return { outcome: this.#failed(p.ids, p.metadata, p.error, p.redeliveryCount), evicted, ack };
    }
    p.buffer.set(payload, p.filled);
    p.filled += payload.length;
    p.lastChunkId = chunkId;
    p.ids.push(id);
    if (chunkId < numChunks - 1) return { outcome: { kind: 'held' }, evicted, ack };
    this.#drop(p);
    if (p.filled !== p.buffer.length) {
      return { outcome: this.#failed(p.ids, p.metadata, `chunks of message ${uuid} add up to ${p.filled} bytes, not ${p.buffer.length}`, p.redeliveryCount), evicted, ack };
    }
    return {
      outcome: { kind: 'complete', id: new ChunkMessageId(p.ids[0]!, id, p.ids), metadata: p.metadata, payload: p.buffer, redeliveryCount: p.redeliveryCount },
      evicted,
      ack,
    };
  }

  #open(uuid: string, metadata: MessageMetadata, numChunks: number, total: number, redeliveryCount: number, evicted: ChunkOutcome[], ack: MessageId[]): Pending {
    const bytes = total <= this.#limits.maxPendingChunkedBytes ? total : 0;
    while (this.#pending.size > 0 && (this.#pending.size >= this.#limits.maxPendingChunkedMessages || this.#heldBytes + bytes > this.#limits.maxPendingChunkedBytes)) {
      const oldest = this.#pending.values().next().value!;
      this.#drop(oldest);
      if (this.#limits.autoAckOldestChunkedMessageOnQueueFull) ack.push(...oldest.ids);
      else evicted.push(this.#failed(oldest.ids, oldest.metadata, oldest.error ?? `chunked message ${oldest.uuid} given up: over ${this.#limits.maxPendingChunkedMessages} incomplete chunked messages or ${this.#limits.maxPendingChunkedBytes} bytes`, oldest.redeliveryCount));
    }
    const p: Pending = {
      uuid, metadata, numChunks, buffer: bytes > 0 ? Buffer.allocUnsafe(bytes) : EMPTY, filled: 0, lastChunkId: -1, ids: [], startedAt: this.#now(), redeliveryCount,
    };
    this.#pending.set(uuid, p);
    this.#heldBytes += p.buffer.length;
    return p;
  }

  /** The set went bad: let its bytes go, keep collecting its chunks' ids until its last chunk. */
  #break(p: Pending, why: string): void {
    p.error = why;
    this.#heldBytes -= p.buffer.length;
    p.buffer = EMPTY;
  }

  /** Incomplete messages older than the expiry, given up (to be delivered as errors). */
  expire(): ChunkOutcome[] {
    const cutoff = this.#now() - this.#limits.expireTimeOfIncompleteChunkedMessageMs;
    const out: ChunkOutcome[] = [];
    for (const p of this.#pending.values()) {
      if (p.startedAt > cutoff) break; // age order
      this.#drop(p);
      out.push(this.#failed(p.ids, p.metadata, `chunked message ${p.uuid} incomplete after ${this.#limits.expireTimeOfIncompleteChunkedMessageMs} ms (${p.lastChunkId + 1} of ${p.numChunks} chunks)`, p.redeliveryCount));
    }
    return out;
  }

  /** Forget everything (the connection went away: the broker redelivers every unacked chunk). */
  clear(): void {
    this.#pending.clear();
    this.#heldBytes = 0;
  }

  #drop(p: Pending): void {
    // Broken sets hold EMPTY, so this subtracts only what is still held.
    if (this.#pending.delete(p.uuid)) this.#heldBytes -= p.buffer.length;
  }

  #failed(ids: MessageId[], metadata: MessageMetadata, why: string, redeliveryCount: number): ChunkOutcome {
    return {
      kind: 'failed',
      id: new ChunkMessageId(ids[0]!, ids[ids.length - 1]!, ids),
      metadata,
      error: new PulsarError(ClientErrorCode.ChunkedMessageInvalid, why),
      redeliveryCount,
    };
  }
}
