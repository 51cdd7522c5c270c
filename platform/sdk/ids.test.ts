// Record ids: the contract's formula exactly, and no two inputs, kinds or ordinals sharing an id.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordId, RecordKind } from './index.ts';

const fn = { tenant: 'acme', pipeline: 'payments', function: 'fraud-rules' };

describe('recordId', () => {
  it('is the first 32 hex characters of sha256 over tenant/pipeline/function/identity/kind/ordinal', () => {
    const expected = createHash('sha256').update('acme/payments/fraud-rules/producer-1:42/decision/0').digest('hex').slice(0, 32);
    expect(recordId(fn, 'producer-1:42', RecordKind.Decision, 0)).toBe(expected);
  });

  it('differs when any part differs, and only then', () => {
    const ids = new Set<string>();
    for (const tenant of ['acme', 'beta']) {
      for (const identity of ['p:1', 'p:2', 'tx-9']) {
        for (const kind of Object.values(RecordKind)) {
          for (const ordinal of [0, 1, 2]) ids.add(recordId({ ...fn, tenant }, identity, kind, ordinal));
        }
      }
    }
    expect(ids.size).toBe(2 * 3 * 3 * 3);
    expect(recordId(fn, 'p:1', RecordKind.Output, 1)).toBe(recordId({ ...fn }, 'p:1', RecordKind.Output, 1));
  });
});
