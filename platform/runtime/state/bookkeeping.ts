// Records the runtime keeps in the changelog beside the functions' state (names that no function
// can have: function names start with a letter).
//   `__input__:last`   the last input message a committed batch acked: a new owner skips inputs
//                      up to it (a batch entry partly acked comes back whole on a fresh consumer)
//   `__owner__:fence`  written by a loop that gains the partition, in its own transaction; reading
//                      the changelog up to it waits out every earlier transaction of the previous
//                      owner (a reader sees nothing past an open transaction)
import { MessageId } from '../../pulsar/index.ts';
import type { StateChange } from '../batch/outcome.ts';
import type { ChangelogRecord } from './changelog.ts';
import type { PartitionState } from './partition-state.ts';

const INPUT = { fn: '__input__', key: 'last' } as const;
const FENCE = { fn: '__owner__', key: 'fence' } as const;

export function lastInputChange(id: MessageId): StateChange {
  return { fn: INPUT.fn, key: INPUT.key, state: { ledger: String(id.ledgerId), entry: String(id.entryId), batch: id.batchIndex } };
}

export function lastInput(state: PartitionState): MessageId | undefined {
  const v = state.get(INPUT.fn, INPUT.key) as { ledger: string; entry: string; batch: number } | undefined;
  return v ? new MessageId(BigInt(v.ledger), BigInt(v.entry), -1, v.batch) : undefined;
}

export function fenceRecord(owner: string, nonce: string): ChangelogRecord {
  return { function: FENCE.fn, key: FENCE.key, state: { owner, nonce } };
}

export const isFence = (nonce: string) => (record: ChangelogRecord): boolean =>
  record.function === FENCE.fn && (record.state as { nonce?: string }).nonce === nonce;
