// In-process BatchProcessors standing in for the sandbox + SDK executor (being built beside the
// runtime), keeping to their contract: ids = hex(sha256(tenant/pipeline/function/identity/kind/
// ordinal)) cut to 32, an event that throws leaves no effect, state is whole per key.
//   features: key userId, state { count, sum }, emits `features` { eventId, userId, count, sum }
//   rules:    reads `features`, state { reviews }, decides `review` (with an audit) every 5th event of a user
// An event `{ crash: true }` makes the processor fail like a crashed sandbox (SandboxCrashed).
import { createHash } from 'node:crypto';
import type {
  BatchProcessor, FunctionIdentity, InputEnvelope, PrepareResult, ProcessRequest, ProcessResult, ProcessorFactory,
} from '../../../platform/runtime/index.ts';
import { DeadLetterReason } from '../../../platform/runtime/index.ts';

export interface TxnEvent { eventId: string; userId: string; amount: number; boom?: boolean; crash?: boolean }

export function recordId(id: FunctionIdentity, identity: string, kind: 'output' | 'decision' | 'audit', ordinal: number): string {
  return createHash('sha256').update(`${id.tenant}/${id.pipeline}/${id.function}/${identity}/${kind}/${ordinal}`).digest('hex').slice(0, 32);
}

export const REVIEW_EVERY = 5;

class SandboxCrash extends Error {
  readonly code = 'SandboxCrashed';
}

type Parsed = { index: number; key: string; identity: string; event: Record<string, unknown> };

abstract class TestProcessor implements BatchProcessor {
  readonly identity: FunctionIdentity;
  #prepared: Parsed[] = [];

  constructor(identity: FunctionIdentity) {
    this.identity = identity;
  }

  async prepare(batch: InputEnvelope[]): Promise<PrepareResult> {
    this.#prepared = [];
    const events: PrepareResult['events'] = [];
    for (const envelope of batch) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(Buffer.from(envelope.data).toString('utf8')) as Record<string, unknown>;
      } catch (err) {
        events.push({ index: envelope.index, ok: false, reason: DeadLetterReason.Undecodable, message: String(err) });
        continue;
      }
      if (event.crash === true) throw new SandboxCrash('test processor crashed on purpose');
      const problem = this.invalid(event);
      if (problem) {
        events.push({ index: envelope.index, ok: false, reason: DeadLetterReason.SchemaInvalid, message: problem });
        continue;
      }
      const parsed = { index: envelope.index, key: String(event.userId), identity: this.identityOf(event, envelope), event };
      this.#prepared.push(parsed);
      events.push({ index: parsed.index, ok: true, key: parsed.key, identity: parsed.identity });
    }
    return { events };
  }

  async process(request: ProcessRequest): Promise<ProcessResult> {
    const state = structuredClone(request.state);
    const changed = new Set<string>();
    const events: ProcessResult['events'] = [];
    for (const p of this.#prepared) {
      if (p.event.boom === true) {
        events.push({ index: p.index, ok: false, reason: DeadLetterReason.FunctionThrew, message: 'boom' });
        continue;
      }
      const current = state[p.key] ?? {};
      const result = this.step(p, current);
      state[p.key] = result.state;
      changed.add(p.key);
      events.push({ index: p.index, ok: true, outputs: result.outputs, decisions: result.decisions, audits: result.audits, logs: [] });
    }
    const stateChanges: ProcessResult['stateChanges'] = {};
    for (const key of changed) stateChanges[key] = state[key]!;
    return { events, stateChanges };
  }

  async close(): Promise<void> {}

  protected abstract invalid(event: Record<string, unknown>): string | undefined;
  protected abstract identityOf(event: Record<string, unknown>, envelope: InputEnvelope): string;
  protected abstract step(p: Parsed, state: Record<string, unknown>): {
    state: Record<string, unknown>;
    outputs: { id: string; output: string; key: string; value: unknown }[];
    decisions: { id: string; key: string; action: string; details: unknown }[];
    audits: { id: string; key: string; decisionId?: string; details: unknown }[];
  };
}

class Features extends TestProcessor {
  protected invalid(e: Record<string, unknown>): string | undefined {
    if (typeof e.eventId !== 'string' || typeof e.userId !== 'string') return 'eventId and userId must be strings';
    if (typeof e.amount !== 'number' || e.amount < 0) return 'amount must be a number >= 0';
    return undefined;
  }

  protected identityOf(e: Record<string, unknown>): string {
    return String(e.eventId);
  }

  protected step(p: Parsed, state: Record<string, unknown>) {
    const count = Number(state.count ?? 0) + 1;
    const sum = Number(state.sum ?? 0) + Number(p.event.amount);
    return {
      state: { count, sum },
      outputs: [{ id: recordId(this.identity, p.identity, 'output', 0), output: 'features', key: p.key, value: { eventId: p.event.eventId, userId: p.key, count, sum } }],
      decisions: [], audits: [],
    };
  }
}

class Rules extends TestProcessor {
  protected invalid(e: Record<string, unknown>): string | undefined {
    return typeof e.userId === 'string' && typeof e.count === 'number' ? undefined : 'not a features record';
  }

  protected identityOf(_e: Record<string, unknown>, envelope: InputEnvelope): string {
    return envelope.identity;
  }

  protected step(p: Parsed, state: Record<string, unknown>) {
    if (Number(p.event.count) % REVIEW_EVERY !== 0) return { state, outputs: [], decisions: [], audits: [] };
    const decisionId = recordId(this.identity, p.identity, 'decision', 0);
    return {
      state: { reviews: Number(state.reviews ?? 0) + 1 },
      outputs: [],
      decisions: [{ id: decisionId, key: p.key, action: 'review', details: { count: p.event.count, sum: p.event.sum } }],
      audits: [{ id: recordId(this.identity, p.identity, 'audit', 0), key: p.key, decisionId, details: { eventId: p.event.eventId } }],
    };
  }
}

export interface FactoryLog { made: FunctionIdentity[] }

export function testProcessors(log: FactoryLog = { made: [] }): ProcessorFactory {
  return async (identity) => {
    log.made.push(identity);
    if (identity.function === 'features') return new Features(identity);
    if (identity.function === 'rules') return new Rules(identity);
    throw new Error(`no test processor for ${identity.function}`);
  };
}

export default testProcessors();
