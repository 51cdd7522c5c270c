// The parent side of one sandbox against children that break the protocol: whatever a child
// sends or does, the parent gets one SandboxError for the call and the child is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from './sandbox.ts';
import { SandboxError, SandboxErrorCode } from './errors.ts';
import { identityFor } from './fixtures/bundles.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lodestar-rogue-'));
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Starts a Sandbox whose child is `source` (plain CommonJS) instead of the real child entry. */
async function startRogue(name: string, source: string): Promise<SandboxError> {
  const script = join(dir, `${name}.cjs`);
  await writeFile(script, source);
  const started = Sandbox.start(
    { script, readable: [script], heapMiB: 32, cwd: dir },
    { bundleFile: join(dir, 'none.cjs'), identity: identityFor('rogue'), allowedBuiltins: [] },
    { cpuTimeMs: 10_000, wallTimeMs: 30_000 },
  );
  const error = await started.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SandboxError);
  return error as SandboxError;
}

describe('Sandbox against a child that breaks the protocol', () => {
  it('a message of an unknown kind kills the child and fails the call', async () => {
    const error = await startRogue('bogus', "process.on('message', () => process.send({ kind: 'bogus' }));");
    expect(error.code).toBe(SandboxErrorCode.SandboxCrashed);
    expect(error.message).toMatch(/outside the protocol \(unknown message kind "bogus"\)/);
    expect(error.signal).toBe('SIGKILL');
  }, 30_000);

  it('an answer to a request that is not in flight kills the child', async () => {
    const error = await startRogue('wrong-id', "process.on('message', (m) => process.send({ kind: 'response', id: m.id + 1, ok: true, result: null }));");
    expect(error.message).toMatch(/an answer to request 2, which is not in flight/);
  }, 30_000);

  it('a failure without a serialized error is refused', async () => {
    const error = await startRogue('bad-error', "process.on('message', (m) => process.send({ kind: 'response', id: m.id, ok: false, origin: 'load', error: 'oops' }));");
    expect(error.message).toMatch(/failure response without a serialized error/);
  }, 30_000);

  it('a child that exits before answering fails the call with its exit code', async () => {
    const error = await startRogue('quitter', 'process.exit(7);');
    expect(error).toMatchObject({ code: SandboxErrorCode.SandboxCrashed, exitCode: 7, retriable: true });
    expect(error.message).toMatch(/exited with code 7 during init/);
  }, 30_000);

  it('a load failure crosses the boundary with its name, code, message and stack', async () => {
    const error = await startRogue('load-fail', `process.on('message', (m) => process.send({ kind: 'response', id: m.id, ok: false, origin: 'load',
      error: { name: 'TypeError', code: 'E_X', message: 'bad default export', stack: 'TypeError: bad default export\\n    at bundle.cjs:3:7' } }));`);
    expect(error).toMatchObject({ code: SandboxErrorCode.BundleLoadFailed, retriable: false, message: 'the bundle failed to load: TypeError: bad default export' });
    expect(error.cause).toMatchObject({ name: 'TypeError', code: 'E_X', message: 'bad default export', stack: 'TypeError: bad default export\n    at bundle.cjs:3:7' });
  }, 30_000);
});
