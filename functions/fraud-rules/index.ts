// Rule "high-activity" over fraud-features' output: a user whose transaction count and amount sum
// both reach the configured thresholds gets a `review` decision for the transaction that crossed
// them, and an audit record of exactly the features and thresholds the rule used. Stateless: the
// features carry what the rule needs.
import { defineFunction } from '@lodestar/sdk';
import { z } from 'zod';

// The same shape as fraud-features' Features: functions import only the sdk, so each declares the
// input it accepts (the harness test feeds one's output to the other to keep them in step).
const Features = z.object({
  userId: z.string().min(1),
  eventId: z.string().min(1),
  ts: z.number().int(),
  amount: z.number().nonnegative(),
  count: z.number().int().positive(),
  amountSum: z.number().nonnegative(),
});

export const RulesConfig = z.object({
  /** Review once a user has made at least this many transactions... */
  minCount: z.number().int().positive(),
  /** ...adding up to at least this amount. */
  minAmountSum: z.number().nonnegative(),
});

export default defineFunction({
  name: 'fraud-rules',
  input: Features,
  key: (f) => f.userId,
  // One feature record per transaction: its id is the transaction's, stable across regions and replays.
  id: (f) => f.eventId,
  config: RulesConfig,
  process(f, ctx) {
    const { minCount, minAmountSum } = ctx.config;
    if (f.count < minCount || f.amountSum < minAmountSum) return;
    const decisionId = ctx.decide('review', { rule: 'high-activity', userId: f.userId, eventId: f.eventId });
    ctx.audit(
      { rule: 'high-activity', features: { count: f.count, amountSum: f.amountSum, amount: f.amount, ts: f.ts }, thresholds: { minCount, minAmountSum }, version: ctx.function.version },
      { decisionId },
    );
  },
});
