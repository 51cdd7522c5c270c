// frozenJson: what may leave a function. Copies plain JSON frozen; names the first bad part.
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { frozenJson } from './json.ts';

describe('frozenJson', () => {
  it('returns a deep frozen copy of plain JSON, keeping a __proto__ field as data', () => {
    const input = JSON.parse('{"a":[1,{"b":"x"}],"n":null,"__proto__":{"polluted":true}}');
    const out = frozenJson(input, 'v');
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(Object.isFrozen(out) && Object.isFrozen(out.a) && Object.isFrozen(out.a[1])).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['a', 'n', '__proto__']);
    expect(frozenJson(Object.assign(Object.create(null), { x: 1 }), 'v')).toEqual({ x: 1 });
  });

  it.each([
    [{ a: { b: undefined } }, 'v: $.a.b is undefined, not JSON'],
    [[1, 2, Infinity], 'v: $[2] is Infinity, not JSON'],
    // eslint-disable-next-line no-sparse-arrays
    [[1, , 3], 'v: $[1] is a hole, not JSON'],
    [{ when: new Date(0) }, 'v: $.when is a Date, not JSON'],
    [{ m: new Map() }, 'v: $.m is a Map, not JSON'],
    [{ f: () => 1 }, 'v: $.f is a function, not JSON'],
    [{ n: 1n }, 'v: $.n is a bigint, not JSON'],
    [Symbol('s'), 'v: $ is a symbol, not JSON'],
  ])('refuses %o', (value, message) => {
    expect(() => frozenJson(value, 'v')).toThrow(message);
  });

  it('accepts plain objects and arrays made in another realm (the sandbox runs functions in one)', () => {
    const foreign = vm.runInNewContext('({ a: [1, { b: null }], c: Object.create(null) })');
    expect(frozenJson(foreign, 'v')).toEqual({ a: [1, { b: null }], c: {} });
    expect(() => frozenJson(vm.runInNewContext('({ d: new Date(0) })'), 'v')).toThrow('v: $.d is a Date, not JSON');
  });

  it('refuses a class instance, even one without fields', () => {
    class Point {}
    expect(() => frozenJson({ p: new Point() }, 'v')).toThrow('v: $.p is a Point, not JSON');
  });

  it('refuses a cycle but accepts the same object twice side by side', () => {
    const shared = { x: 1 };
    expect(frozenJson({ a: shared, b: shared }, 'v')).toEqual({ a: { x: 1 }, b: { x: 1 } });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => frozenJson(cyclic, 'v')).toThrow('v: $.self.back is a cycle, not JSON');
  });
});
