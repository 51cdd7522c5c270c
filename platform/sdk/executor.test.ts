// The executor as the sandbox and the harness drive it: prepare then process, per-event rollback,
// deterministic ids, bad input told apart, every state kind, and the rules of the context.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { InputEnvelope, ProcessRequest, StateSnapshot } from './index.ts';
import { counter, createExecutor, defineFunction, isSdkError, map, protobufInput, recordId, RecordKind, SdkErrorCode, value } from './index.ts';
import type { Event } from './test-functions.test-support.ts';
import { Config, everything } from './test-functions.test-support.ts';

const fn = { tenant: 'acme', pipeline: 'payments', function: 'everything', version: 3 };
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const envelopes = (inputs: Array<Event | Uint8Array>): InputEnvelope[] =>
  inputs.map((input, index) => ({ index, data: input instanceof Uint8Array ? input : bytes(input), properties: {}, publishTime: 1_000 + index, identity: `producer-a:${index}`, messageId: `1:${index}:0` }));
const request = (state: StateSnapshot = {}, config: unknown = undefined): ProcessRequest => ({ watermark: 5_000, config, state });

function run(inputs: Array<Event | Uint8Array>, state: StateSnapshot = {}) {
  const executor = createExecutor(everything, fn);
  const prepared = executor.prepare(envelopes(inputs));
  return { prepared, processed: executor.process(request(state)) };
}

describe('prepare', () => {
  it('keys and identifies good events, and tells undecodable from schema-invalid input', () => {
    const { prepared } = run([
      { id: 'e1', user: 'u1', amount: 5 },
      new Uint8Array([0xff, 0xfe, 0x00]),
      new TextEncoder().encode('{"id":'),
      { id: 'e4', user: 'u1' } as unknown as Event,
    ]);
    expect(prepared.events).toEqual([
      { index: 0, ok: true, key: 'u1', identity: 'producer-a:0' },
      { index: 1, ok: false, reason: 'undecodable', message: expect.stringMatching(/^not UTF-8 JSON: /) },
      { index: 2, ok: false, reason: 'undecodable', message: expect.stringMatching(/^not UTF-8 JSON: .*JSON/) },
      { index: 3, ok: false, reason: 'schema-invalid', message: expect.stringMatching(/^amount: /) },
    ]);
  });

  it('rejects with key-failed when key() or id() throws or returns no string', () => {
    const Input = z.object({ k: z.unknown(), id: z.unknown().optional() });
    const definition = defineFunction({ name: 'keys', input: Input, key: (e) => { if (e.k === 'throw') throw new Error('no key here'); return e.k as string; }, id: (e) => (e.id === undefined ? 'fixed' : (e.id as string)), process: () => {} });
    const executor = createExecutor(definition, { ...fn, function: 'keys' });
    const result = executor.prepare(envelopes([{ k: 'throw' }, { k: 7 }, { k: '' }, { k: 'a', id: 3 }, { k: 'a', id: 'own-id' }] as unknown as Event[]));
    expect(result.events).toEqual([
      { index: 0, ok: false, reason: 'key-failed', message: 'Error: no key here' },
      { index: 1, ok: false, reason: 'key-failed', message: 'SdkError: key() returned number, not a non-empty string' },
      { index: 2, ok: false, reason: 'key-failed', message: 'SdkError: key() returned an empty string, not a non-empty string' },
      { index: 3, ok: false, reason: 'key-failed', message: 'SdkError: id() returned number, not a non-empty string' },
      { index: 4, ok: true, key: 'a', identity: 'own-id' },
    ]);
  });

  it('decodes protobuf with verify: garbage is undecodable, an unknown enum value is schema-invalid', () => {
    const root = protobuf.parse('syntax = "proto3"; message Payment { string id = 1; Kind kind = 2; int64 cents = 3; } enum Kind { CARD = 0; WIRE = 1; }').root;
    const Payment = root.lookupType('Payment');
    const definition = defineFunction({ name: 'proto', input: protobufInput<{ id: string; kind: string; cents: string }>(Payment), key: (p) => p.id, outputs: ['seen'], process: (p, ctx) => void ctx.emit('seen', p) });
    const executor = createExecutor(definition, { ...fn, function: 'proto' });
    const good = Payment.encode(Payment.fromObject({ id: 'p1', kind: 'WIRE', cents: '9007199254740993' })).finish();
    const badEnum = protobuf.Writer.create().uint32(10).string('p2').uint32(16).int32(7).finish();
    const garbage = new Uint8Array([0x0a, 0x20, 0x41]);
    const events: InputEnvelope[] = [good, badEnum, garbage].map((data, index) => ({ index, data, properties: {}, publishTime: 0, identity: `p:${index}`, messageId: 'm' }));
    expect(executor.prepare(events).events).toEqual([
      { index: 0, ok: true, key: 'p1', identity: 'p:0' },
      { index: 1, ok: false, reason: 'schema-invalid', message: 'kind: enum value expected' },
      { index: 2, ok: false, reason: 'undecodable', message: expect.stringMatching(/^not a Payment: /) },
    ]);
    const processed = executor.process(request());
    // 64-bit integers arrive as decimal strings, exact beyond 2^53; enums by name.
    expect(processed.events[0]).toMatchObject({ ok: true, outputs: [{ value: { id: 'p1', kind: 'WIRE', cents: '9007199254740993' } }] });
  });
});

describe('process', () => {
  it('runs events in batch order on shared keyed state and reports the final state per (key, name)', () => {
    const { processed } = run([{ id: 'e1', user: 'u1', amount: 5 }, { id: 'e2', user: 'u2', amount: 1 }, { id: 'e3', user: 'u1', amount: 7 }], { u1: { total: 100 } });
    const totals = processed.events.map((e) => (e.ok ? e.outputs.map((o) => o.value) : e));
    expect(totals).toEqual([[{ user: 'u1', total: 105 }], [{ user: 'u2', total: 1 }], [{ user: 'u1', total: 112 }]]);
    expect(processed.stateChanges).toEqual({
      u1: { total: 112, last: 'e3', seen: { e1: 5, e3: 7 } },
      u2: { total: 1, last: 'e2', seen: { e2: 1 } },
    });
  });

  it('drops every effect of an event that throws, so later events see state as if it never ran', () => {
    const { processed } = run([
      { id: 'e1', user: 'u1', amount: 5 },
      { id: 'e2', user: 'u1', amount: 50, fail: true },
      { id: 'e3', user: 'u1', amount: 7 },
      { id: 'e4', user: 'u9', amount: 1, fail: true },
    ]);
    expect(processed.events[1]).toEqual({ index: 1, ok: false, reason: 'function-threw', message: 'Error: asked to fail on e2', logs: [{ level: 'info', msg: 'processed', fields: { id: 'e2' } }] });
    expect(processed.events[2]).toMatchObject({ ok: true, outputs: [{ value: { user: 'u1', total: 12 } }] });
    expect(processed.events[3]).toMatchObject({ ok: false, reason: 'function-threw' });
    // u9 was only touched by a failed event: no change to write; u1's map never saw e2.
    expect(processed.stateChanges).toEqual({ u1: { total: 12, last: 'e3', seen: { e1: 5, e3: 7 } } });
  });

  it('gives ids derived from tenant, pipeline, function and input identity: equal on replay, distinct across records', () => {
    const inputs = [{ id: 'e1', user: 'u1', amount: 5 }, { id: 'e2', user: 'u1', amount: 6 }];
    const first = run(inputs).processed;
    // Another region: other message ids and publish times, same identities.
    const executor = createExecutor(everything, fn);
    executor.prepare(envelopes(inputs).map((e) => ({ ...e, messageId: `west:${e.index}`, publishTime: 99 })));
    expect(executor.process(request())).toEqual(first);

    const ids = first.events.flatMap((e) => (e.ok ? [...e.outputs, ...e.decisions, ...e.audits].map((r) => r.id) : []));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    const e0 = first.events[0]!;
    expect(e0.ok && e0.audits[0]!.decisionId).toBe(e0.ok && e0.decisions[0]!.id);

    const otherPipeline = createExecutor(everything, { ...fn, pipeline: 'refunds' });
    otherPipeline.prepare(envelopes(inputs));
    const otherIds = otherPipeline.process(request()).events.flatMap((e) => (e.ok ? e.outputs.map((o) => o.id) : []));
    expect(otherIds.some((id) => ids.includes(id))).toBe(false);
  });

  it('numbers the records of each kind within an event: ordinal n is the id of the n-th', () => {
    const chatty = defineFunction({
      name: 'chatty',
      input: z.object({ k: z.string() }),
      key: (e) => e.k,
      process(_e, ctx) {
        for (const n of [1, 2, 3]) ctx.emit('out', n);
        ctx.decide('a');
        ctx.decide('b');
      },
    });
    const executor = createExecutor(chatty, { ...fn, function: 'chatty' });
    executor.prepare(envelopes([{ k: 'x' }] as unknown as Event[]));
    const [event] = executor.process(request()).events;
    if (!event?.ok) throw new Error(`event rejected: ${JSON.stringify(event)}`);
    const chattyFn = { ...fn, function: 'chatty' };
    expect(event.outputs.map((o) => o.id)).toEqual([0, 1, 2].map((n) => recordId(chattyFn, 'producer-a:0', RecordKind.Output, n)));
    expect(event.decisions.map((d) => d.id)).toEqual([0, 1].map((n) => recordId(chattyFn, 'producer-a:0', RecordKind.Decision, n)));
    expect(new Set(event.outputs.map((o) => o.id)).size).toBe(3);
  });

  it('passes the prepare rejections through, the watermark as now(), and the config parsed by its schema', () => {
    const seen: unknown[] = [];
    const definition = defineFunction({ name: 'configured', input: z.object({ k: z.string() }), key: (e) => e.k, config: Config, process: (_e, ctx) => void seen.push([ctx.now(), ctx.config]) });
    const executor = createExecutor(definition, { ...fn, function: 'configured' });
    executor.prepare(envelopes([{ k: 'a' }, new Uint8Array([1]), { k: 'b' }] as unknown as Event[]));
    const result = executor.process({ watermark: 42, config: { limit: 3 }, state: {} });
    expect(result.events.map((e) => [e.index, e.ok])).toEqual([[0, true], [1, false], [2, true]]);
    expect(seen).toEqual([[42, { limit: 3, label: 'standard' }], [42, { limit: 3, label: 'standard' }]]);

    executor.prepare(envelopes([{ k: 'a' }] as unknown as Event[]));
    expect(executor.process({ watermark: 42, config: { limit: 'three' }, state: {} }).events).toEqual([
      { index: 0, ok: false, reason: 'function-threw', message: expect.stringMatching(/^SdkError: the pipeline's config does not fit function configured: limit: /) },
    ]);
  });

  it('refuses process() without a prepared batch', () => {
    const executor = createExecutor(everything, fn);
    expect(() => executor.process(request())).toThrow(expect.objectContaining({ code: SdkErrorCode.PROTOCOL }));
    executor.prepare(envelopes([{ id: 'e1', user: 'u1', amount: 1 }]));
    executor.process(request());
    expect(() => executor.process(request())).toThrow(/before prepare/);
  });

  it('refuses a definition whose name is not the function it runs as', () => {
    let error: unknown;
    try {
      createExecutor(everything, { ...fn, function: 'something-else' });
    } catch (e) {
      error = e;
    }
    expect(isSdkError(error, SdkErrorCode.INVALID_DEFINITION)).toBe(true);
  });
});

describe('context rules', () => {
  const Input = z.object({ k: z.string(), what: z.string() });
  let kept: { emit(o: string, v: unknown): string } | undefined;
  let keptState: { set(v: unknown): void } | undefined;
  const rules = defineFunction({
    name: 'rules',
    input: Input,
    key: (e) => e.k,
    state: { v: value<unknown>(0), m: map<unknown>() },
    outputs: ['out'],
    process(e, ctx) {
      if (e.what === 'state-bigint') ctx.state.v.set({ n: [1, 10n] });
      if (e.what === 'state-undefined') ctx.state.m.set('x', { a: undefined });
      if (e.what === 'emit-date') ctx.emit('out', { at: new Date(0) });
      if (e.what === 'emit-nan') ctx.emit('out', NaN);
      if (e.what === 'unknown-output') ctx.emit('nope' as 'out', 1);
      if (e.what === 'mutate-frozen') (ctx.state.v.get() as { n: number[] }).n.push(2);
      if (e.what === 'set-object') ctx.state.v.set({ n: [1] });
      if (e.what === 'set-null') ctx.state.v.set(null);
      if (e.what === 'keep') kept = ctx;
      if (e.what === 'use-kept') kept?.emit('out', 1);
      if (e.what === 'keep-state') keptState = ctx.state.v;
      if (e.what === 'use-kept-state') keptState?.set(7);
      if (e.what === 'async') return Promise.resolve() as unknown as void;
      if (e.what === 'async-throws') return (async () => { await null; ctx.emit('out', 'late'); })() as unknown as void;
    },
  });
  const cases = (whats: string[]) => {
    const executor = createExecutor(rules, { ...fn, function: 'rules' });
    executor.prepare(envelopes(whats.map((what) => ({ k: what === 'use-kept-state' ? 'other-key' : 'k', what })) as unknown as Event[]));
    return executor.process(request());
  };

  it('rejects values that are not JSON, naming the value and the path', () => {
    const result = cases(['state-bigint', 'state-undefined', 'emit-date', 'emit-nan', 'unknown-output']);
    expect(result.events.map((e) => (e.ok ? 'ok' : e.message))).toEqual([
      'SdkError: state "v": $.n[1] is a bigint, not JSON',
      'SdkError: state "m"[x]: $.a is undefined, not JSON',
      'SdkError: emit("out"): $.at is a Date, not JSON',
      'SdkError: emit("out"): $ is NaN, not JSON',
      'SdkError: emit("unknown-output"): not one of this function\'s outputs (out)'.replace('unknown-output', 'nope'),
    ]);
    expect(result.stateChanges).toEqual({});
  });

  it('hands out frozen state, so a change must go through set()', () => {
    const result = cases(['set-object', 'mutate-frozen']);
    expect(result.events[1]).toMatchObject({ ok: false, reason: 'function-threw', message: expect.stringMatching(/^TypeError: .*not extensible/) });
    expect(result.stateChanges).toEqual({ k: { v: { n: [1] } } });
  });

  it('refuses null on a value state whose initial value is not null, an async process, and a ctx or state handle kept past its event', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const result = cases(['set-null', 'async', 'async-throws', 'keep', 'use-kept', 'keep-state', 'use-kept-state']);
    // The async function's continuation meets a closed ctx; its rejection must be handled.
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(result.events.map((e) => (e.ok ? 'ok' : e.message))).toEqual([
      'SdkError: state "v": null is the cleared marker; call clear() to go back to the initial value',
      'SdkError: process() returned a promise; functions are synchronous (no I/O, nothing to await)',
      'SdkError: process() returned a promise; functions are synchronous (no I/O, nothing to await)',
      'ok',
      'SdkError: ctx was used after its event finished; keep no ctx or state handle beyond process()',
      'ok',
      'SdkError: the state of key "k" was used outside its event; keep no ctx or state handle beyond process()',
    ]);
    expect(result.stateChanges).toEqual({});
  });
});

describe('state kinds', () => {
  const Op = z.object({ k: z.string(), op: z.string(), arg: z.unknown().optional() });
  const seen: unknown[] = [];
  const kinds = defineFunction({
    name: 'kinds',
    input: Op,
    key: (e) => e.k,
    state: { v: value<{ n: number }>({ n: 0 }), m: map<number>(), c: counter() },
    process(e, ctx) {
      const { v, m, c } = ctx.state;
      if (e.op === 'v.set') v.set({ n: e.arg as number });
      if (e.op === 'v.clear') v.clear();
      if (e.op === 'm.set') m.set(e.arg as string, m.size + 1);
      if (e.op === 'm.delete') m.delete(e.arg as string);
      if (e.op === 'm.clear') m.clear();
      if (e.op === 'c.add') c.add(e.arg as number | undefined);
      if (e.op === 'c.clear') c.clear();
      if (e.op === 'c.infinity') c.add(Infinity);
      if (e.op === 'fail') {
        m.set('a', 99);
        m.delete('b');
        m.set('z', 1);
        c.add(1000);
        v.set({ n: -1 });
        throw new Error('undo me');
      }
      seen.push({ v: v.get(), m: m.entries(), c: c.get() });
    },
  });
  const batch = (state: StateSnapshot, ops: Array<{ k?: string; op: string; arg?: unknown }>) => {
    seen.length = 0;
    const executor = createExecutor(kinds, { ...fn, function: 'kinds' });
    executor.prepare(envelopes(ops.map((o) => ({ k: 'k', ...o })) as unknown as Event[]));
    return executor.process(request(state));
  };

  it('start at their initial values and load what the snapshot holds', () => {
    batch({ k: { v: { n: 4 }, m: { x: 1 }, c: 2.5 } }, [{ op: 'read' }, { k: 'fresh', op: 'read' }]);
    expect(seen).toEqual([{ v: { n: 4 }, m: [['x', 1]], c: 2.5 }, { v: { n: 0 }, m: [], c: 0 }]);
  });

  it('record value, map and counter changes, and null for a state cleared back to its initial value', () => {
    const result = batch({ k: { v: { n: 4 }, m: { x: 1, y: 2 }, c: 3 } }, [
      { op: 'm.delete', arg: 'x' },
      { op: 'm.set', arg: 'q' },
      { op: 'c.add' },
      { op: 'c.add', arg: -0.5 },
      { op: 'v.clear' },
    ]);
    expect(seen.at(-1)).toEqual({ v: { n: 0 }, m: [['y', 2], ['q', 2]], c: 3.5 });
    expect(result.stateChanges).toEqual({ k: { m: { y: 2, q: 2 }, c: 3.5, v: null } });
    expect(batch({ k: { m: { x: 1 }, c: 1 } }, [{ op: 'm.clear' }, { op: 'c.clear' }]).stateChanges).toEqual({ k: { m: null, c: null } });
  });

  it('roll back map entries in their original order, counters and values', () => {
    const result = batch({ k: { m: { a: 1, b: 2 }, c: 1 } }, [{ op: 'fail' }, { op: 'read' }]);
    expect(result.events[0]).toMatchObject({ ok: false, message: 'Error: undo me' });
    expect(seen).toEqual([{ v: { n: 0 }, m: [['a', 1], ['b', 2]], c: 1 }]);
    expect(result.stateChanges).toEqual({});
  });

  it('reject an event whose stored state has the wrong shape, and a non-finite counter step', () => {
    const result = batch({ k: { c: 'three' } }, [{ op: 'read' }, { k: 'j', op: 'c.infinity' }]);
    expect(result.events.map((e) => (e.ok ? 'ok' : e.message))).toEqual([
      'SdkError: state "c": stored counter is not a finite number',
      'SdkError: state "c": add() takes a finite number, got Infinity',
    ]);
  });

  it('keep keys such as __proto__ as plain data', () => {
    const result = batch({}, [{ k: '__proto__', op: 'c.add', arg: 2 }]);
    expect(Object.keys(result.stateChanges)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).c).toBeUndefined();
  });
});
