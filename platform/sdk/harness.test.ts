// The harness drives the same executor the sandbox does, from events the author writes as objects.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { counter, createHarness, defineFunction, protobufInput, rawInput } from './index.ts';
import { everything } from './test-functions.test-support.ts';

describe('createHarness', () => {
  it('runs each send as a batch, carries state between sends, and starts from initialState', () => {
    const harness = createHarness(everything, { tenant: 'acme', pipeline: 'payments', initialState: { u1: { total: 10 } } });
    const first = harness.send([{ id: 'e1', user: 'u1', amount: 5 }]);
    expect(first.outputs.map((o) => o.value)).toEqual([{ user: 'u1', total: 15 }]);
    const second = harness.send([{ id: 'e2', user: 'u1', amount: 1 }, { id: 'e3', user: 'u2', amount: 2 }]);
    expect(second.outputs.map((o) => o.value)).toEqual([{ user: 'u1', total: 16 }, { user: 'u2', total: 2 }]);
    expect(harness.state).toEqual({ u1: { total: 16, last: 'e2', seen: { e1: 5, e2: 1 } }, u2: { total: 2, last: 'e3', seen: { e3: 2 } } });
    expect(second.state).toBe(harness.state);
    expect(second.decisions.map((d) => d.action)).toEqual(['look', 'look']);
    expect(second.audits.map((a) => a.decisionId)).toEqual(second.decisions.map((d) => d.id));
    expect(second.logs).toEqual([{ level: 'info', msg: 'processed', fields: { id: 'e2' } }, { level: 'info', msg: 'processed', fields: { id: 'e3' } }]);
  });

  it('encodes events, so bad input reaches the dead letters with its bytes and reason', () => {
    const harness = createHarness(everything);
    const notJson = rawInput('{"id": "e1"');
    const result = harness.send([
      { id: 'e1', user: 'u1', amount: 5 },
      notJson,
      { id: 'e2', user: 'u1', amount: 'five' } as unknown as { id: string; user: string; amount: number },
      { id: 'e3', user: 'u1', amount: 1, fail: true },
    ]);
    expect(result.deadLetters).toEqual([
      { index: 1, reason: 'undecodable', message: expect.stringMatching(/^not UTF-8 JSON/), data: notJson.data },
      { index: 2, reason: 'schema-invalid', message: 'amount: Invalid input: expected number, received string', data: new TextEncoder().encode(JSON.stringify({ id: 'e2', user: 'u1', amount: 'five' })) },
      { index: 3, reason: 'function-threw', message: 'Error: asked to fail on e3', data: expect.any(Uint8Array), logs: [{ level: 'info', msg: 'processed', fields: { id: 'e3' } }] },
    ]);
    expect(result.outputs).toHaveLength(1);
    expect(result.state).toEqual({ u1: { total: 5, last: 'e1', seen: { e1: 5 } } });
  });

  it('gives every input its own identity across sends, so ids repeat only for a replay', () => {
    const ids = (h: ReturnType<typeof createHarness<typeof everything>>) => [
      ...h.send([{ id: 'a', user: 'u', amount: 1 }]).outputs,
      ...h.send([{ id: 'a', user: 'u', amount: 1 }]).outputs,
    ].map((o) => o.id);
    const first = ids(createHarness(everything));
    expect(new Set(first).size).toBe(2);
    expect(ids(createHarness(everything))).toEqual(first);
  });

  it('encodes protobuf events with the input Type, so decode and verify run as in production', () => {
    const Click = protobuf.parse('syntax = "proto3"; message Click { string page = 1; uint64 at = 2; }').root.lookupType('Click');
    const clicks = defineFunction({
      name: 'clicks',
      input: protobufInput<{ page: string; at: string }>(Click),
      key: (c) => c.page,
      state: { n: counter() },
      outputs: ['counts'],
      process: (c, ctx) => void ctx.emit('counts', { page: c.page, n: ctx.state.n.add(), at: c.at }),
    });
    const result = createHarness(clicks).send([{ page: '/a', at: '18446744073709551615' }, rawInput(new Uint8Array([0x12, 0xff])), { page: '/a', at: '1' }]);
    expect(result.outputs.map((o) => o.value)).toEqual([{ page: '/a', n: 1, at: '18446744073709551615' }, { page: '/a', n: 2, at: '1' }]);
    expect(result.deadLetters.map((d) => d.reason)).toEqual(['undecodable']);
  });
});
