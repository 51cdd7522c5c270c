import { describe, expect, it } from 'vitest';
import { TopicName } from './topic-name.ts';

describe('TopicName', () => {
  it('expands short forms and keeps full ones', () => {
    expect(String(TopicName.parse('orders'))).toBe('persistent://public/default/orders');
    expect(String(TopicName.parse('t/ns/orders'))).toBe('persistent://t/ns/orders');
    expect(String(TopicName.parse('non-persistent://t/ns/x'))).toBe('non-persistent://t/ns/x');
  });

  it('knows partitions', () => {
    const p = TopicName.parse('persistent://t/ns/orders-partition-3');
    expect(p.partitionIndex).toBe(3);
    expect(String(p.base)).toBe('persistent://t/ns/orders');
    expect(String(TopicName.parse('t/ns/orders').partition(1))).toBe('persistent://t/ns/orders-partition-1');
    expect(TopicName.parse('t/ns/a-partition-x').partitionIndex).toBe(-1);
  });

  it('rejects malformed names with a typed error', () => {
    for (const bad of ['a/b', 'x://t/n/a', 'persistent://t//a', 'persistent://t/n/a/b']) {
      expect(() => TopicName.parse(bad)).toThrow(expect.objectContaining({ code: 'InvalidTopicName' }));
    }
  });
});
