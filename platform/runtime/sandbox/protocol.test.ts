import { describe, expect, it } from 'vitest';
import { checkBatchResult, parseChildMessage } from './protocol.ts';
import { RemoteError, serializeError } from './errors.ts';
import { readCpuTimeMs } from './watchdog.ts';

describe('parseChildMessage', () => {
  it('accepts the messages a child may send and bounds their text', () => {
    expect(parseChildMessage({ kind: 'response', id: 3, ok: true, result: { a: 1 } })).toEqual({ kind: 'response', id: 3, ok: true, result: { a: 1 } });
    expect(parseChildMessage({ kind: 'log', level: 'warn', msg: 'x'.repeat(10_000) })).toEqual({ kind: 'log', level: 'warn', msg: 'x'.repeat(8192) });
    expect(parseChildMessage({ kind: 'violation', what: "require('node:fs')" })).toEqual({ kind: 'violation', what: "require('node:fs')" });
  });

  it('describes what is wrong with anything else', () => {
    expect(parseChildMessage(null)).toBe('not an object: object');
    expect(parseChildMessage({ kind: 'response', id: '1', ok: true })).toBe('response without a numeric id');
    expect(parseChildMessage({ kind: 'response', id: 1, ok: false, origin: 'elsewhere', error: { name: 'E', message: 'm' } })).toBe('failure response with an unknown origin');
    expect(parseChildMessage({ kind: 'log', level: 'fatal', msg: 'x' })).toBe('malformed log message');
    expect(parseChildMessage({ kind: 'response', id: 1, ok: false, origin: 'load', error: { name: 'E', message: 'm', cause: { name: 1 } } })).toBe('failure response without a serialized error');
  });
});

describe('checkBatchResult', () => {
  const ok = (index: number) => ({ index, ok: true });
  it('prepare must answer every input in order', () => {
    expect(checkBatchResult('prepare', { events: [ok(0), ok(1)] }, 2)).toBeUndefined();
    expect(checkBatchResult('prepare', { events: [ok(0)] }, 2)).toBe('prepare result has 1 events for a batch of 2');
    expect(checkBatchResult('prepare', { events: [ok(1), ok(0)] }, 2)).toMatch(/event 0 has a missing, repeated or out-of-order index/);
  });
  it('process may answer a subset, in increasing order, within the batch, with state changes', () => {
    expect(checkBatchResult('process', { events: [ok(0), ok(2)], stateChanges: {} }, 3)).toBeUndefined();
    expect(checkBatchResult('process', { events: [ok(2), ok(2)], stateChanges: {} }, 3)).toMatch(/event 1 has a missing, repeated/);
    expect(checkBatchResult('process', { events: [ok(3)], stateChanges: {} }, 3)).toMatch(/event 0/);
    expect(checkBatchResult('process', { events: [{ index: 0 }], stateChanges: {} }, 1)).toMatch(/no ok flag/);
    expect(checkBatchResult('process', { events: [] }, 1)).toBe('process result has no stateChanges object');
    expect(checkBatchResult('process', 'nope', 1)).toBe('process returned string, not a result object');
  });
});

describe('errors across the boundary', () => {
  it('serializeError keeps name, code, message, stack and causes, and survives hostile errors', () => {
    const inner = Object.assign(new RangeError('too far'), { code: 'E_FAR' });
    const serialized = serializeError(new Error('outer', { cause: inner }));
    expect(serialized).toMatchObject({ name: 'Error', message: 'outer', cause: { name: 'RangeError', message: 'too far', code: 'E_FAR' } });
    const rebuilt = new RemoteError(structuredClone(serialized));
    expect(rebuilt).toMatchObject({ name: 'Error', message: 'outer', stack: serialized.stack, cause: { name: 'RangeError', code: 'E_FAR' } });
    const hostile = { get message(): string { throw new Error('gotcha'); } };
    expect(serializeError(hostile)).toEqual({ name: 'Error', message: 'an error that could not be read (its properties threw)' });
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'non-error thrown: plain' });
  });
});

describe('readCpuTimeMs', () => {
  it.skipIf(process.platform !== 'linux')('reads this process\'s CPU time from /proc, close to process.cpuUsage()', () => {
    const fromProc = readCpuTimeMs(process.pid)!;
    const usage = process.cpuUsage();
    // /proc counts in 10 ms ticks; cpuUsage in microseconds.
    expect(Math.abs(fromProc - (usage.user + usage.system) / 1000)).toBeLessThan(200);
    expect(readCpuTimeMs(2 ** 22 + 17)).toBeUndefined();
  });
});
