// Small definitions the sdk's own tests run: one per behaviour under test.
import { z } from 'zod';
import { counter, defineFunction, map, value } from './index.ts';

export const Event = z.object({ id: z.string(), user: z.string(), amount: z.number(), fail: z.boolean().optional() });
export type Event = z.infer<typeof Event>;

/** Touches every state kind and every record kind, then throws if the event says so. */
export const everything = defineFunction({
  name: 'everything',
  input: Event,
  key: (e) => e.user,
  state: { total: counter(), last: value<string | null>(null), seen: map<number>() },
  outputs: ['totals'],
  process(e, ctx) {
    const total = ctx.state.total.add(e.amount);
    ctx.state.last.set(e.id);
    ctx.state.seen.set(e.id, e.amount);
    ctx.emit('totals', { user: e.user, total });
    const decisionId = ctx.decide('look', { total });
    ctx.audit({ total }, { decisionId });
    ctx.log.info('processed', { id: e.id });
    if (e.fail) throw new Error(`asked to fail on ${e.id}`);
  },
});

export const Config = z.object({ limit: z.number().int(), label: z.string().default('standard') });
