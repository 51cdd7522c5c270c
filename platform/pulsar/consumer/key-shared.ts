// The Key_Shared policy a consumer subscribes with (CommandSubscribe.keySharedMeta, reference
// §3.6). AUTO_SPLIT lets the broker spread the 0..65535 key-hash space over the consumers;
// STICKY names this consumer's hash ranges (inclusive) itself. allowOutOfOrderDelivery lets the
// broker hand a key to a newly joined consumer before the old one has acked that key's
// messages: more throughput, no per-key order across a rebalance.
import { ClientErrorCode, PulsarError } from '../errors.ts';
import type { BaseCommand } from '../protocol/index.ts';

export const KeySharedMode = { AUTO_SPLIT: 0, STICKY: 1 } as const;
export type KeySharedMode = keyof typeof KeySharedMode;

/** The key-hash space the broker divides: Murmur3 of the key modulo 65536. */
export const KEY_HASH_RANGE_MAX = 65_535;

export interface KeySharedPolicy {
  /** Default AUTO_SPLIT. */
  mode?: KeySharedMode;
  /** STICKY only: inclusive ranges within 0..65535, not overlapping. */
  hashRanges?: readonly { start: number; end: number }[];
  /** Default false. */
  allowOutOfOrderDelivery?: boolean;
}

export type KeySharedMeta = NonNullable<NonNullable<BaseCommand['subscribe']>['keySharedMeta']>;

/** The wire form of `policy`; a policy the broker would refuse fails here, clearly. */
export function keySharedMeta(policy: KeySharedPolicy = {}): KeySharedMeta {
  const bad = (why: string): never => {
    throw new PulsarError(ClientErrorCode.InvalidConfiguration, `keyShared: ${why}`);
  };
  const mode = policy.mode ?? 'AUTO_SPLIT';
  if (!(mode in KeySharedMode)) bad(`unknown mode ${String(mode)} (AUTO_SPLIT or STICKY)`);
  const ranges = policy.hashRanges ?? [];
  if (mode === 'AUTO_SPLIT' && ranges.length > 0) bad('hashRanges are for STICKY mode; AUTO_SPLIT lets the broker choose');
  if (mode === 'STICKY' && ranges.length === 0) bad('STICKY mode needs at least one hash range');
  for (const r of ranges) {
    if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end > KEY_HASH_RANGE_MAX || r.start > r.end) {
      bad(`hash range [${r.start}, ${r.end}] is not within 0..${KEY_HASH_RANGE_MAX} with start <= end`);
    }
  }
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start <= sorted[i - 1]!.end) bad(`hash ranges [${sorted[i - 1]!.start}, ${sorted[i - 1]!.end}] and [${sorted[i]!.start}, ${sorted[i]!.end}] overlap`);
  }
  const meta: KeySharedMeta = { keySharedMode: KeySharedMode[mode] };
  if (ranges.length > 0) meta.hashRanges = ranges.map((r) => ({ start: r.start, end: r.end }));
  if (policy.allowOutOfOrderDelivery) meta.allowOutOfOrderDelivery = true;
  return meta;
}
