// `lodestar apply` against the production app listening on a port (memory store, recording
// provisioner): shows the diff, applies it, and a second run changes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestApp } from '../testing.ts';
import { ADMIN_TOKEN, testApp } from '../testing.ts';
import { applyTenantDir } from './apply.ts';
import { loadTenantDir, SpecError } from './tenant-dir.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let t: TestApp;
const dirs: string[] = [];
afterEach(async () => {
  await t?.app.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** tenants/fraud and the functions/ it names, keeping their relative places. */
async function copyDemo(): Promise<string> {
  const parent = await mkdtemp(path.join(tmpdir(), 'lodestar-apply-'));
  dirs.push(parent);
  const dir = path.join(parent, 'tenants/fraud');
  await cp(path.join(repo, 'tenants/fraud'), dir, { recursive: true });
  await cp(path.join(repo, 'functions'), path.join(parent, 'functions'), { recursive: true });
  return dir;
}

describe('lodestar apply', () => {
  // Five applies over HTTP (30 s timeout): on a loaded host they take seconds, near vitest's 5 s default.
  it('creates everything, is idempotent, and applies a later edit as a diff', async () => {
    t = await testApp();
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const dir = await copyDemo();
    const options = { url, token: ADMIN_TOKEN };

    const dry = await applyTenantDir(await loadTenantDir(dir), { ...options, dryRun: true });
    expect(dry.lines).toEqual(['+ tenant fraud', '+ function fraud-features v1', '+ function fraud-rules v1', '+ pipeline transactions', '4 change(s) to apply (dry run: nothing written)']);
    expect((await t.call({ method: 'GET', url: '/v1/tenants' })).json().items).toEqual([]);

    expect((await applyTenantDir(await loadTenantDir(dir), options)).changes).toBe(4);
    const again = await applyTenantDir(await loadTenantDir(dir), options);
    expect(again.lines).toEqual(['= tenant fraud', '= function fraud-features v1', '= function fraud-rules v1', '= pipeline transactions', 'no changes']);

    const pipelineFile = path.join(dir, 'pipelines/transactions.json');
    const spec = JSON.parse(await readFile(pipelineFile, 'utf8'));
    spec.outputs[0].partitions = 8;
    await writeFile(pipelineFile, JSON.stringify(spec));
    const rules = path.join(dir, '../../functions/fraud-rules/index.ts');
    await writeFile(rules, `${await readFile(rules, 'utf8')}\n// v2\n`);
    const edit = await applyTenantDir(await loadTenantDir(dir), options);
    expect(edit.lines).toEqual([
      '= tenant fraud',
      '= function fraud-features v1',
      '+ function fraud-rules v2',
      '~ pipeline transactions: outputs[features].partitions: 4 → 8',
      '~ pipeline transactions: function fraud-rules v1 → v2',
      '3 change(s) applied',
    ]);
    const pipeline = (await t.call({ method: 'GET', url: '/v1/tenants/fraud/pipelines/transactions' })).json();
    expect(pipeline.deployments['fraud-rules']).toEqual({ active: 2, history: [1] });
    expect((await applyTenantDir(await loadTenantDir(dir), options)).changes).toBe(0);
  }, 60_000); // about 40 requests over a real socket: seconds on a loaded 2-core host

  it('refuses an invalid spec directory with file and field paths', async () => {
    t = await testApp();
    const dir = await copyDemo();
    const pipelineFile = path.join(dir, 'pipelines/transactions.json');
    const spec = JSON.parse(await readFile(pipelineFile, 'utf8'));
    spec.inputs[0].partitions = 'four';
    spec.owner = 'me';
    await writeFile(pipelineFile, JSON.stringify(spec));
    const error = await loadTenantDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).problems).toEqual([
      expect.stringMatching(/transactions\.json: inputs\.0\.partitions: /),
      expect.stringMatching(/transactions\.json: owner: unknown field$/),
    ]);
  });

  it('uploads shipped functions without their tests, and refuses a functions.json entry that names no directory', async () => {
    const dir = await copyDemo();
    const spec = await loadTenantDir(dir);
    expect(spec.functions.map((f) => [f.manifest.name, Object.keys(f.files)])).toEqual([['fraud-features', ['index.ts']], ['fraud-rules', ['index.ts']]]);
    await writeFile(path.join(dir, 'functions.json'), JSON.stringify({ 'fraud-features': '../../functions/fraud-features', 'fraud-rules': '../../functions/nowhere' }));
    const error = await loadTenantDir(dir).catch((e: unknown) => e);
    expect((error as SpecError).problems).toEqual([
      expect.stringMatching(/functions\.json: fraud-rules: \.\.\/\.\.\/functions\/nowhere is not a directory$/),
      expect.stringMatching(/transactions\.json: functions: fraud-rules has no bundle \(neither in functions\.json nor under functions\/\)$/),
    ]);
  });
});
