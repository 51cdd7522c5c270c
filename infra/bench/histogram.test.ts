import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatencyHistogram, percentileOfSorted } from './histogram.ts';

describe('percentileOfSorted', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentileOfSorted(values, 50)).toBe(500);
    expect(percentileOfSorted(values, 99)).toBe(990);
    expect(percentileOfSorted(values, 99.9)).toBe(999);
    expect(percentileOfSorted(values, 100)).toBe(1000);
    expect(percentileOfSorted([7], 99.9)).toBe(7);
    expect(percentileOfSorted([], 50)).toBe(0);
  });
});

describe('LatencyHistogram', () => {
  it('is exact below about a millisecond', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 1000; us++) h.record(us / 1000);
    expect(h.percentile(50)).toBe(0.5);
    expect(h.percentile(99)).toBe(0.99);
    expect(h.percentile(99.9)).toBe(0.999);
    expect(h.summary()).toMatchObject({ count: 1000, max: 1, mean: 0.5005 });
  });

  it('reports an empty histogram as zeros', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, mean: 0, p50: 0, p99: 0, p999: 0, max: 0 });
  });

  it('a single slow sample is the p99.9 of a thousand and the max', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 999; i++) h.record(2);
    h.record(250);
    expect(h.percentile(99)).toBeCloseTo(2, 2);
    expect(h.percentile(99.9)).toBeCloseTo(2, 2);
    expect(h.percentile(100)).toBe(250);
    expect(h.summary().max).toBe(250);
  });

  it('stays within 0.2 % of the exact percentile, never below it', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0, max: 600_000, noNaN: true }), { minLength: 1, maxLength: 400 }),
      fc.constantFrom(50, 90, 99, 99.9, 100),
      (samples, p) => {
        const h = new LatencyHistogram();
        for (const s of samples) h.record(s);
        const exact = percentileOfSorted(samples.map((s) => Math.round(s * 1000) / 1000).sort((a, b) => a - b), p);
        const got = h.percentile(p);
        expect(got).toBeGreaterThanOrEqual(exact - 1e-9);
        expect(got).toBeLessThanOrEqual(exact * 1.002 + 1e-9);
      },
    ));
  });
});
