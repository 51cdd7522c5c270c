// page-uniques through the sdk harness: distinct users per page in keyed state, one output per
// first visit, repeat visits silent.
import { createHarness } from '@lodestar/sdk';
import { describe, expect, it } from 'vitest';
import type { Click } from './index.ts';
import pageUniques from './index.ts';

let n = 0;
const click = (userId: string, page: string, ts = 60_000): Click => ({ eventId: `c${n++}`, userId, page, ts });

describe('page-uniques', () => {
  it('counts distinct users per page, emitting on each first visit only', () => {
    const harness = createHarness(pageUniques, { tenant: 'clickstream', pipeline: 'page-uniques' });
    const first = harness.send([click('u1', '/home', 1), click('u2', '/home', 2), click('u1', '/home', 3), click('u1', '/cart', 4)]);
    const second = harness.send([click('u2', '/home', 5), click('u3', '/home', 6)]);
    expect([...first.outputs, ...second.outputs].map((o) => [o.key, o.value])).toEqual([
      ['/home', { page: '/home', uniqueUsers: 1, firstSeenUser: 'u1', ts: 1 }],
      ['/home', { page: '/home', uniqueUsers: 2, firstSeenUser: 'u2', ts: 2 }],
      ['/cart', { page: '/cart', uniqueUsers: 1, firstSeenUser: 'u1', ts: 4 }],
      ['/home', { page: '/home', uniqueUsers: 3, firstSeenUser: 'u3', ts: 6 }],
    ]);
    expect(harness.state).toEqual({ '/home': { users: { u1: 1, u2: 2, u3: 6 } }, '/cart': { users: { u1: 4 } } });
  });

  it('continues from restored state and dead-letters clicks without a page', () => {
    const harness = createHarness(pageUniques, { initialState: { '/home': { users: { u1: 1, u2: 2 } } } });
    const result = harness.send([{ ...click('u9', ''), page: '' }, click('u2', '/home'), click('u4', '/home')]);
    expect(result.deadLetters.map((d) => [d.index, d.reason])).toEqual([[0, 'schema-invalid']]);
    expect(result.outputs.map((o) => o.value)).toEqual([{ page: '/home', uniqueUsers: 3, firstSeenUser: 'u4', ts: 60_000 }]);
  });
});
