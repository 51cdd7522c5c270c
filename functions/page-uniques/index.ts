// Distinct users per page (reference workload 1, DESIGN.md): keyed by page, the set of users seen
// is a map in keyed state; each first visit of a user emits the page's new distinct count. The
// 1-minute event-time windows and late clicks of the design arrive with the windowed state kinds;
// until then the count covers all time.
import { defineFunction, map } from '@lodestar/sdk';
import { z } from 'zod';

export const Click = z.object({
  eventId: z.string().min(1),
  userId: z.string().min(1),
  page: z.string().min(1),
  /** Event time, ms since the epoch. */
  ts: z.number().int(),
});
export type Click = z.infer<typeof Click>;

export default defineFunction({
  name: 'page-uniques',
  input: Click,
  key: (click) => click.page,
  id: (click) => click.eventId,
  // userId -> event time of the user's first click on the page.
  state: { users: map<number>() },
  outputs: ['page-uniques'],
  process(click, ctx) {
    const users = ctx.state.users;
    if (users.has(click.userId)) return;
    users.set(click.userId, click.ts);
    ctx.emit('page-uniques', { page: click.page, uniqueUsers: users.size, firstSeenUser: click.userId, ts: click.ts });
  },
});
