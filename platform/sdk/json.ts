// Everything a function hands to the executor (state, outputs, decisions, audit details) leaves
// its process as JSON: over IPC, into the changelog, into Redis, onto topics. So it is checked
// here, where the author can still be told which value and which path is wrong, instead of
// being silently altered later (JSON.stringify drops undefined, turns NaN into null, throws on
// bigint). Copies are frozen so a function cannot change a value after handing it over.
import { SdkError, SdkErrorCode } from './errors.ts';

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return 'a bigint';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : 'an object with a foreign prototype';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep, frozen copy of `value` if it is plain JSON (null, booleans, finite numbers, strings,
 * dense arrays, plain objects, no cycles); otherwise an SdkError NOT_JSON naming `what` and the
 * path, e.g. `state "total": $.items[2] is a bigint, not JSON`.
 */
export function frozenJson<T>(value: T, what: string): T {
  const ancestors = new Set<object>();
  const fail = (path: string, found: string): never => {
    throw new SdkError(SdkErrorCode.NOT_JSON, `${what}: ${path} is ${found}, not JSON`);
  };
  const copy = (v: unknown, path: string): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : fail(path, describe(v));
    if (typeof v !== 'object') return fail(path, describe(v));
    if (ancestors.has(v)) return fail(path, 'a cycle');
    ancestors.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      const items: unknown[] = [];
      for (let i = 0; i < v.length; i++) items.push(i in v ? copy(v[i], `${path}[${i}]`) : fail(`${path}[${i}]`, 'a hole'));
      out = Object.freeze(items);
    } else if (isPlainObject(v)) {
      const fields: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        // Like JSON.stringify would, but said out loud: an undefined field is a bug, not an omission.
        Object.defineProperty(fields, k, { value: copy(item, `${path}.${k}`), enumerable: true });
      }
      out = Object.freeze(fields);
    } else {
      out = fail(path, describe(v));
    }
    ancestors.delete(v);
    return out;
  };
  return copy(value, '$') as T;
}
