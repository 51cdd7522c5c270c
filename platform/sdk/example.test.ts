import { createHarness, rawInput } from '@lodestar/sdk';
import { expect, it } from 'vitest';
import cardVelocity from './example.ts';

it('blocks a card used at more merchants than the config allows', () => {
  const harness = createHarness(cardVelocity, { config: { maxMerchants: 2 } });
  const pay = (paymentId: string, merchant: string) => ({ paymentId, card: 'c-1', merchant, amount: 10 });

  const result = harness.send([pay('p1', 'shop'), pay('p2', 'cafe'), rawInput('oops'), pay('p3', 'bar')]);

  expect(result.outputs.map((o) => o.value)).toEqual([
    { card: 'c-1', payments: 1, merchants: 1 },
    { card: 'c-1', payments: 2, merchants: 2 },
    { card: 'c-1', payments: 3, merchants: 3 },
  ]);
  expect(result.decisions).toEqual([{ id: expect.any(String), key: 'c-1', action: 'block-card', details: { card: 'c-1', paymentId: 'p3' } }]);
  expect(result.audits[0]).toMatchObject({ decisionId: result.decisions[0]!.id, details: { merchants: ['shop', 'cafe', 'bar'], limit: 2 } });
  expect(result.deadLetters.map((d) => d.reason)).toEqual(['undecodable']);
  expect(harness.state).toEqual({ 'c-1': { payments: 3, merchants: { shop: 10, cafe: 10, bar: 10 } } });
});
