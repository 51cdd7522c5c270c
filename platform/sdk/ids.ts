// Record ids are derived, never drawn: the same input (by its identity, not its per-region message
// id) in the same function gives the same ids in every region and on every replay, which is what
// lets the decision sink and downstream consumers drop the duplicates a failover or a retried
// transaction produces. Tenant, pipeline and function names cannot contain '/', and kind and
// ordinal are fixed-form, so the joined string reads back one way only: distinct inputs, distinct ids.
import { createHash } from 'node:crypto';
import type { FunctionIdentity } from './protocol.ts';

export const RecordKind = { Output: 'output', Decision: 'decision', Audit: 'audit' } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

/** hex(sha256(tenant/pipeline/function/identity/kind/ordinal)), first 32 hex characters (128 bits). */
export function recordId(fn: Pick<FunctionIdentity, 'tenant' | 'pipeline' | 'function'>, identity: string, kind: RecordKind, ordinal: number): string {
  return createHash('sha256').update(`${fn.tenant}/${fn.pipeline}/${fn.function}/${identity}/${kind}/${ordinal}`).digest('hex').slice(0, 32);
}
