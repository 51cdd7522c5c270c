// A readable diff of two JSON documents (specs): arrays of named objects are matched by name, so
// reordering nothing but editing one input shows as `inputs[clicks].partitions`, not as a shift.
import type { SpecChange } from '../schemas/index.ts';

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
const named = (v: Json): v is { name: string }[] => Array.isArray(v) && v.every((x) => isObject(x) && typeof x.name === 'string');

export function diffSpecs(from: Json, to: Json, path = ''): SpecChange[] {
  if (from === undefined && to === undefined) return [];
  if (from === undefined) return [{ path: path || '.', kind: 'added', to }];
  if (to === undefined) return [{ path: path || '.', kind: 'removed', from }];
  if (named(from) && named(to)) {
    // Order matters for functions (they run in order): report a reorder as a change of the list.
    const order = (xs: { name: string }[]) => xs.map((x) => x.name).join(',');
    const left = new Map(from.map((x) => [x.name, x]));
    const right = new Map(to.map((x) => [x.name, x]));
    const names = [...new Set([...left.keys(), ...right.keys()])];
    const changes = names.flatMap((n) => diffSpecs(left.get(n), right.get(n), `${path}[${n}]`));
    const sameMembers = left.size === right.size && [...left.keys()].every((n) => right.has(n));
    if (sameMembers && order(from) !== order(to)) changes.push({ path: `${path}.order`, kind: 'changed', from: order(from), to: order(to) });
    return changes;
  }
  if (isObject(from) && isObject(to)) {
    const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return fields.flatMap((f) => diffSpecs(from[f], to[f], path ? `${path}.${f}` : f));
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ path: path || '.', kind: 'changed', from, to }];
}
