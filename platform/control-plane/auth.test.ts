// The role × route matrix, built from the OpenAPI document: every operation, every caller (no
// token, operator, each role of the owning tenant, another tenant's admin). A route the document
// lists but RULES does not fails here, so no route ships without someone deciding who may call it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './testing.ts';
import { seedTenant, testApp } from './testing.ts';

type Rule = 'public' | 'operator' | 'authenticated' | 'admin' | 'deployer' | 'viewer';

const RULES: Record<string, Rule> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'public',
  'POST /v1/tenants': 'operator',
  'GET /v1/tenants': 'operator',
  'GET /v1/tenants/{tenantId}': 'viewer',
  'PATCH /v1/tenants/{tenantId}': 'operator',
  'DELETE /v1/tenants/{tenantId}': 'operator',
  'POST /v1/tenants/{tenantId}/pulsar-token': 'admin',
  'POST /v1/tenants/{tenantId}/api-keys': 'admin',
  'GET /v1/tenants/{tenantId}/api-keys': 'admin',
  'DELETE /v1/tenants/{tenantId}/api-keys/{keyId}': 'admin',
  'POST /v1/tenants/{tenantId}/pipelines': 'deployer',
  'GET /v1/tenants/{tenantId}/pipelines': 'viewer',
  'GET /v1/tenants/{tenantId}/pipelines/{pipeline}': 'viewer',
  'PUT /v1/tenants/{tenantId}/pipelines/{pipeline}': 'deployer',
  'DELETE /v1/tenants/{tenantId}/pipelines/{pipeline}': 'deployer',
  'PUT /v1/tenants/{tenantId}/pipelines/{pipeline}/functions/{functionName}/active': 'deployer',
  'POST /v1/tenants/{tenantId}/pipelines/{pipeline}/functions/{functionName}/rollback': 'deployer',
  'POST /v1/tenants/{tenantId}/functions/{functionName}/versions': 'deployer',
  'GET /v1/tenants/{tenantId}/functions': 'viewer',
  'GET /v1/tenants/{tenantId}/functions/{functionName}': 'viewer',
  'GET /v1/tenants/{tenantId}/functions/{functionName}/versions/{version}': 'viewer',
  'GET /v1/regions': 'authenticated',
  'GET /v1/tenants/{tenantId}/replication': 'viewer',
  'GET /v1/removals': 'operator',
};

type Caller = 'anonymous' | 'operator' | 'own-admin' | 'own-deployer' | 'own-viewer' | 'foreign-admin';
const CALLERS: Caller[] = ['anonymous', 'operator', 'own-admin', 'own-deployer', 'own-viewer', 'foreign-admin'];
const RANK = { viewer: 1, deployer: 2, admin: 3 } as const;

/** 'allowed': the request got past authorization; else the status authorization answers with. */
function expected(rule: Rule, caller: Caller): 'allowed' | 401 | 403 | 404 {
  if (rule === 'public') return 'allowed';
  if (caller === 'anonymous') return 401;
  if (caller === 'operator' || rule === 'authenticated') return 'allowed';
  if (rule === 'operator') return 403;
  if (caller === 'foreign-admin') return 404;
  const role = caller.replace('own-', '') as keyof typeof RANK;
  return RANK[role] >= RANK[rule] ? 'allowed' : 403;
}

let operations: { method: string; path: string }[] = [];
beforeAll(async () => {
  const t = await testApp();
  const doc = (await t.call({ method: 'GET', url: '/docs/json', token: null })).json() as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  await t.app.close();
});

describe('authorization matrix', () => {
  it('has a rule for every operation in the OpenAPI document, and no rule for a route that is gone', () => {
    const documented = operations.map((o) => `${o.method} ${o.path}`).sort();
    expect(documented).toEqual(Object.keys(RULES).sort());
  });

  it('answers every caller of every operation as its rule says', async () => {
    const failures: string[] = [];
    let apps: TestApp[] = [];
    for (const { method, path } of operations) {
      const rule = RULES[`${method} ${path}`];
      if (!rule) continue;
      // A fresh app per operation: an allowed DELETE must not take the resource from the next caller.
      for (const caller of CALLERS) {
        const t = await testApp();
        apps.push(t);
        const own = await seedTenant(t, 'acme');
        const foreign = await seedTenant(t, 'other');
        const token = {
          anonymous: null,
          operator: undefined,
          'own-admin': own.admin.secret,
          'own-deployer': own.deployer.secret,
          'own-viewer': own.viewer.secret,
          'foreign-admin': foreign.admin.secret,
        }[caller];
        const url = path
          .replace('{tenantId}', 'acme')
          .replace('{pipeline}', 'main')
          .replace('{functionName}', 'counter')
          .replace('{version}', '1')
          .replace('{keyId}', own.viewer.id);
        const response = await t.call({ method: method as 'GET', url, token, headers: { 'if-match': '"1"' }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
        const want = expected(rule, caller);
        const got = response.statusCode;
        const ok = want === 'allowed' ? ![401, 403, 404].includes(got) : got === want;
        if (!ok) failures.push(`${caller} ${method} ${url}: expected ${want}, got ${got} ${response.body.slice(0, 120)}`);
        if (want !== 'allowed') expect(response.json().error.code).toBe({ 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[want]);
      }
      await Promise.all(apps.map((a) => a.app.close()));
      apps = [];
    }
    expect(failures).toEqual([]);
  }, 60_000);
});

describe('foreign ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.app.close());

  it('cannot tell another tenant\'s existing id from an id that does not exist', async () => {
    await seedTenant(t, 'acme');
    const other = await seedTenant(t, 'other');
    const existing = await t.call({ method: 'GET', url: '/v1/tenants/acme/pipelines/main', token: other.admin.secret });
    const missing = await t.call({ method: 'GET', url: '/v1/tenants/nobody/pipelines/main', token: other.admin.secret });
    expect(existing.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(existing.json().error.code).toBe(missing.json().error.code);
  });
});
