// Shared pieces of the idempotent `ensure*` helpers: create, treat 409 as "already there", then
// converge what differs. The control plane runs these again and again (reconcile after a region
// comes back), so each reports what it had to do.
import { isPulsarAdminError, PulsarAdminErrorCode } from './errors.ts';

export interface EnsureResult {
  /** True when this call created the resource. */
  created: boolean;
  /** What had to be changed on a resource that existed, or set after creating it; empty when nothing. */
  changed: string[];
}

/** Runs `create`; true when it created, false when the broker said 409 (exists). Other errors pass. */
export async function createUnlessExists(create: () => Promise<unknown>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (isPulsarAdminError(error, PulsarAdminErrorCode.CONFLICT)) return false;
    throw error;
  }
}

/** Same members, ignoring order and duplicates. */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b ?? []);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/**
 * True when every field `desired` sets equals the same field of `actual` (arrays as sets, objects
 * field by field). Fields the caller left out are the broker's business (it fills defaults, e.g.
 * ratePeriodInSecond), so they never count.
 */
export function matches(desired: object, actual: unknown): boolean {
  if (actual === undefined || actual === null || typeof actual !== 'object') return false;
  return Object.entries(desired).every(([key, want]) => {
    const have = (actual as Record<string, unknown>)[key];
    if (want === undefined) return true;
    if (Array.isArray(want)) return Array.isArray(have) && sameSet(want.map(String), have.map(String));
    if (want !== null && typeof want === 'object') return matches(want, have);
    return want === have;
  });
}
