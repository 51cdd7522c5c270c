// A changelog position as a fixed-width string of digits that sorts like the message id (ledger,
// entry, batch index), so the Lua scripts compare positions as strings (digits only: Redis's Lua
// compares with strcoll, and some locales ignore punctuation). START sorts before every position.
import { MessageId } from '../../pulsar/index.ts';

export const START = '';

const pad = (n: bigint, width: number): string => n.toString().padStart(width, '0');

export function positionOf(id: MessageId): string {
  // batchIndex -1 (not batched) sorts before index 0 of the same entry, as MessageId.compare does.
  return pad(id.ledgerId, 20) + pad(id.entryId, 20) + pad(BigInt(id.batchIndex + 1), 10);
}

export function messageIdOf(position: string, partition: number): MessageId {
  if (!/^\d{50}$/.test(position)) throw new Error(`not a changelog position: ${JSON.stringify(position)}`);
  return new MessageId(BigInt(position.slice(0, 20)), BigInt(position.slice(20, 40)), partition, Number(position.slice(40)) - 1);
}
