// The whole keyed state of one input partition, in memory, for every function of the pipeline.
// It is filled by a restore (Redis view + changelog replay) before the partition's first batch,
// so a key it does not hold has its initial state. Changed only after a commit, or by a replay.
import { START } from './position.ts';

export type KeyState = Record<string, unknown>;
export interface KeyEntry { position: string; value: KeyState }

/** `<function>:<key>`: the changelog message key and the member name in Redis. Function names hold no colon. */
export const memberOf = (fn: string, key: string): string => `${fn}:${key}`;

export function splitMember(member: string): { fn: string; key: string } {
  const at = member.indexOf(':');
  return { fn: member.slice(0, at), key: member.slice(at + 1) };
}

/** A key's state after a batch: `changes` (null = cleared) laid over the state before it. */
export function mergeState(before: KeyState | undefined, changes: Record<string, unknown | null>): KeyState {
  const next: KeyState = { ...before };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next;
}

export class PartitionState {
  #entries = new Map<string, KeyEntry>();
  /** The highest changelog position applied: a re-sync replays from here. */
  applied = START;

  get size(): number {
    return this.#entries.size;
  }

  get(fn: string, key: string): KeyState | undefined {
    return this.#entries.get(memberOf(fn, key))?.value;
  }

  /** Applies a key's state at a changelog position unless it already holds a newer one. */
  apply(member: string, position: string, value: KeyState): boolean {
    if (position > this.applied) this.applied = position;
    const current = this.#entries.get(member);
    if (current && current.position >= position) return false;
    this.#entries.set(member, { position, value });
    return true;
  }

  /** A key read from the Redis view: its position says nothing about other keys, so `applied` stays. */
  seed(member: string, entry: KeyEntry): void {
    const current = this.#entries.get(member);
    if (!current || current.position < entry.position) this.#entries.set(member, entry);
  }

  entries(): IterableIterator<[string, KeyEntry]> {
    return this.#entries.entries();
  }
}
