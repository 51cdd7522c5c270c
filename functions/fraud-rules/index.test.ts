// fraud-rules through the sdk harness, fed by what fraud-features emits: the threshold rule from
// config decides `review` and audits exactly the features and thresholds it used.
import { createHarness } from '@lodestar/sdk';
import { describe, expect, it } from 'vitest';
import type { Features, Transaction } from '../fraud-features/index.ts';
import fraudFeatures from '../fraud-features/index.ts';
import fraudRules from './index.ts';

const config = { minCount: 3, minAmountSum: 1000 };
const tx = (eventId: string, userId: string, amount: number): Transaction => ({ eventId, userId, amount, currency: 'EUR', ts: 5_000 });

function featuresOf(transactions: Transaction[]): Features[] {
  return createHarness(fraudFeatures).send(transactions).outputs.map((o) => o.value as Features);
}

describe('fraud-rules', () => {
  it('decides review once count and amount sum reach the thresholds, auditing the features used', () => {
    const features = featuresOf([tx('t1', 'alice', 600), tx('t2', 'bob', 5_000), tx('t3', 'alice', 300), tx('t4', 'alice', 50), tx('t5', 'alice', 100)]);
    const harness = createHarness(fraudRules, { tenant: 'fraud', pipeline: 'transactions', version: 7, config });
    const result = harness.send(features);
    expect(result.deadLetters).toEqual([]);
    // alice: 3 transactions summing 950 (no), then 4 summing 1050 (yes); bob: one transaction (no).
    expect(result.decisions.map((d) => [d.key, d.action, d.details])).toEqual([['alice', 'review', { rule: 'high-activity', userId: 'alice', eventId: 't5' }]]);
    expect(result.audits).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        key: 'alice',
        decisionId: result.decisions[0]!.id,
        details: { rule: 'high-activity', features: { count: 4, amountSum: 1050, amount: 100, ts: 5_000 }, thresholds: config, version: 7 },
      },
    ]);
  });

  it('follows the thresholds in config, and dead-letters every event when the config does not fit', () => {
    const features = featuresOf([tx('t1', 'alice', 1), tx('t2', 'alice', 1)]);
    expect(createHarness(fraudRules, { config: { minCount: 2, minAmountSum: 2 } }).send(features).decisions.map((d) => d.details)).toEqual([
      { rule: 'high-activity', userId: 'alice', eventId: 't2' },
    ]);
    const bad = createHarness(fraudRules, { config: { highValue: 1000, rapidCount: 3 } }).send(features);
    expect(bad.decisions).toEqual([]);
    expect(bad.deadLetters.map((d) => [d.reason, d.message])).toEqual([
      ['function-threw', expect.stringMatching(/^SdkError: the pipeline's config does not fit function fraud-rules: minCount: /)],
      ['function-threw', expect.stringMatching(/config does not fit/)],
    ]);
  });

  it('gives the same decision id for the same transaction in every region', () => {
    const features = featuresOf([tx('t1', 'alice', 2_000)]);
    const decide = () => createHarness(fraudRules, { tenant: 'fraud', pipeline: 'transactions', config: { minCount: 1, minAmountSum: 1 } }).send(features).decisions[0]!.id;
    const east = decide();
    expect(decide()).toBe(east);
    expect(createHarness(fraudRules, { tenant: 'fraud', pipeline: 'other', config: { minCount: 1, minAmountSum: 1 } }).send(features).decisions[0]!.id).not.toBe(east);
  });
});
