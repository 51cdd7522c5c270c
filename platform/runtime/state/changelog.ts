// The changelog of one input partition: the truth of its keyed state, written in the same
// transaction as the outputs (README "Topics"). Replay reads it with a reader from a position up
// to the last dispatchable message (committed, not a transaction marker) and applies each record
// whose position is above the key's in memory, so replaying twice or overlapping is harmless.
import { MessageId, type Message, type PulsarClient } from '../../pulsar/index.ts';
import { RuntimeError, RuntimeErrorCode } from '../errors.ts';
import type { KeyState, PartitionState } from './partition-state.ts';
import { memberOf } from './partition-state.ts';
import { messageIdOf, positionOf, START } from './position.ts';

/** A changelog message's payload: the key's whole state after the batch that wrote it. */
export interface ChangelogRecord { function: string; key: string; state: KeyState }

export function encodeRecord(record: ChangelogRecord): { key: string; value: string } {
  return { key: memberOf(record.function, record.key), value: JSON.stringify(record) };
}

export function decodeRecord(message: Message): ChangelogRecord {
  const record = JSON.parse(message.value.toString('utf8')) as ChangelogRecord;
  if (typeof record.function !== 'string' || typeof record.key !== 'string' || typeof record.state !== 'object' || record.state === null) {
    throw new Error(`changelog record at ${message.id} is malformed`);
  }
  return record;
}

/** Whether `m` is at or past `last` (an entry-level id whose batch index may be unknown). */
function reached(m: MessageId, last: MessageId): boolean {
  if (m.compare(last) >= 0) return true;
  if (!m.sameEntry(last) || last.batchIndex >= 0) return false;
  return m.batchIndex < 0 || m.batchIndex >= m.batchSize - 1;
}

/** An empty topic's last message id is (-1, -1), which arrives as unsigned 64-bit values. */
const NONE = 1n << 63n;
const isNone = (id: MessageId): boolean => id.ledgerId >= NONE || id.entryId >= NONE;

/** Whether the topic's last message is past `from`; 'maybe' when both are in one entry and the broker did not say the last batch index. */
function newerThan(last: MessageId, from: MessageId): 'yes' | 'no' | 'maybe' {
  if (isNone(last)) return 'no';
  if (!last.sameEntry(from)) return last.compare(from) > 0 ? 'yes' : 'no';
  if (last.batchIndex < 0) return 'maybe';
  return last.batchIndex > from.batchIndex ? 'yes' : 'no';
}

export interface ReplayOptions {
  /** Silence allowed between records before the replay fails (retriable). */
  idleTimeoutMs: number;
  /** Read until this record instead of until the topic's last message (the restore's fence). */
  until?: (record: ChangelogRecord) => boolean;
}

/** Replays `topic` (a changelog partition) from the state's applied position into the state; returns the records applied. */
export async function replayChangelog(client: PulsarClient, topic: string, partition: number, state: PartitionState, options: ReplayOptions): Promise<number> {
  const from = state.applied;
  const start = from === START ? MessageId.earliest : messageIdOf(from, partition);
  const reader = await client.createReader({ topic, startMessageId: start, receiverQueueSize: 1000 });
  let applied = 0;
  try {
    const last = options.until ? MessageId.latest : await reader.getLastMessageId();
    const after = options.until ? 'yes' : from === START ? (isNone(last) ? 'no' : 'yes') : newerThan(last, messageIdOf(from, partition));
    if (after === 'no') return 0;
    for (;;) {
      let message: Message;
      try {
        message = await reader.receive(after === 'maybe' ? Math.min(1_000, options.idleTimeoutMs) : options.idleTimeoutMs);
      } catch (err) {
        if (after === 'maybe') return applied;
        throw new RuntimeError(RuntimeErrorCode.RestoreFailed, `changelog ${topic}: nothing read for ${options.idleTimeoutMs} ms before ${options.until ? 'its fence' : `its last message ${last}`}`, { retriable: true, cause: err });
      }
      if (!message.error) {
        const record = decodeRecord(message);
        if (state.apply(memberOf(record.function, record.key), positionOf(message.id), record.state)) applied++;
        if (options.until?.(record)) return applied;
      }
      if (reached(message.id, last)) return applied;
    }
  } finally {
    await reader.close().catch(() => undefined);
  }
}
