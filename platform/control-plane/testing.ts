// Fixtures and an app builder for tests: the production app over a MemoryStore and a
// RecordingProvisioner. Also used by the integration tests for valid specs.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from './app.ts';
import { testConfig } from './config.ts';
import type { ControlPlaneConfig } from './config.ts';
import { RecordingProvisioner } from './provisioning/index.ts';
import type { Provisioner } from './provisioning/index.ts';
import type { FunctionBundle, PipelineSpec, TenantQuotas } from './schemas/index.ts';
import type { ControlStore } from './store/index.ts';
import { MemoryStore } from './store/index.ts';

export { testConfig };

export const ADMIN_TOKEN = 'test-admin-token';

export const quotas = (overrides: Partial<TenantQuotas> = {}): TenantQuotas => ({
  maxPipelines: 5,
  maxTopicsPerPipeline: 10,
  maxPartitionsPerTopic: 8,
  publishRateMsgPerSec: 1000,
  publishRateBytesPerSec: 1_048_576,
  dispatchRateMsgPerSec: 2000,
  dispatchRateBytesPerSec: 2_097_152,
  retentionMinutes: 60,
  retentionSizeMb: 100,
  backlogQuotaMb: 50,
  messageTtlSeconds: 3600,
  maxBundleBytes: 65_536,
  ...overrides,
});

export const bundle = (name: string, body = 'return [];'): FunctionBundle => ({
  manifest: { name, language: 'typescript', entry: 'index.ts' },
  files: { 'index.ts': `export default { name: '${name}', process(events) { ${body} } };\n` },
});

export const pipelineSpec = (name: string, functions: string[], overrides: Partial<PipelineSpec> = {}): PipelineSpec => ({
  name,
  activeRegion: 'east',
  inputs: [{ name: 'events', partitions: 2, schema: { type: 'json', jsonSchema: { type: 'object' } } }],
  functions: functions.map((f) => ({ name: f })),
  outputs: [{ name: 'results', partitions: 2 }],
  deadLetter: { name: 'dead-letter', partitions: 1 },
  slos: { latencyP99Ms: 50 },
  ...overrides,
});

export interface TestApp {
  app: FastifyInstance;
  provisioner: RecordingProvisioner;
  store: ControlStore;
  /** inject as the operator unless headers say otherwise. */
  call: (options: InjectOptions & { token?: string | null }) => Promise<LightMyRequestResponse>;
}

export async function testApp(options: { config?: Partial<ControlPlaneConfig>; provisioner?: Provisioner; store?: ControlStore; logStream?: { write(line: string): void } } = {}): Promise<TestApp> {
  const provisioner = (options.provisioner ?? new RecordingProvisioner()) as RecordingProvisioner;
  const store = options.store ?? new MemoryStore();
  const app = await buildApp({ config: testConfig({ logLevel: 'silent', ...options.config }), store, provisioner, adminToken: ADMIN_TOKEN }, options.logStream);
  const call: TestApp['call'] = ({ token = ADMIN_TOKEN, headers, ...rest }) =>
    app.inject({ ...rest, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } });
  return { app, provisioner, store, call };
}

/** A tenant with one function and one pipeline, and a key per role; returns the keys' secrets. */
export async function seedTenant({ call }: TestApp, tenant: string): Promise<Record<'admin' | 'deployer' | 'viewer', { secret: string; id: string }>> {
  const ok = async (options: InjectOptions, status: number) => {
    const response = await call(options);
    if (response.statusCode !== status) throw new Error(`${options.method} ${options.url}: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  await ok({ method: 'POST', url: '/v1/tenants', payload: { id: tenant, quotas: quotas() } }, 201);
  await ok({ method: 'POST', url: `/v1/tenants/${tenant}/functions/counter/versions`, payload: bundle('counter') }, 201);
  await ok({ method: 'POST', url: `/v1/tenants/${tenant}/functions/counter/versions`, payload: bundle('counter', 'return [1];') }, 201);
  await ok({ method: 'POST', url: `/v1/tenants/${tenant}/pipelines`, payload: pipelineSpec('main', ['counter']) }, 201);
  const keys = {} as Record<'admin' | 'deployer' | 'viewer', { secret: string; id: string }>;
  for (const role of ['admin', 'deployer', 'viewer'] as const) {
    const key = await ok({ method: 'POST', url: `/v1/tenants/${tenant}/api-keys`, payload: { name: role, role } }, 201);
    keys[role] = { secret: key.secret, id: key.id };
  }
  return keys;
}
