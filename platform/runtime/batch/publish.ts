// Publishes one batch's outcome and acks its inputs inside the batch's transaction (README,
// "The exactly-once loop" step 4). Returns the changelog position of every state change, which
// is what the Redis view is tagged with after the commit.
import type { Consumer, Message, MessageId, Producer, Transaction } from '../../pulsar/index.ts';
import type { RuntimeFunction } from '../pipeline.ts';
import { encodeRecord } from '../state/changelog.ts';
import type { KeyEntry } from '../state/partition-state.ts';
import { memberOf } from '../state/partition-state.ts';
import { positionOf } from '../state/position.ts';
import type { Source } from './envelopes.ts';
import type { BatchOutcome, DeadLetter, Made } from './outcome.ts';

export interface BatchProducers {
  outputs: ReadonlyMap<string, Producer>;
  decisions?: Producer;
  audit?: Producer;
  deadLetter: Producer;
  /** This loop's changelog partition. */
  changelog: Producer;
}

export const PROPERTY = {
  id: 'lodestar-id',
  function: 'lodestar-function',
  version: 'lodestar-version',
  reason: 'lodestar-dead-letter-reason',
  reasonMessage: 'lodestar-dead-letter-message',
  inputMessageId: 'lodestar-input-message-id',
  inputTopic: 'lodestar-input-topic',
} as const;

const made = (fn: RuntimeFunction, id: string): Record<string, string> => ({
  [PROPERTY.id]: id, [PROPERTY.function]: fn.name, [PROPERTY.version]: String(fn.version),
});

function deadLetterMessage(letter: DeadLetter): { value: Uint8Array; key?: string; properties: Record<string, string> } {
  const { source, fn } = letter;
  const properties: Record<string, string> = {
    ...source.envelope.properties,
    [PROPERTY.reason]: letter.reason,
    [PROPERTY.reasonMessage]: letter.message.slice(0, 1024),
    [PROPERTY.inputMessageId]: source.message.id.toString(),
    [PROPERTY.inputTopic]: source.message.topic,
  };
  if (fn) Object.assign(properties, { [PROPERTY.function]: fn.name, [PROPERTY.version]: String(fn.version) });
  return { value: source.envelope.data, properties, ...(source.envelope.partitionKey !== undefined ? { key: source.envelope.partitionKey } : {}) };
}

/** A record the pipeline has no topic for is kept as a dead letter rather than dropped. */
function undeliverable(fn: RuntimeFunction, source: Source, record: unknown, what: string): DeadLetter {
  const envelope = { ...source.envelope, data: Buffer.from(JSON.stringify(record)), properties: {} };
  return { source: { message: source.message, envelope }, reason: 'no-destination', message: `the pipeline has no ${what}`, fn };
}

export async function publishBatch(
  txn: Transaction, producers: BatchProducers, consumer: Consumer, inputs: readonly Message[], outcome: BatchOutcome,
): Promise<Map<string, KeyEntry>> {
  const sends: Promise<MessageId>[] = [];
  const letters = [...outcome.deadLetters];
  const json = (value: unknown): string => JSON.stringify(value ?? null);
  const send = (producer: Producer | undefined, item: Made<{ id: string; key: string }>, value: unknown, what: string): void => {
    if (!producer) { letters.push(undeliverable(item.fn, item.source, item.record, what)); return; }
    sends.push(producer.send({ value: json(value), key: item.record.key, properties: made(item.fn, item.record.id) }, { txn }));
  };
  for (const item of outcome.outputs) {
    send(producers.outputs.get(item.record.output), item, item.record.value, `output topic named ${item.record.output}`);
  }
  for (const item of outcome.decisions) {
    const r = item.record;
    send(producers.decisions, item, { id: r.id, key: r.key, action: r.action, details: r.details, function: item.fn.name, version: item.fn.version }, 'decisions topic');
  }
  for (const item of outcome.audits) {
    const r = item.record;
    send(producers.audit, item, { id: r.id, key: r.key, decisionId: r.decisionId, details: r.details, function: item.fn.name, version: item.fn.version }, 'audit topic');
  }
  for (const letter of letters) sends.push(producers.deadLetter.send(deadLetterMessage(letter), { txn }));
  const changelog = outcome.changes.map((c) => {
    const member = memberOf(c.fn, c.key);
    return { member, value: c.state, sent: producers.changelog.send(encodeRecord({ function: c.fn, key: c.key, state: c.state }), { txn }) };
  });
  // The inputs are acked only once the changelog holds this transaction's records: a new owner
  // then cannot miss a dead owner's transaction that holds acks (bookkeeping.ts, the fence).
  await Promise.all(changelog.map((c) => c.sent));
  const acked = consumer.ackWithTxn(inputs, txn);
  const positions = new Map<string, KeyEntry>();
  await Promise.all([...sends, acked]);
  for (const c of changelog) positions.set(c.member, { position: positionOf(await c.sent), value: c.value });
  return positions;
}
