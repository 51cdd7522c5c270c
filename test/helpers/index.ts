// Shared by integration tests: unique names so files can run in parallel on one stack, and
// waitFor for what the brokers do asynchronously (replication, restarts).
import { randomBytes } from 'node:crypto';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 250, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface DeliveryReport {
  expected: number;
  received: number;
  /** Sent, never received. */
  missing: string[];
  /** Received, never sent. */
  unexpected: string[];
  /** Received more than once, as `id ×n`. */
  duplicates: string[];
}

/**
 * What arrived against what was sent, compared by unique id (a count alone hides a loss that a
 * duplicate makes up for). Exactly once means `missing`, `unexpected` and `duplicates` are empty.
 */
export function compareDelivery(expected: Iterable<string>, received: Iterable<string>): DeliveryReport {
  const sent = new Set(expected);
  const times = new Map<string, number>();
  let count = 0;
  for (const id of received) {
    times.set(id, (times.get(id) ?? 0) + 1);
    count++;
  }
  return {
    expected: sent.size,
    received: count,
    missing: [...sent].filter((id) => !times.has(id)),
    unexpected: [...times.keys()].filter((id) => !sent.has(id)),
    duplicates: [...times].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`),
  };
}

/** The ids 0 … n-1 as strings: what a producer that numbers its messages from 0 sent. */
export const idsUpTo = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));

/**
 * Receives until `count` messages have arrived (each within `timeoutMs`), then on until none comes
 * for `quietMs`, so that a duplicate shows up as a message too many. Stops early, without
 * throwing, when the `count` are not all there: the comparison then names what is missing.
 */
export async function receiveAllAndMore<M>(
  consumer: { receive(timeoutMs?: number): Promise<M> },
  count: number,
  { timeoutMs = 30_000, quietMs = 3_000 }: { timeoutMs?: number; quietMs?: number } = {},
): Promise<M[]> {
  const messages: M[] = [];
  for (;;) {
    const m = await consumer.receive(messages.length < count ? timeoutMs : quietMs).catch(() => null);
    if (m === null) return messages;
    messages.push(m);
  }
}
