// What one batch produced, ready to be published in its transaction.
import type { AuditRecord, DeadLetterReason, DecisionRecord, OutputRecord } from '../contract.ts';
import type { RuntimeFunction } from '../pipeline.ts';
import type { KeyState } from '../state/partition-state.ts';
import type { Source } from './envelopes.ts';

export interface Made<T> { fn: RuntimeFunction; record: T; source: Source }

export interface DeadLetter {
  source: Source;
  reason: DeadLetterReason | 'no-destination';
  message: string;
  fn?: RuntimeFunction;
}

export interface StateChange { fn: string; key: string; state: KeyState }

export interface BatchOutcome {
  outputs: Made<OutputRecord>[];
  decisions: Made<DecisionRecord>[];
  audits: Made<AuditRecord>[];
  deadLetters: DeadLetter[];
  changes: StateChange[];
}

export const emptyOutcome = (): BatchOutcome => ({ outputs: [], decisions: [], audits: [], deadLetters: [], changes: [] });
