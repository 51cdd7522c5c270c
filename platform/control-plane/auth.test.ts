// The role × route matrix, built from the OpenAPI document: every operation, every caller (no
// token, operator, each role of the owning tenant, another tenant's admin). A route the document
// lists but RULES does not fails here, so no route ships without someone deciding who may call it.
// Each route with a resource id is also called with another tenant's real id of that kind in the
// caller's own tenant path (a key, a pipeline, a function, a version that only the other tenant
// has): every caller the rule lets through must get 404, as for an id that does not exist, and
// no tenant-scoped read may show the other tenant's resources.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './testing.ts';
import { bundle, pipelineSpec, seedTenant, testApp } from './testing.ts';

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

/** Path ids that name a resource to create, not one that must exist: no foreign-id call. */
const CREATES_BY_NAME = new Set(['POST /v1/tenants/{tenantId}/functions/{functionName}/versions']);

/** Only the other tenant has these: its key ids, a pipeline, a function and a third version of counter. */
const FOREIGN_IDS = { pipeline: 'theirs', functionName: 'their-fn', version: '3' } as const;

/** Bodies that pass validation, so a foreign-id call reaches the lookup it must fail. */
const VALID_BODIES: Record<string, (url: { pipeline: string }) => object> = {
  'PUT /v1/tenants/{tenantId}/pipelines/{pipeline}': ({ pipeline }) => pipelineSpec(pipeline, ['counter']),
  'PUT /v1/tenants/{tenantId}/pipelines/{pipeline}/functions/{functionName}/active': () => ({ version: 1 }),
  'POST /v1/tenants/{tenantId}/pipelines/{pipeline}/functions/{functionName}/rollback': () => ({}),
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
        const { own, foreign } = await seedBoth(t);
        const url = fill(path, { keyId: own.viewer.id });
        const response = await t.call({ method: method as 'GET', url, token: tokenOf(caller, own, foreign), headers: { 'if-match': '"1"' }, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
        const want = expected(rule, caller);
        const got = response.statusCode;
        const ok = want === 'allowed' ? ![401, 403, 404].includes(got) : got === want;
        if (!ok) failures.push(`${caller} ${method} ${url}: expected ${want}, got ${got} ${response.body.slice(0, 120)}`);
        if (want !== 'allowed') expect(response.json().error.code).toBe({ 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[want]);
        if (got === 200 && path.startsWith('/v1/tenants/{tenantId}')) {
          const shown = FOREIGN_MARKERS(foreign).filter((marker) => response.body.includes(marker));
          if (shown.length > 0) failures.push(`${caller} ${method} ${url}: shows the other tenant's ${shown.join(', ')}`);
        }
      }
      await Promise.all(apps.map((a) => a.app.close()));
      apps = [];
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('answers 404 to every caller it lets through when a path id is another tenant\'s', async () => {
    const failures: string[] = [];
    let variants = 0;
    for (const { method, path } of operations) {
      const rule = RULES[`${method} ${path}`];
      if (!rule || CREATES_BY_NAME.has(`${method} ${path}`)) continue;
      for (const param of ['keyId', 'pipeline', 'functionName', 'version'] as const) {
        if (!path.includes(`{${param}}`)) continue;
        variants++;
        // One app for all callers: a call that wrongly succeeds is already a failure.
        const t = await testApp();
        const { own, foreign } = await seedBoth(t);
        const ids = { keyId: own.viewer.id, [param]: param === 'keyId' ? foreign.viewer.id : FOREIGN_IDS[param] };
        const url = fill(path, ids);
        const body = VALID_BODIES[`${method} ${path}`]?.({ pipeline: ids.pipeline ?? 'main' });
        for (const caller of CALLERS) {
          const response = await t.call({ method: method as 'GET', url, token: tokenOf(caller, own, foreign), headers: { 'if-match': '"1"' }, ...(body === undefined ? {} : { payload: body }) });
          const allowed = expected(rule, caller);
          const want = allowed === 'allowed' ? 404 : allowed;
          if (response.statusCode !== want) failures.push(`${caller} ${method} ${url} (another tenant's ${param}): expected ${want}, got ${response.statusCode} ${response.body.slice(0, 120)}`);
        }
        // The other tenant's resource is untouched.
        const check = await t.call({ method: 'GET', url: `/v1/tenants/other/${param === 'keyId' ? 'api-keys' : param === 'pipeline' ? 'pipelines/theirs' : 'functions/their-fn'}` });
        if (check.statusCode !== 200 || (param === 'keyId' && !check.body.includes(foreign.viewer.id))) failures.push(`${method} ${url}: changed the other tenant's ${param}`);
        await t.app.close();
      }
    }
    expect(variants).toBeGreaterThanOrEqual(10);
    expect(failures).toEqual([]);
  }, 120_000);
});

type Keys = Awaited<ReturnType<typeof seedTenant>>;

/** `acme` (the caller's own tenant) and `other`, which also has what FOREIGN_IDS names. */
async function seedBoth(t: TestApp): Promise<{ own: Keys; foreign: Keys }> {
  const own = await seedTenant(t, 'acme');
  const foreign = await seedTenant(t, 'other');
  for (const payload of [bundle('counter', 'return [2];'), bundle('their-fn')]) {
    const upload = await t.call({ method: 'POST', url: `/v1/tenants/other/functions/${payload.manifest.name}/versions`, payload });
    expect(upload.statusCode).toBe(201);
  }
  expect((await t.call({ method: 'POST', url: '/v1/tenants/other/pipelines', payload: pipelineSpec('theirs', ['their-fn']) })).statusCode).toBe(201);
  return { own, foreign };
}

const FOREIGN_MARKERS = (foreign: Keys): string[] => [foreign.admin.id, foreign.deployer.id, foreign.viewer.id, FOREIGN_IDS.pipeline, FOREIGN_IDS.functionName];

function fill(path: string, ids: { keyId: string; pipeline?: string; functionName?: string; version?: string }): string {
  return path
    .replace('{tenantId}', 'acme')
    .replace('{pipeline}', ids.pipeline ?? 'main')
    .replace('{functionName}', ids.functionName ?? 'counter')
    .replace('{version}', ids.version ?? '1')
    .replace('{keyId}', ids.keyId);
}

function tokenOf(caller: Caller, own: Keys, foreign: Keys): string | null | undefined {
  return {
    anonymous: null,
    operator: undefined,
    'own-admin': own.admin.secret,
    'own-deployer': own.deployer.secret,
    'own-viewer': own.viewer.secret,
    'foreign-admin': foreign.admin.secret,
  }[caller];
}

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
