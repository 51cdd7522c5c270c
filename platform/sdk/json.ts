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

// By shape, not identity: the sandbox runs functions in their own realm, whose Object.prototype
// is not this module's when the two are loaded apart.
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || (Object.getPrototypeOf(proto) === null && (proto as { constructor?: { name?: string } }).constructor?.name === 'Object');
}

/**
 * A deep, frozen copy of `value` if it is plain JSON (null, booleans, finite numbers, strings,
 * dense arrays, plain objects, no cycles); otherwise an SdkError NOT_JSON naming `what` and the
 * path, e.g. `state "total": $.items[2] is a bigint, not JSON`.
 */
export function frozenJson<T>(value: T, what: string): T {
  const out = copy(value, []);
  if (out !== NOT_JSON) return out as T;
  const [path, found] = explain(value, '$', []) ?? ['$', 'not JSON'];
  throw new SdkError(SdkErrorCode.NOT_JSON, `${what}: ${path} is ${found}, not JSON`);
}

const NOT_JSON = Symbol('not JSON');

// The common case: copy and freeze, and on the first problem give up; explain() then walks again
// to say where, so paths are built only for the error.
function copy(v: unknown, ancestors: object[]): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : NOT_JSON;
  if (typeof v !== 'object' || ancestors.includes(v)) return NOT_JSON;
  ancestors.push(v);
  let out: unknown = NOT_JSON;
  if (Array.isArray(v)) {
    const items: unknown[] = new Array(v.length);
    let i = 0;
    for (; i < v.length; i++) {
      if (!(i in v) || (items[i] = copy(v[i], ancestors)) === NOT_JSON) break;
    }
    if (i === v.length) out = Object.freeze(items);
  } else if (isPlainObject(v)) {
    const fields: Record<string, unknown> = {};
    let ok = true;
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      const item = copy((v as Record<string, unknown>)[k], ancestors);
      if (item === NOT_JSON) {
        ok = false;
        break;
      }
      // Assigning `__proto__` would set the prototype instead of a field.
      if (k === '__proto__') Object.defineProperty(fields, k, { value: item, enumerable: true, writable: true, configurable: true });
      else fields[k] = item;
    }
    if (ok) out = Object.freeze(fields);
  }
  ancestors.pop();
  return out;
}

/** Where the first non-JSON part of `v` is, and what it is. */
function explain(v: unknown, path: string, ancestors: object[]): [string, string] | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : [path, describe(v)];
  if (typeof v !== 'object') return [path, describe(v)];
  if (ancestors.includes(v)) return [path, 'a cycle'];
  ancestors.push(v);
  let found: [string, string] | undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && !found; i++) found = i in v ? explain(v[i], `${path}[${i}]`, ancestors) : [`${path}[${i}]`, 'a hole'];
  } else if (isPlainObject(v)) {
    // An undefined field is reported, not dropped as JSON.stringify would: it is a bug, not an omission.
    for (const k of Object.keys(v)) if (!found) found = explain((v as Record<string, unknown>)[k], `${path}.${k}`, ancestors);
  } else {
    found = [path, describe(v)];
  }
  ancestors.pop();
  return found;
}
