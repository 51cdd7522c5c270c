// Runs a pipeline's functions, in spec order, over one batch: the first reads the input messages,
// each next one the outputs of the one before. Nothing here touches Pulsar or Redis: the result
// is published by publish.ts and applied to state only after the commit.
import type { Message } from '../../pulsar/index.ts';
import { DeadLetterReason, type ProcessedEvent, type Rejected, type StateSnapshot } from '../contract.ts';
import { mergeState, type PartitionState } from '../state/partition-state.ts';
import { chainedEnvelope, envelopeOf, watermarkOf, type Source } from './envelopes.ts';
import type { FunctionSlot } from './function-slot.ts';
import { emptyOutcome, type BatchOutcome } from './outcome.ts';

export async function runBatch(messages: readonly Message[], slots: readonly FunctionSlot[], state: PartitionState): Promise<BatchOutcome> {
  const outcome = emptyOutcome();
  let sources: Source[] = [];
  for (const message of messages) {
    if (message.error) {
      // The client could not read the payload (checksum, compression, batch format).
      const source = { message, envelope: envelopeOf(message, -1) };
      outcome.deadLetters.push({ source, reason: DeadLetterReason.Undecodable, message: `${message.error.code}: ${message.error.message}` });
    } else {
      sources.push({ message, envelope: envelopeOf(message, sources.length) });
    }
  }
  const watermark = watermarkOf(sources);
  for (const slot of slots) {
    if (sources.length === 0) break;
    sources = await runSlot(slot, sources, watermark, state, outcome);
  }
  return outcome;
}

/** One function over `sources`; returns the envelopes of its outputs for the next function. */
async function runSlot(slot: FunctionSlot, sources: Source[], watermark: number, state: PartitionState, outcome: BatchOutcome): Promise<Source[]> {
  const fn = slot.fn;
  const load = (keys: string[]): StateSnapshot => {
    const snapshot: StateSnapshot = {};
    for (const key of keys) {
      const value = state.get(fn.name, key);
      if (value) snapshot[key] = value;
    }
    return snapshot;
  };
  const result = await slot.run(sources, watermark, load);
  if (!result.ok) {
    for (const source of sources) outcome.deadLetters.push({ source, reason: result.reason, message: result.message, fn });
    return [];
  }
  const rejected = new Map<number, Rejected>();
  for (const e of result.prepared.events) if (!e.ok) rejected.set(e.index, e);
  const processed = new Map<number, ProcessedEvent>();
  for (const e of result.processed.events) {
    if (e.ok) processed.set(e.index, e);
    else rejected.set(e.index, e);
  }
  const next: Source[] = [];
  for (const source of sources) {
    const bad = rejected.get(source.envelope.index);
    if (bad) {
      outcome.deadLetters.push({ source, reason: bad.reason, message: bad.message, fn });
      continue;
    }
    const event = processed.get(source.envelope.index);
    if (!event) {
      outcome.deadLetters.push({ source, reason: DeadLetterReason.FunctionThrew, message: 'the processor returned no result for this event', fn });
      continue;
    }
    for (const record of event.outputs) {
      outcome.outputs.push({ fn, record, source });
      next.push(chainedEnvelope(record, source, next.length));
    }
    for (const record of event.decisions) outcome.decisions.push({ fn, record, source });
    for (const record of event.audits) outcome.audits.push({ fn, record, source });
  }
  for (const [key, changes] of Object.entries(result.processed.stateChanges)) {
    outcome.changes.push({ fn: fn.name, key, state: mergeState(state.get(fn.name, key), changes) });
  }
  return next;
}
