// SandboxProcessor with real child processes: a good batch, every misbehaviour of the hazard
// fixture (each stopped and reported, the parent and another tenant's sandbox unharmed), restarts
// on a fresh child, and bundles that do not build or load.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxError, SandboxErrorCode, SandboxProcessor, networkNamespaceSupport, parentDeathSignalSupport } from './index.ts';
import type { SandboxLimits, SandboxLogEntry, SandboxProcessorOptions } from './index.ts';
import type { FunctionIdentity, ProcessResult } from './contract.ts';
import { FIXTURE_SDK, envelopes, hazardBundle, identityFor, loadTimeFsBundle, zodBundle } from './fixtures/bundles.ts';

const TEST_TIMEOUT = 60_000;
const open: SandboxProcessor[] = [];

function processor(tenant: string, limits: Partial<SandboxLimits> = {}, extra: Partial<SandboxProcessorOptions> = {}): SandboxProcessor {
  const p = new SandboxProcessor({
    identity: identityFor(tenant),
    bundle: hazardBundle,
    build: { sdkEntry: FIXTURE_SDK },
    limits: { heapMiB: 64, cpuTimeMs: 2_000, wallTimeMs: 60_000, ...limits },
    ...extra,
  });
  open.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** Runs prepare then process over events, as the runtime loop does. */
async function run(p: SandboxProcessor, events: Array<Record<string, unknown>>, state: Record<string, Record<string, unknown>> = {}): Promise<ProcessResult> {
  await p.prepare(envelopes(events));
  return p.process({ watermark: 42, config: {}, state });
}

async function rejection(promise: Promise<unknown>): Promise<SandboxError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SandboxError);
  return error as SandboxError;
}

function expectedId(identity: FunctionIdentity, input: string, kind: string, ordinal: number): string {
  return createHash('sha256').update(`${identity.tenant}/${identity.pipeline}/${identity.function}/${input}/${kind}/${ordinal}`).digest('hex').slice(0, 32);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

/** A good batch, to show a sandbox works: u1 counted from the given start. */
async function expectCounts(p: SandboxProcessor, from = 0): Promise<void> {
  const result = await run(p, [{ user: 'u1', action: 'count' }, { user: 'u1', action: 'count' }], from === 0 ? {} : { u1: { count: from } });
  expect(result.events.map((e) => (e.ok ? e.outputs.map((o) => (o.value as { n: number }).n) : e.reason))).toEqual([[from + 1], [from + 2]]);
  expect(result.stateChanges).toEqual({ u1: { count: from + 2 } });
}

describe('SandboxProcessor', () => {
  it('runs a batch in a child: the SDK alias, relative imports, keyed state, deterministic ids, per-event rejection, console forwarding', async () => {
    const logs: SandboxLogEntry[] = [];
    const p = processor('good', {}, { onLog: (entry) => logs.push(entry) });
    const events = [
      { user: 'u1', action: 'count' },
      { user: 'u2', action: 'throw' },
      { user: 'u1', action: 'log' },
      { user: 'u1', action: 'count' },
    ];
    const prepared = await p.prepare(envelopes(events));
    expect(prepared.events).toEqual([
      { index: 0, ok: true, key: 'u1', identity: 'producer-1:0' },
      { index: 1, ok: true, key: 'u2', identity: 'producer-1:1' },
      { index: 2, ok: true, key: 'u1', identity: 'producer-1:2' },
      { index: 3, ok: true, key: 'u1', identity: 'producer-1:3' },
    ]);
    const result = await p.process({ watermark: 1, config: {}, state: { u1: { count: 10 } } });
    const identity = identityFor('good');
    expect(result.events).toEqual([
      { index: 0, ok: true, outputs: [{ id: expectedId(identity, 'producer-1:0', 'output', 0), output: 'counts', key: 'u1', value: { user: 'u1', n: 11, text: 'u1 seen 11 times' } }], decisions: [], audits: [], logs: [] },
      { index: 1, ok: false, reason: 'function-threw', message: 'Error: no good u2' },
      { index: 2, ok: true, outputs: [], decisions: [], audits: [], logs: [] },
      { index: 3, ok: true, outputs: [{ id: expectedId(identity, 'producer-1:3', 'output', 0), output: 'counts', key: 'u1', value: { user: 'u1', n: 12, text: 'u1 seen 12 times' } }], decisions: [], audits: [], logs: [] },
    ]);
    expect(result.stateChanges).toEqual({ u1: { count: 12 } });
    expect(logs).toEqual([{ identity, level: 'info', msg: 'hello from u1 {"n":1}' }]);
    const status = p.status();
    expect(status).toMatchObject({ state: 'running', starts: 1, restarts: 0, lastError: null, violations: 0 });
    expect(status.network).toBe((await networkNamespaceSupport()) === undefined ? 'in-process' : 'namespace');
    expect(status.parentDeathSignal).toBe((await parentDeathSignalSupport()) !== undefined);
    expect(status.pid).not.toBe(process.pid);
  }, TEST_TIMEOUT);

  it('a function validating with zod (bundled from the runtime\'s node_modules) runs in the realm', async () => {
    const p = processor('zod', {}, { bundle: zodBundle });
    const prepared = await p.prepare(envelopes([{ user: 'u1', amount: 5 }, { user: '', amount: 5 }, { user: 'u2', amount: -1 }]));
    expect(prepared.events.map((e) => (e.ok ? e.key : e.reason))).toEqual(['u1', 'key-failed', 'key-failed']);
    const result = await p.process({ watermark: 1, config: {}, state: {} });
    expect(result.events).toMatchObject([{ index: 0, ok: true, outputs: [{ output: 'valid', value: { user: 'u1', amount: 5 } }] }]);
  }, TEST_TIMEOUT);

  it('stops a function that reads a file, the environment, spawns, opens a socket, exits or escapes the realm: that event is rejected with the reason, the rest of the batch and the sandbox carry on', async () => {
    const p = processor('nosy');
    const hazards = ['read-file', 'read-env', 'spawn', 'socket', 'exit', 'escape-realm', 'escape-host'];
    const events = [{ user: 'u1', action: 'count' }, ...hazards.map((action) => ({ user: action, action, arg: '/etc/passwd' })), { user: 'u1', action: 'count' }];
    const result = await run(p, events);
    const messages = Object.fromEntries(result.events.slice(1, -1).map((e, i) => [hazards[i], e.ok ? 'ran' : `${e.reason}: ${e.message}`]));
    expect(messages).toEqual({
      'read-file': "function-threw: Error: require('node:fs') is not allowed in the sandbox: a function may import only @lodestar/sdk and zod, and does no I/O",
      'read-env': 'function-threw: ReferenceError: process is not defined',
      spawn: "function-threw: Error: require('node:child_process') is not allowed in the sandbox: a function may import only @lodestar/sdk and zod, and does no I/O",
      socket: "function-threw: Error: require('node:net') is not allowed in the sandbox: a function may import only @lodestar/sdk and zod, and does no I/O",
      exit: 'function-threw: ReferenceError: process is not defined',
      'escape-realm': 'function-threw: EvalError: Code generation from strings disallowed for this context',
      'escape-host': 'function-threw: EvalError: Code generation from strings disallowed for this context',
    });
    expect(result.events.at(-1)).toMatchObject({ ok: true, outputs: [{ value: { n: 2 } }] });
    expect(result.stateChanges).toEqual({ u1: { count: 2 } });
    const status = p.status();
    expect(status).toMatchObject({ starts: 1, restarts: 0, lastError: null, violations: 3, lastViolation: { what: "require('node:net')" } });
  }, TEST_TIMEOUT);

  it('a crash during a call rejects it with SandboxCrashed (retriable), and the next call runs on a fresh child', async () => {
    const p = processor('crashy');
    await expectCounts(p);
    const firstPid = p.status().pid;
    const error = await rejection(run(p, [{ user: 'u1', action: 'crash' }]));
    expect(error).toMatchObject({ code: SandboxErrorCode.SandboxCrashed, retriable: true, exitCode: 1 });
    expect(error.message).toMatch(/exited with code 1 during process: Error: unhandled in the function/);
    expect(pidAlive(firstPid!)).toBe(false);
    await expectCounts(p);
    expect(p.status()).toMatchObject({ starts: 2, restarts: 1, failures: { SandboxCrashed: 1 }, lastError: { code: 'SandboxCrashed' } });
  }, TEST_TIMEOUT);

  it('a crash between calls fails no batch: it is recorded, and the next call starts a fresh child', async () => {
    const p = processor('late-crash');
    await run(p, [{ user: 'u1', action: 'crash-after' }]);
    await waitFor(() => p.status().lastError !== null, 'the crash to be recorded');
    expect(p.status().lastError?.message).toMatch(/exited with code 1 between calls: Error: unhandled after the answer/);
    await expectCounts(p);
    expect(p.status()).toMatchObject({ starts: 2, failures: { SandboxCrashed: 1 } });
  }, TEST_TIMEOUT);

  it('a busy loop is killed by the CPU-time watchdog (SandboxTimeout) while another tenant\'s sandbox and the parent keep working', async () => {
    const hung = processor('hung', { cpuTimeMs: 500 });
    const other = processor('other');
    await other.start();
    const hanging = rejection(run(hung, [{ user: 'u1', action: 'hang' }]));
    // While the first child spins, the other one serves batches.
    for (let n = 0; n < 3; n++) await expectCounts(other, n * 2);
    const error = await hanging;
    expect(error).toMatchObject({ code: SandboxErrorCode.SandboxTimeout, retriable: true, signal: 'SIGKILL' });
    expect(error.message).toMatch(/^process used \d+ ms of CPU time, over its budget of 500 ms/);
    await expectCounts(hung);
    expect(hung.status()).toMatchObject({ starts: 2, restarts: 1, failures: { SandboxTimeout: 1 } });
    expect(other.status()).toMatchObject({ starts: 1, restarts: 0, lastError: null });
  }, TEST_TIMEOUT);

  it('a call that waits forever without using CPU is killed at its wall-time ceiling', async () => {
    const p = processor('idle', { wallTimeMs: 3_000 });
    const error = await rejection(run(p, [{ user: 'u1', action: 'hang-async' }]));
    expect(error.code).toBe(SandboxErrorCode.SandboxTimeout);
    expect(error.message).toMatch(/of wall time, over its budget of 3000 ms/);
    await expectCounts(p);
  }, TEST_TIMEOUT);

  it('unbounded allocation hits the heap limit: SandboxOutOfMemory, and a fresh child after it', async () => {
    const p = processor('greedy', { heapMiB: 48, cpuTimeMs: 30_000 });
    const error = await rejection(run(p, [{ user: 'u1', action: 'oom' }]));
    expect(error).toMatchObject({ code: SandboxErrorCode.SandboxOutOfMemory, retriable: true });
    expect(error.stderrTail).toMatch(/heap/i);
    await expectCounts(p);
    expect(p.status().failures).toEqual({ SandboxOutOfMemory: 1 });
  }, TEST_TIMEOUT);

  it('unbounded ArrayBuffer memory, which the heap limit does not count, hits the resident-memory limit: SandboxOutOfMemory', async () => {
    const p = processor('buffers', { heapMiB: 48, residentMiB: 256, cpuTimeMs: 30_000 });
    const error = await rejection(run(p, [{ user: 'u1', action: 'oom-buffers' }]));
    expect(error).toMatchObject({ code: SandboxErrorCode.SandboxOutOfMemory, retriable: true, signal: 'SIGKILL' });
    expect(error.message).toMatch(/^process grew the sandbox to \d+ MiB resident, over its limit of 256 MiB/);
    await expectCounts(p);
  }, TEST_TIMEOUT);

  it('a child killed from outside between prepare and process: process rejects, and a retried process re-prepares the batch on the fresh child', async () => {
    const p = processor('killed');
    await p.prepare(envelopes([{ user: 'u1', action: 'count' }, { user: 'u1', action: 'hang-async' }]));
    const pid = p.status().pid!;
    const pending = rejection(p.process({ watermark: 1, config: {}, state: {} }));
    process.kill(pid, 'SIGTERM');
    const error = await pending;
    expect(error).toMatchObject({ code: SandboxErrorCode.SandboxCrashed, signal: 'SIGTERM' });
    expect(error.message).toMatch(/was killed by SIGTERM during process/);
    // The runtime's retry: process again, without a new prepare.
    await p.prepare(envelopes([{ user: 'u1', action: 'count' }]));
    process.kill(p.status().pid!, 'SIGKILL');
    await waitFor(() => p.status().pid === null, 'the killed child to be noticed');
    const retried = await p.process({ watermark: 1, config: {}, state: {} });
    expect(retried.events).toMatchObject([{ index: 0, ok: true, outputs: [{ value: { n: 1 } }] }]);
    expect(p.status().starts).toBe(3);
    // A prepare that fails leaves its batch, not the one before, for the retried process.
    const failing = rejection(p.prepare(envelopes([{ user: 'u9', action: 'count' }, { user: 'u9', action: 'count' }])));
    await waitFor(() => p.status().pid !== null, 'the child to serve the prepare');
    process.kill(p.status().pid!, 'SIGKILL');
    expect((await failing).code).toBe(SandboxErrorCode.SandboxCrashed);
    const afterFailedPrepare = await p.process({ watermark: 1, config: {}, state: {} });
    expect(afterFailedPrepare.events.map((e) => (e.ok ? e.outputs[0]?.key : e.reason))).toEqual(['u9', 'u9']);
  }, TEST_TIMEOUT);

  it('a result that cannot cross the process boundary rejects with ExecutorFailed, not retriable', async () => {
    const p = processor('unclonable');
    const error = await rejection(run(p, [{ user: 'u1', action: 'unclonable' }]));
    expect(error).toMatchObject({ code: SandboxErrorCode.ExecutorFailed, retriable: false });
    expect(error.message).toMatch(/cannot cross the process boundary: .*could not be cloned/);
    await expectCounts(p);
  }, TEST_TIMEOUT);

  it('a malformed answer (an event lost) rejects with ExecutorFailed and retires the child; the executor export is configurable', async () => {
    const p = processor('lossy', {}, { build: { sdkEntry: FIXTURE_SDK, executorExport: 'createLossyExecutor' } });
    const error = await rejection(p.prepare(envelopes([{ user: 'u1', action: 'count' }, { user: 'u2', action: 'count' }])));
    expect(error).toMatchObject({ code: SandboxErrorCode.ExecutorFailed, retriable: false });
    expect(error.message).toBe('the sandbox answered prepare with a malformed result: prepare result has 1 events for a batch of 2');
    await waitFor(() => p.status().pid === null, 'the child to be retired');
    expect(p.status()).toMatchObject({ starts: 1, failures: { ExecutorFailed: 1 } });
  }, TEST_TIMEOUT);

  it('a bundle that reads a file while loading fails to load with the reason; one that does not build says why', async () => {
    const loadFs = processor('load-fs', {}, { bundle: loadTimeFsBundle });
    const loadError = await rejection(loadFs.start());
    expect(loadError).toMatchObject({ code: SandboxErrorCode.BundleLoadFailed, retriable: false });
    expect(loadError.message).toMatch(/require\('node:fs'\) is not allowed in the sandbox/);
    expect(loadFs.status()).toMatchObject({ violations: 1, lastError: { code: 'BundleLoadFailed' } });

    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'index.ts': 'export default {' }, /: index\.ts:1:\d+: Expected identifier but found end of file/],
      [{ 'index.ts': "import Redis from 'ioredis';\nexport default Redis;" }, /package ioredis is not available to functions/],
      [{ 'index.ts': "import x from './missing';\nexport default x;" }, /\.\/missing is not a file of the bundle/],
      [{ 'other.ts': '' }, /the bundle has no entry file index\.ts/],
    ];
    for (const [files, message] of cases) {
      const p = processor('broken', {}, { bundle: { entry: 'index.ts', files } });
      const error = await rejection(p.prepare(envelopes([{ user: 'u1', action: 'count' }])));
      expect({ code: error.code, retriable: error.retriable, message: error.message }).toMatchObject({ code: 'BundleBuildFailed', retriable: false, message: expect.stringMatching(message) });
      expect(p.status().starts).toBe(0);
    }
  }, TEST_TIMEOUT);

  it('close() ends the child and removes its bundle directory; later calls reject with SandboxClosed; a failed build leaves no directory either', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'lodestar-workdir-'));
    const bundleDirs = async () => (await readdir(workDir)).filter((name) => name.startsWith('bundle-'));
    try {
      const broken = processor('broken', {}, { workDir, bundle: { entry: 'index.ts', files: { 'index.ts': 'export default {' } } });
      expect((await rejection(broken.start())).code).toBe(SandboxErrorCode.BundleBuildFailed);
      expect(await bundleDirs()).toEqual([]);
      const p = processor('closing', {}, { workDir });
      await expectCounts(p);
      expect(await bundleDirs()).toHaveLength(1);
      const pid = p.status().pid!;
      await p.close();
      expect(pidAlive(pid)).toBe(false);
      expect(await bundleDirs()).toEqual([]);
      expect(p.status().state).toBe('closed');
      expect((await rejection(p.prepare(envelopes([{ user: 'u1', action: 'count' }])))).code).toBe(SandboxErrorCode.SandboxClosed);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }, TEST_TIMEOUT);
});

