import { describe, expect, it } from 'vitest';
import { parseTopicPattern } from './topic-pattern.ts';

const listed = [
  'persistent://public/default/orders-eu-partition-0',
  'persistent://public/default/orders-eu-partition-1',
  'persistent://public/default/orders-us',
  'persistent://public/default/refunds',
  'persistent://public/default/x-orders-us',
  'non-persistent://public/default/orders-live',
  'persistent://public/default/orders-us-sub__transaction_pending_ack',
  'persistent://public/default/__change_events',
];

describe('topics patterns', () => {
  it('names the namespace and selects partitioned names that match whole, scheme left out', () => {
    const p = parseTopicPattern('persistent://public/default/orders-.*');
    expect(p.namespace).toBe('public/default');
    expect(p.mode).toBe('persistent');
    expect(p.select(listed)).toEqual(['persistent://public/default/orders-eu', 'persistent://public/default/orders-us']);
  });

  it('never selects system topics, even with .*', () => {
    expect(parseTopicPattern('public/default/.*').select(listed)).toEqual([
      'persistent://public/default/orders-eu', 'persistent://public/default/orders-us', 'persistent://public/default/refunds',
      'persistent://public/default/x-orders-us',
    ]);
  });

  it('takes the domain from the mode: non-persistent, or all', () => {
    expect(parseTopicPattern('non-persistent://public/default/orders-.*').select(listed)).toEqual(['non-persistent://public/default/orders-live']);
    expect(parseTopicPattern(/public\/default\/orders-(us|live)/, 'all').select(listed))
      .toEqual(['persistent://public/default/orders-us', 'non-persistent://public/default/orders-live']);
  });

  it('refuses patterns without a literal tenant and namespace, or that do not compile', () => {
    for (const bad of ['orders-.*', 'public/.*/orders', 'persistent://public/default/(']) {
      expect(() => parseTopicPattern(bad)).toThrow(expect.objectContaining({ code: 'InvalidConfiguration' }));
    }
  });
});
