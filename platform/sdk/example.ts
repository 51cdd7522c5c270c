import { counter, defineFunction, map } from '@lodestar/sdk';
import { z } from 'zod';

const CardPayment = z.object({
  paymentId: z.string(),
  card: z.string(),
  merchant: z.string(),
  amount: z.number().positive(),
});

export default defineFunction({
  name: 'card-velocity',
  input: CardPayment,
  key: (p) => p.card, // one card's payments run in order and share state
  id: (p) => p.paymentId, // record ids derive from the payment, the same in every region
  config: z.object({ maxMerchants: z.number().int().positive() }),
  state: { payments: counter(), merchants: map<number>() },
  outputs: ['card-activity'],
  process(p, ctx) {
    const payments = ctx.state.payments.add(1);
    const merchants = ctx.state.merchants;
    merchants.set(p.merchant, (merchants.get(p.merchant) ?? 0) + p.amount);
    ctx.emit('card-activity', { card: p.card, payments, merchants: merchants.size });
    if (merchants.size > ctx.config.maxMerchants) {
      const decisionId = ctx.decide('block-card', { card: p.card, paymentId: p.paymentId });
      ctx.audit({ merchants: merchants.keys(), limit: ctx.config.maxMerchants }, { decisionId });
      ctx.log.warn('card blocked', { card: p.card });
    }
  },
});
