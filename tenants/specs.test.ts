// Every tenant directory here is a valid spec for the control plane: it loads with the API's own
// schemas, and the app (with a recording provisioner) accepts all of it, function bundles included.
// Its bundles are the functions we ship (functions/<name>, not copies), each a definition of the
// sdk that accepts the config its pipelines give it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFunctionDefinition } from '@lodestar/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTenantDir } from '../platform/control-plane/index.ts';
import type { TestApp } from '../platform/control-plane/testing.ts';
import { testApp } from '../platform/control-plane/testing.ts';

const root = path.dirname(fileURLToPath(import.meta.url));
const shipped = path.resolve(root, '../functions');
const tenants = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.app.close());

describe('tenant specs', () => {
  it('include the two demo tenants', () => {
    expect(tenants).toEqual(expect.arrayContaining(['clickstream', 'fraud']));
  });

  it.each(tenants)('%s loads and is accepted by the API', async (name) => {
    const spec = await loadTenantDir(path.join(root, name));
    expect((await t.call({ method: 'POST', url: '/v1/tenants', payload: spec.tenant })).statusCode).toBe(201);
    for (const bundle of spec.functions) {
      const response = await t.call({ method: 'POST', url: `/v1/tenants/${name}/functions/${bundle.manifest.name}/versions`, payload: bundle });
      expect(response.statusCode, response.body).toBe(201);
    }
    for (const pipeline of spec.pipelines) {
      const response = await t.call({ method: 'POST', url: `/v1/tenants/${name}/pipelines`, payload: pipeline });
      expect(response.statusCode, response.body).toBe(201);
    }
  });

  it.each(tenants)('%s uploads the shipped functions, and their config schemas accept its pipelines\' config', async (name) => {
    const spec = await loadTenantDir(path.join(root, name));
    for (const bundle of spec.functions) {
      const dir = path.join(shipped, bundle.manifest.name);
      expect(Object.keys(bundle.files)).not.toContainEqual(expect.stringMatching(/\.test\.ts$/));
      for (const [file, content] of Object.entries(bundle.files)) expect(content, `${bundle.manifest.name}/${file}`).toBe(readFileSync(path.join(dir, file), 'utf8'));
      const definition: unknown = (await import(path.join(dir, bundle.manifest.entry))).default;
      expect(isFunctionDefinition(definition), `${bundle.manifest.name}: default export`).toBe(true);
      if (!isFunctionDefinition(definition)) continue;
      expect(definition.name).toBe(bundle.manifest.name);
      for (const pipeline of spec.pipelines) {
        for (const ref of pipeline.functions.filter((f) => f.name === definition.name)) {
          const parsed = definition.config?.safeParse(ref.config);
          expect(parsed?.error, `${pipeline.name}: config of ${ref.name}`).toBeUndefined();
        }
      }
    }
  });
});
