// The API as a client sees it, through fastify's inject on the production app.
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from './testing.ts';
import { DEFAULT_TENANT_QUOTAS } from './schemas/index.ts';
import { bundle, pipelineSpec, quotas, seedTenant, testApp } from './testing.ts';

let t: TestApp;
afterEach(async () => {
  await t?.app.close();
});

describe('errors', () => {
  it('refuses unknown fields with the field path, in the one error shape', async () => {
    t = await testApp();
    const response = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: { ...quotas(), extra: 1 }, color: 'red' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: expect.arrayContaining([{ path: 'body.color', message: 'unknown field' }, { path: 'body.quotas.extra', message: 'unknown field' }]),
      },
    });
  });

  it('names the path of a wrong type deep in a pipeline spec', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    const spec = pipelineSpec('other', ['counter']) as unknown as { inputs: { partitions: unknown }[] };
    spec.inputs[0]!.partitions = 'four';
    const response = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: spec });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toContainEqual({ path: 'body.inputs.0.partitions', message: expect.any(String) });
  });

  it('answers 413 in the error shape for a body over the limit', async () => {
    t = await testApp({ config: { bodyLimitBytes: 2048 } });
    const response = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', displayName: 'x'.repeat(5000), quotas: quotas() } });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 400 for a body that is not JSON, and 415 for another media type', async () => {
    t = await testApp();
    const bad = await t.call({ method: 'POST', url: '/v1/tenants', payload: '{"id":', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toEqual({ code: 'BAD_REQUEST', message: 'the body is not valid JSON' });
    const xml = await t.call({ method: 'POST', url: '/v1/tenants', payload: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('never shows the detail of a 5xx', async () => {
    t = await testApp();
    const original = t.store.list.bind(t.store);
    t.store.list = () => {
      throw new Error('secret database path /var/lib/x');
    };
    const response = await t.call({ method: 'GET', url: '/v1/tenants' });
    t.store.list = original;
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  it('answers a known path with an unsupported method with 405 and Allow', async () => {
    t = await testApp();
    const response = await t.call({ method: 'TRACE' as 'GET', url: '/v1/tenants/acme' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('DELETE, GET, HEAD, PATCH');
    expect(response.json().error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    t = await testApp();
    const response = await t.call({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });
});

describe('tenants', () => {
  it('creates, reads, lists, updates quotas with If-Match, and refuses a stale version', async () => {
    t = await testApp();
    const created = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'acme', version: 1, regions: ['east', 'west'], pulsarRole: 'lodestar-tenant-acme', pulsarToken: 'fake-token-for-lodestar-tenant-acme' });
    expect(created.json().provisioning).toMatchObject({ east: { state: 'ready', appliedVersion: 1 }, west: { state: 'ready', appliedVersion: 1 } });
    expect((await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } })).json().error.code).toBe('ALREADY_EXISTS');
    expect((await t.call({ method: 'GET', url: '/v1/tenants' })).json().items.map((x: { id: string }) => x.id)).toEqual(['acme']);

    const noVersion = await t.call({ method: 'PATCH', url: '/v1/tenants/acme', payload: { quotas: { maxPipelines: 9 } } });
    expect(noVersion.statusCode).toBe(428);
    const patched = await t.call({ method: 'PATCH', url: '/v1/tenants/acme', headers: { 'if-match': '"1"' }, payload: { quotas: { maxPipelines: 9 } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.headers.etag).toBe('"2"');
    expect(patched.json().quotas.maxPipelines).toBe(9);
    const stale = await t.call({ method: 'PATCH', url: '/v1/tenants/acme', headers: { 'if-match': '"1"' }, payload: { quotas: { maxPipelines: 8 } } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('VERSION_CONFLICT');
    const badQuota = await t.call({ method: 'PATCH', url: '/v1/tenants/acme', headers: { 'if-match': '2' }, payload: { quotas: { backlogQuotaMb: 500 } } });
    expect(badQuota.json().error.details).toContainEqual({ path: 'body.quotas.backlogQuotaMb', message: expect.any(String) });
  });

  it('refuses to delete a tenant with pipelines unless forced, then removes it from every region', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    const refused = await t.call({ method: 'DELETE', url: '/v1/tenants/acme' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('HAS_DEPENDENTS');
    expect((await t.call({ method: 'DELETE', url: '/v1/tenants/acme?force=true' })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: '/v1/tenants/acme' })).statusCode).toBe(404);
    for (const region of ['east', 'west']) {
      expect(t.provisioner.tenants.get(region)!.size).toBe(0);
      expect(t.provisioner.pipelines.get(region)!.size).toBe(0);
    }
    expect(t.store.list('')).toEqual([]);
  });

  it('refuses a region the platform does not have', async () => {
    t = await testApp();
    const response = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', regions: ['east', 'mars'], quotas: quotas() } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details).toEqual([{ path: 'body.regions.1', message: 'unknown region mars' }]);
  });

  it('refuses to take over a Pulsar tenant of the same name that Lodestar does not manage', async () => {
    t = await testApp();
    t.provisioner.foreignTenants.add('acme');
    const response = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'ALREADY_EXISTS', message: 'a Pulsar tenant named acme already exists in east, west and is not managed by Lodestar' });
    expect(t.provisioner.calls.filter((c) => c.method === 'applyTenant')).toEqual([]);
    // An existing Lodestar tenant still answers 409 for itself, before any region is asked.
    t.provisioner.foreignTenants.clear();
    expect((await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } })).statusCode).toBe(201);
    expect((await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } })).json().error).toMatchObject({ code: 'ALREADY_EXISTS', message: 'tenant acme already exists' });
  });

  it('creates a tenant while a region cannot be asked, and provisions it there later', async () => {
    t = await testApp();
    t.provisioner.down.add('west');
    const response = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', quotas: quotas() } });
    expect(response.statusCode).toBe(201);
    expect(response.json().provisioning.west.state).toBe('pending');
  });
});

describe('defaults: what a first request may leave out', () => {
  it('gives a tenant created without quotas the documented defaults, and fills in the quotas a request leaves out', async () => {
    t = await testApp();
    const bare = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme' } });
    expect(bare.statusCode).toBe(201);
    expect(bare.json()).toMatchObject({ quotas: DEFAULT_TENANT_QUOTAS, regions: ['east', 'west'] });
    expect(t.provisioner.tenants.get('east')!.get('acme')!.namespaces[0]).toMatchObject({ retention: { minutes: 1_440, sizeMb: 1_024 }, backlogQuotaBytes: 512 * 1024 * 1024 });
    const some = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'beta', quotas: { maxPipelines: 3, retentionSizeMb: 4_096 } } });
    expect(some.json().quotas).toEqual({ ...DEFAULT_TENANT_QUOTAS, maxPipelines: 3, retentionSizeMb: 4_096 });
    // A default that a given quota contradicts is refused with its path, like any bad quota.
    const clash = await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'gamma', quotas: { retentionSizeMb: 100 } } });
    expect(clash.statusCode).toBe(400);
    expect(clash.json().error.details).toEqual([{ path: 'body.quotas.backlogQuotaMb', message: 'backlogQuotaMb must be below retentionSizeMb' }]);
    // A PATCH changes what it names and nothing else: no default sneaks back in.
    const patched = await t.call({ method: 'PATCH', url: '/v1/tenants/beta', headers: { 'if-match': '"1"' }, payload: { quotas: { maxTopicsPerPipeline: 4 } } });
    expect(patched.json().quotas).toEqual({ ...DEFAULT_TENANT_QUOTAS, maxPipelines: 3, retentionSizeMb: 4_096, maxTopicsPerPipeline: 4 });
  });

  it('creates a pipeline from a name, a region, an input and a function; an API key without a role; a bundle without a language', async () => {
    t = await testApp();
    await t.call({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme' } });
    const upload = await t.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: { manifest: { name: 'counter', entry: 'index.ts' }, files: bundle('counter').files } });
    expect(upload.statusCode).toBe(201);
    expect(upload.json().manifest.language).toBe('typescript');
    const pipeline = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: { name: 'main', activeRegion: 'east', inputs: [{ name: 'events' }], functions: [{ name: 'counter' }] } });
    expect(pipeline.statusCode).toBe(201);
    expect(pipeline.json().spec).toEqual({
      name: 'main',
      activeRegion: 'east',
      inputs: [{ name: 'events', partitions: 1, schema: { type: 'bytes' } }],
      functions: [{ name: 'counter' }],
      outputs: [],
      deadLetter: { name: 'dead-letter', partitions: 1 },
      slos: {},
    });
    expect(t.provisioner.pipelines.get('west')!.get('acme/main')!.topics).toEqual([
      { name: 'persistent://acme/main/events', partitions: 1 },
      { name: 'persistent://acme/main/dead-letter', partitions: 1 },
      { name: 'persistent://acme/main/events-changelog', partitions: 1 },
    ]);
    const key = await t.call({ method: 'POST', url: '/v1/tenants/acme/api-keys', payload: { name: 'ci' } });
    expect(key.statusCode).toBe(201);
    expect(key.json().role).toBe('viewer');
  });

  it('documents the defaults in the OpenAPI document and asks only for what has none', async () => {
    t = await testApp();
    const schemas = (await t.call({ method: 'GET', url: '/docs/json', token: null })).json().components.schemas;
    expect(schemas.TenantSpec.required).toEqual(['id']);
    const quotaDefaults = Object.fromEntries(Object.entries(schemas.TenantQuotasWithDefaults.properties as Record<string, { default: number }>).map(([k, v]) => [k, v.default]));
    expect(quotaDefaults).toEqual(DEFAULT_TENANT_QUOTAS);
    expect(schemas.PipelineSpec.required.sort()).toEqual(['activeRegion', 'functions', 'inputs', 'name']);
    expect(schemas.ApiKeySpec.required).toEqual(['name']);
  });
});

describe('api keys', () => {
  it('shows the secret once, authenticates with it, lists without it, and stops working when revoked', async () => {
    t = await testApp();
    const keys = await seedTenant(t, 'acme');
    const list = await t.call({ method: 'GET', url: '/v1/tenants/acme/api-keys', token: keys.admin.secret });
    expect(list.statusCode).toBe(200);
    expect(JSON.stringify(list.json())).not.toContain(keys.admin.secret.slice(21));
    expect(JSON.stringify(t.store.list(''))).not.toContain(keys.viewer.secret.slice(21));
    expect((await t.call({ method: 'GET', url: '/v1/tenants/acme/pipelines', token: keys.viewer.secret })).statusCode).toBe(200);
    expect((await t.call({ method: 'DELETE', url: `/v1/tenants/acme/api-keys/${keys.viewer.id}`, token: keys.admin.secret })).statusCode).toBe(204);
    expect((await t.call({ method: 'GET', url: '/v1/tenants/acme/pipelines', token: keys.viewer.secret })).statusCode).toBe(401);
  });
});

describe('pipelines', () => {
  it('provisions in every region with the tenant role as the only grantee', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    for (const region of ['east', 'west']) {
      const plan = t.provisioner.pipelines.get(region)!.get('acme/main')!;
      expect(plan.namespace).toMatchObject({
        name: 'acme/main',
        replicationClusters: ['east', 'west'],
        grants: { 'lodestar-tenant-acme': ['consume', 'produce'] },
        publishRate: { msgPerSec: 1000, bytesPerSec: 1_048_576 },
        deduplication: true,
      });
      expect(plan.topics.map((x) => x.name)).toEqual(['persistent://acme/main/events', 'persistent://acme/main/results', 'persistent://acme/main/dead-letter', 'persistent://acme/main/events-changelog']);
    }
  });

  it('diffs an update, writes it with If-Match, is a no-op when nothing changed, and refuses shrinking partitions', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    const spec = pipelineSpec('main', ['counter'], { outputs: [{ name: 'results', partitions: 4 }] });
    const dry = await t.call({ method: 'PUT', url: '/v1/tenants/acme/pipelines/main?dryRun=true', headers: { 'if-match': '"1"' }, payload: spec });
    expect(dry.json()).toMatchObject({ dryRun: true, version: 1, changes: [{ path: 'outputs[results].partitions', kind: 'changed', from: 2, to: 4 }] });
    const applied = await t.call({ method: 'PUT', url: '/v1/tenants/acme/pipelines/main', headers: { 'if-match': '"1"' }, payload: spec });
    expect(applied.json()).toMatchObject({ version: 2, changes: [{ path: 'outputs[results].partitions' }] });
    const again = await t.call({ method: 'PUT', url: '/v1/tenants/acme/pipelines/main', headers: { 'if-match': '"2"' }, payload: spec });
    expect(again.json()).toMatchObject({ version: 2, changes: [] });
    const shrink = await t.call({ method: 'PUT', url: '/v1/tenants/acme/pipelines/main', headers: { 'if-match': '"2"' }, payload: pipelineSpec('main', ['counter']) });
    expect(shrink.statusCode).toBe(400);
    expect(shrink.json().error.details).toContainEqual({ path: 'body.outputs.0.partitions', message: expect.stringContaining('shrink') });
  });

  it('refuses unknown functions, foreign regions and quota excess with paths', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    const unknown = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('p2', ['nope'], { activeRegion: 'mars' }) });
    expect(unknown.json().error.details).toEqual(expect.arrayContaining([{ path: 'body.functions.0.name', message: expect.any(String) }, { path: 'body.activeRegion', message: expect.any(String) }]));
    const big = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines', payload: pipelineSpec('p2', ['counter'], { outputs: [{ name: 'wide', partitions: 64 }] }) });
    expect(big.statusCode).toBe(422);
    expect(big.json().error.code).toBe('QUOTA_EXCEEDED');
  });

  it('deletes a pipeline from every region', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    expect((await t.call({ method: 'DELETE', url: '/v1/tenants/acme/pipelines/main' })).statusCode).toBe(204);
    expect(t.provisioner.pipelines.get('west')!.size).toBe(0);
    expect((await t.call({ method: 'GET', url: '/v1/tenants/acme/pipelines/main' })).statusCode).toBe(404);
  });
});

describe('functions', () => {
  it('versions uploads, treats an identical upload as the latest, activates and rolls back', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    const same = await t.call({ method: 'POST', url: '/v1/tenants/acme/functions/counter/versions', payload: bundle('counter', 'return [1];') });
    expect(same.statusCode).toBe(200);
    expect(same.json().version).toBe(2);
    const pipeline = (await t.call({ method: 'GET', url: '/v1/tenants/acme/pipelines/main' })).json();
    expect(pipeline.deployments.counter).toEqual({ active: 2, history: [] });
    const activated = await t.call({ method: 'PUT', url: '/v1/tenants/acme/pipelines/main/functions/counter/active', headers: { 'if-match': `"${pipeline.version}"` }, payload: { version: 1 } });
    expect(activated.json().deployments.counter).toEqual({ active: 1, history: [2] });
    const rolled = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines/main/functions/counter/rollback', headers: { 'if-match': `"${activated.json().version}"` }, payload: {} });
    expect(rolled.json().deployments.counter).toEqual({ active: 2, history: [] });
    const nothing = await t.call({ method: 'POST', url: '/v1/tenants/acme/pipelines/main/functions/counter/rollback', headers: { 'if-match': `"${rolled.json().version}"` }, payload: {} });
    expect(nothing.statusCode).toBe(400);
    const version = await t.call({ method: 'GET', url: '/v1/tenants/acme/functions/counter/versions/1' });
    expect(version.json().content['index.ts']).toContain('export default');
  });

  it('refuses a bundle without its entry point, without a default export, too large, or with an unsafe path', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    const upload = (payload: object) => t.call({ method: 'POST', url: '/v1/tenants/acme/functions/fn/versions', payload });
    const noEntry = await upload({ manifest: { name: 'fn', language: 'typescript', entry: 'main.ts' }, files: { 'index.ts': 'export default 1' } });
    expect(noEntry.json().error).toMatchObject({ code: 'INVALID_BUNDLE', details: [{ path: 'body.manifest.entry' }] });
    const noDefault = await upload({ manifest: { name: 'fn', language: 'javascript', entry: 'index.js' }, files: { 'index.js': 'export const x = 1' } });
    expect(noDefault.json().error.details).toEqual([{ path: 'body.files.index.js', message: 'the entry point has no default export' }]);
    const big = await upload({ manifest: { name: 'fn', language: 'typescript', entry: 'index.ts' }, files: { 'index.ts': `export default 1;//${'x'.repeat(70_000)}` } });
    expect(big.json().error.code).toBe('INVALID_BUNDLE');
    const escape = await upload({ manifest: { name: 'fn', language: 'typescript', entry: 'index.ts' }, files: { '../etc/passwd': 'x', 'index.ts': 'export default 1' } });
    expect(escape.statusCode).toBe(400);
  });
});

describe('health, readiness and metrics', () => {
  it('serves /health, /ready and /metrics with request durations by route and provisioning outcomes', async () => {
    t = await testApp();
    await seedTenant(t, 'acme');
    expect((await t.call({ method: 'GET', url: '/health', token: null })).json()).toEqual({ status: 'ok' });
    expect((await t.call({ method: 'GET', url: '/ready', token: null })).json()).toEqual({ status: 'ready', store: 'memory' });
    const metrics = (await t.call({ method: 'GET', url: '/metrics', token: null })).body;
    expect(metrics).toContain('lodestar_control_plane_http_request_duration_seconds_count{method="POST",route="/v1/tenants",status="201"} 1');
    expect(metrics).toContain('lodestar_control_plane_provisioning_total{resource="pipeline",operation="apply",region="west",outcome="ready"} 1');
  });
});
