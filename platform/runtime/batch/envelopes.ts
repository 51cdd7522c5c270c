// Input messages as the contract's envelopes, and the envelopes a function's outputs make for
// the next function of the pipeline.
import type { Message } from '../../pulsar/index.ts';
import type { InputEnvelope, OutputRecord } from '../contract.ts';

/** Where an envelope came from: the input message it derives from (for dead letters and ids). */
export interface Source { message: Message; envelope: InputEnvelope }

export function envelopeOf(message: Message, index: number): InputEnvelope {
  const envelope: InputEnvelope = {
    index,
    data: message.value,
    properties: { ...message.properties },
    publishTime: message.publishTime,
    // Geo-replication keeps the producer name and sequence id, so this is the same in every region.
    identity: `${message.producerName}:${message.sequenceId}`,
    messageId: message.id.toString(),
  };
  if (message.key !== undefined) envelope.partitionKey = message.key;
  if (message.eventTime > 0) envelope.eventTime = message.eventTime;
  return envelope;
}

/** The next function reads an output as JSON bytes; its identity is the output's deterministic id. */
export function chainedEnvelope(output: OutputRecord, from: Source, index: number): Source {
  return {
    message: from.message,
    envelope: {
      index,
      data: Buffer.from(JSON.stringify(output.value)),
      properties: { 'lodestar-output': output.output },
      partitionKey: output.key,
      ...(from.envelope.eventTime !== undefined ? { eventTime: from.envelope.eventTime } : {}),
      publishTime: from.envelope.publishTime,
      identity: output.id,
      messageId: from.envelope.messageId,
    },
  };
}

/** ctx.now() of a batch: its latest event time (publish time where none), so replays see the same. */
export function watermarkOf(sources: readonly Source[]): number {
  let max = 0;
  for (const { envelope } of sources) max = Math.max(max, envelope.eventTime ?? envelope.publishTime);
  return max;
}
