// What a consumer hands to the application. A message whose payload could not be checked,
// decompressed or split is still delivered, with `error` set and `value` empty, so the runtime
// can dead-letter it (README.md, "Bad input") instead of it vanishing.
import type { PulsarError } from '../errors.ts';
import type { MessageId } from './message-id.ts';

export interface Message {
  readonly id: MessageId;
  /** The partition topic it came from (persistent://t/ns/x-partition-2 for partitioned topics). */
  readonly topic: string;
  readonly value: Buffer;
  readonly key?: string;
  readonly orderingKey?: Buffer;
  readonly properties: Readonly<Record<string, string>>;
  readonly publishTime: number;
  /** 0 when the producer set none. */
  readonly eventTime: number;
  readonly producerName: string;
  readonly sequenceId: bigint;
  readonly redeliveryCount: number;
  readonly error?: PulsarError;
}

export interface OutgoingMessage {
  value: Uint8Array | string;
  key?: string;
  orderingKey?: Uint8Array | string;
  properties?: Record<string, string>;
  /** Event time in ms since the epoch. */
  eventTime?: number;
  /** Deliver no earlier than this time (ms since the epoch); honoured on Shared/Key_Shared subscriptions. */
  deliverAt?: number;
  deliverAfterMs?: number;
  /** Explicit sequence id (for end-to-end dedup with a fixed producer name). */
  sequenceId?: bigint;
}
