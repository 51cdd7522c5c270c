import { describe, expect, it } from 'vitest';
import { MessageId, PulsarError, type Message } from '../../pulsar/index.ts';
import { DeadLetterReason, type FunctionIdentity, type InputEnvelope } from '../contract.ts';
import type { BatchProcessor } from '../processor.ts';
import { PartitionState } from '../state/partition-state.ts';
import { FunctionSlot } from './function-slot.ts';
import { runBatch } from './run-batch.ts';

const message = (i: number, value: string, error?: PulsarError): Message => ({
  id: new MessageId(1n, BigInt(i)), topic: 'persistent://t/p/in-partition-0', value: Buffer.from(value), key: 'k',
  properties: { p: String(i) }, publishTime: 1000 + i, eventTime: 0, producerName: 'prod', sequenceId: BigInt(i), redeliveryCount: 0,
  ...(error ? { error } : {}),
});

/** Counts per key; rejects `bad`; its output feeds the next function. */
function counter(identity: FunctionIdentity, crashes: { left: number }): BatchProcessor {
  let batch: InputEnvelope[] = [];
  return {
    identity,
    async prepare(envelopes) {
      if (crashes.left-- > 0) throw Object.assign(new Error('sandbox died'), { code: 'SandboxCrashed' });
      batch = envelopes;
      return { events: envelopes.map((e) => (Buffer.from(e.data).toString() === 'bad'
        ? { index: e.index, ok: false as const, reason: DeadLetterReason.SchemaInvalid, message: 'bad' }
        : { index: e.index, ok: true as const, key: 'k', identity: e.identity })) };
    },
    async process(request) {
      let count = Number(request.state.k?.count ?? 0);
      const events = batch.filter((e) => Buffer.from(e.data).toString() !== 'bad').map((e) => {
        count++;
        return { index: e.index, ok: true as const, outputs: [{ id: `${identity.function}-${e.identity}`, output: 'o', key: 'k', value: { count } }], decisions: [], audits: [], logs: [] };
      });
      return { events, stateChanges: { k: { count } } };
    },
    async close() {},
  };
}

const identity = (fn: string): FunctionIdentity => ({ tenant: 't', pipeline: 'p', function: fn, version: 2 });

describe('runBatch', () => {
  it('chains functions, dead-letters undecodable and rejected events, and merges state over what is held', async () => {
    const crashes = { left: 0 };
    const slots = ['one', 'two'].map((fn) => new FunctionSlot({ name: fn, version: 2 }, identity(fn), async (id) => counter(id, crashes), { sandboxFailed: () => undefined }));
    const state = new PartitionState();
    state.apply('one:k', '1', { count: 10 });
    const out = await runBatch([message(1, 'a'), message(2, 'bad'), message(3, '', new PulsarError('ChecksumMismatch', 'crc')), message(4, 'b')], slots, state);
    expect(out.deadLetters.map((d) => [d.source.message.id.entryId, d.reason])).toEqual([[3n, 'undecodable'], [2n, 'schema-invalid']]);
    expect(out.outputs.map((o) => o.record.id)).toEqual(['one-prod:1', 'one-prod:4', 'two-one-prod:1', 'two-one-prod:4']);
    expect(out.changes).toEqual([{ fn: 'one', key: 'k', state: { count: 12 } }, { fn: 'two', key: 'k', state: { count: 2 } }]);
  });

  it('retries a crashed batch once on a fresh processor', async () => {
    const crashes = { left: 1 };
    let made = 0;
    const slot = new FunctionSlot({ name: 'one', version: 2 }, identity('one'), async (id) => { made++; return counter(id, crashes); }, { sandboxFailed: () => undefined });
    const out = await runBatch([message(1, 'a')], [slot], new PartitionState());
    expect(made).toBe(2);
    expect(out.deadLetters).toEqual([]);
    expect(out.outputs).toHaveLength(1);
  });

  it('dead-letters the whole batch when the fresh processor crashes too, and keeps no state change', async () => {
    const crashes = { left: 2 };
    const failures: string[] = [];
    const slot = new FunctionSlot({ name: 'one', version: 2 }, identity('one'), async (id) => counter(id, crashes), { sandboxFailed: (code) => failures.push(code) });
    const out = await runBatch([message(1, 'a'), message(2, 'b')], [slot], new PartitionState());
    expect(failures).toEqual(['SandboxCrashed', 'SandboxCrashed']);
    expect(out.deadLetters.map((d) => d.reason)).toEqual([DeadLetterReason.SandboxCrashed, DeadLetterReason.SandboxCrashed]);
    expect(out.changes).toEqual([]);
    expect(out.outputs).toEqual([]);
  });

  it('lets any other processor failure abort the batch', async () => {
    const slot = new FunctionSlot({ name: 'one', version: 2 }, identity('one'), async () => { throw new Error('cannot start'); }, { sandboxFailed: () => undefined });
    await expect(runBatch([message(1, 'a')], [slot], new PartitionState())).rejects.toThrow('cannot start');
  });
});
