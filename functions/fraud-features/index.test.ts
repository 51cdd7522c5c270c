// fraud-features through the sdk harness: per-user running count and sum, carried across batches,
// bad transactions dead-lettered without touching the totals.
import { createHarness, rawInput } from '@lodestar/sdk';
import { describe, expect, it } from 'vitest';
import type { Transaction } from './index.ts';
import fraudFeatures from './index.ts';

const tx = (eventId: string, userId: string, amount: number, ts = 1_000): Transaction => ({ eventId, userId, amount, currency: 'EUR', ts });

describe('fraud-features', () => {
  it('emits the running count and amount sum per user, across batches', () => {
    const harness = createHarness(fraudFeatures, { tenant: 'fraud', pipeline: 'transactions' });
    const first = harness.send([tx('t1', 'alice', 10), tx('t2', 'bob', 99.5), tx('t3', 'alice', 2.5)]);
    const second = harness.send([tx('t4', 'alice', 7)]);
    expect([...first.outputs, ...second.outputs].map((o) => [o.output, o.key, o.value])).toEqual([
      ['features', 'alice', { userId: 'alice', eventId: 't1', ts: 1_000, amount: 10, count: 1, amountSum: 10 }],
      ['features', 'bob', { userId: 'bob', eventId: 't2', ts: 1_000, amount: 99.5, count: 1, amountSum: 99.5 }],
      ['features', 'alice', { userId: 'alice', eventId: 't3', ts: 1_000, amount: 2.5, count: 2, amountSum: 12.5 }],
      ['features', 'alice', { userId: 'alice', eventId: 't4', ts: 1_000, amount: 7, count: 3, amountSum: 19.5 }],
    ]);
    expect(harness.state).toEqual({ alice: { count: 3, amountSum: 19.5 }, bob: { count: 1, amountSum: 99.5 } });
  });

  it('dead-letters what is not a transaction and leaves the totals alone', () => {
    const harness = createHarness(fraudFeatures, { initialState: { alice: { count: 4, amountSum: 40 } } });
    const result = harness.send([
      { ...tx('t1', 'alice', 1), currency: 'EURO' },
      tx('t2', 'alice', -5),
      rawInput('alice,5,EUR'),
      tx('t3', 'alice', 5),
    ]);
    expect(result.deadLetters.map((d) => [d.index, d.reason, d.message])).toEqual([
      [0, 'schema-invalid', expect.stringMatching(/^currency: /)],
      [1, 'schema-invalid', expect.stringMatching(/^amount: /)],
      [2, 'undecodable', expect.stringMatching(/^not UTF-8 JSON/)],
    ]);
    expect(result.outputs.map((o) => o.value)).toEqual([{ userId: 'alice', eventId: 't3', ts: 1_000, amount: 5, count: 5, amountSum: 45 }]);
  });

  it('derives output ids from the transaction id, so a re-sent transaction gets the same id', () => {
    const once = createHarness(fraudFeatures).send([tx('t1', 'alice', 10)]).outputs[0]!.id;
    // Another harness numbers its inputs differently; the id comes from eventId alone.
    const other = createHarness(fraudFeatures);
    other.send([tx('t0', 'carol', 1)]);
    expect(other.send([tx('t1', 'alice', 10)]).outputs[0]!.id).toBe(once);
  });
});
