// Negatively acknowledged messages waiting for their redelivery time. The delay is fixed
// (nackRedeliveryDelayMs) or grows with the message's redelivery count, as Java's
// MultiplierRedeliveryBackoff: min × multiplier^count, capped at max, so a message that keeps
// failing is retried less and less often instead of every delay.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import type { MessageId } from '../message/index.ts';

export interface NackBackoff {
  /** Delay of the first redelivery (redelivery count 0). Default 1 s (Java's). */
  minDelayMs?: number;
  /** Upper bound of the delay. Default 60 s (Java's). */
  maxDelayMs?: number;
  /** Growth per redelivery. Default 2 (Java's). */
  multiplier?: number;
}

/** Validated backoff with its defaults filled in. */
export function nackBackoff(options: NackBackoff): Required<NackBackoff> {
  const b = { minDelayMs: options.minDelayMs ?? 1000, maxDelayMs: options.maxDelayMs ?? 60_000, multiplier: options.multiplier ?? 2 };
  if (!(b.minDelayMs >= 0) || !(b.maxDelayMs >= b.minDelayMs) || !(b.multiplier >= 1) || !Number.isFinite(b.maxDelayMs)) {
    throw new PulsarError(ClientErrorCode.InvalidConfiguration,
      `nackBackoff needs 0 <= minDelayMs <= maxDelayMs (finite) and multiplier >= 1, got ${JSON.stringify(b)}`);
  }
  return b;
}

/** The delay before redelivering a message nacked at `redeliveryCount`. */
export function nackBackoffDelay(backoff: Required<NackBackoff>, redeliveryCount: number): number {
  if (redeliveryCount <= 0) return backoff.minDelayMs;
  return Math.min(backoff.maxDelayMs, backoff.minDelayMs * backoff.multiplier ** redeliveryCount);
}

export class NackTracker {
  #delayFor: (redeliveryCount: number) => number;
  #entries = new Map<string, { id: MessageId; at: number }>();

  /** `delay`: a fixed delay in ms, or a backoff over the redelivery count. */
  constructor(delay: number | Required<NackBackoff>) {
    this.#delayFor = typeof delay === 'number' ? () => delay : (count) => nackBackoffDelay(delay, count);
  }

  get size(): number {
    return this.#entries.size;
  }

  add(id: MessageId, redeliveryCount: number): void {
    this.#entries.set(id.key(), { id, at: Date.now() + this.#delayFor(redeliveryCount) });
  }

  /** Forget a message (acked after its nack); `key` is MessageId.key(). */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** The messages whose time has come, removed from the tracker. */
  takeDue(now = Date.now()): MessageId[] {
    const due: MessageId[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.at <= now) {
        due.push(entry.id);
        this.#entries.delete(key);
      }
    }
    return due;
  }
}
