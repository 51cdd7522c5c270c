// Per-user transaction features (reference workload 2, DESIGN.md): a running count and amount sum
// per user, emitted as a feature vector with every transaction for fraud-rules to judge. The
// 5-minute event-time window of the design arrives with the windowed state kinds; until then the
// features are totals since the user's first transaction.
import { counter, defineFunction } from '@lodestar/sdk';
import { z } from 'zod';

export const Transaction = z.object({
  eventId: z.string().min(1),
  userId: z.string().min(1),
  amount: z.number().nonnegative(),
  currency: z.string().length(3),
  /** Event time, ms since the epoch. */
  ts: z.number().int(),
});
export type Transaction = z.infer<typeof Transaction>;

/** What fraud-features emits to `features` and fraud-rules reads. */
export const Features = z.object({
  userId: z.string().min(1),
  /** The transaction these features were computed at. */
  eventId: z.string().min(1),
  ts: z.number().int(),
  amount: z.number().nonnegative(),
  count: z.number().int().positive(),
  amountSum: z.number().nonnegative(),
});
export type Features = z.infer<typeof Features>;

export default defineFunction({
  name: 'fraud-features',
  input: Transaction,
  key: (tx) => tx.userId,
  // The transaction's own id: a producer that retries with a new sequence id still gets the same record ids.
  id: (tx) => tx.eventId,
  state: { count: counter(), amountSum: counter() },
  outputs: ['features'],
  process(tx, ctx) {
    const features: Features = {
      userId: tx.userId,
      eventId: tx.eventId,
      ts: tx.ts,
      amount: tx.amount,
      count: ctx.state.count.add(1),
      amountSum: ctx.state.amountSum.add(tx.amount),
    };
    ctx.emit('features', features);
  },
});
