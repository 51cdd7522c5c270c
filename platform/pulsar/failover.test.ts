import { describe, expect, it } from 'vitest';
import { ClusterFailover } from './failover.ts';

describe('ClusterFailover', () => {
  it('switches to a healthy secondary after the delay and back after the switch-back delay', async () => {
    const up = new Map([['pulsar://a:1', true], ['pulsar://b:1', true]]);
    const f = new ClusterFailover({
      primary: 'pulsar://a:1', secondaries: ['pulsar://b:1'], failoverDelayMs: 1000, switchBackDelayMs: 5000,
      probe: async (url) => up.get(url) ?? false,
    });
    await f.check(0);
    expect(f.getServiceUrl()).toBe('pulsar://a:1');
    up.set('pulsar://a:1', false);
    await f.check(100);
    await f.check(900);
    expect(f.getServiceUrl()).toBe('pulsar://a:1');
    await f.check(1100);
    expect(f.getServiceUrl()).toBe('pulsar://b:1');
    up.set('pulsar://a:1', true);
    await f.check(2000);
    await f.check(6000);
    expect(f.getServiceUrl()).toBe('pulsar://b:1');
    await f.check(7000);
    expect(f.getServiceUrl()).toBe('pulsar://a:1');
  });
});
