// The production control-plane app wired to the real local stack (both regions, real Pulsar),
// for integration tests. Each test uses its own tenant names (uniqueName), so files can run in
// parallel on the one stack; everything a test creates it deletes.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadStackInfo, readSuperuserToken } from '../../platform/regions/index.ts';
import type { StackInfo } from '../../platform/regions/index.ts';
import { buildApp, FileStore, PulsarAdminProvisioner } from '../../platform/control-plane/index.ts';
import { testConfig } from '../../platform/control-plane/testing.ts';
import type { ControlPlaneConfig, ControlStore } from '../../platform/control-plane/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { expect } from 'vitest';
import { uniqueName, waitFor } from '../helpers/index.ts';

export const stack: StackInfo = loadStackInfo();
export const superuserToken = readSuperuserToken(stack);

export function admin(region: string): PulsarAdmin {
  const info = stack.regions.find((r) => r.name === region);
  if (!info) throw new Error(`no region ${region}`);
  return new PulsarAdmin({ webUrl: info.webUrl, token: superuserToken, timeoutMs: 15_000 });
}

/** Tenant ids must fit the control plane's names: lower case, 2-40 characters. */
export const tenantName = (prefix: string): string => uniqueName(prefix).toLowerCase();

export interface RealApp {
  app: FastifyInstance;
  provisioner: PulsarAdminProvisioner;
  call: (options: InjectOptions & { token?: string | null }) => Promise<LightMyRequestResponse>;
}

export async function realApp(options: { webUrls?: Record<string, string>; config?: Partial<ControlPlaneConfig>; store?: ControlStore } = {}): Promise<RealApp> {
  const provisioner = new PulsarAdminProvisioner({
    regions: stack.regions.map((r) => ({ name: r.name, webUrl: options.webUrls?.[r.name] ?? r.webUrl })),
    token: superuserToken,
    secretKey: stack.tokenSecretKeyFile ? readFileSync(stack.tokenSecretKeyFile) : undefined,
    timeoutMs: 15_000,
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'lodestar-cp-'));
  const app = await buildApp({
    config: testConfig({ logLevel: 'silent', regionTimeoutMs: 20_000, ...options.config }),
    store: options.store ?? new FileStore(path.join(dir, 'control-log.jsonl')),
    provisioner,
    adminToken: superuserToken,
  });
  const call: RealApp['call'] = ({ token = superuserToken, headers, ...rest }) =>
    app.inject({ ...rest, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } });
  return { app, provisioner, call };
}

/** Throws with the body when the status is not the one expected; returns the JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON that the tests probe with expect()
export async function expectStatus(response: Promise<LightMyRequestResponse>, status: number): Promise<any> {
  const r = await response;
  if (r.statusCode !== status) throw new Error(`expected ${status}, got ${r.statusCode}: ${r.body}`);
  return r.body === '' ? undefined : r.json();
}

/**
 * After a region was unreachable during a create: waits until the reconciler reports `region`
 * ready for the tenant and its pipeline `main` (pipelineSpec('main', ...)), then checks in that
 * region's own Pulsar that the tenant, the pipeline's topics and its grants are there.
 */
export async function expectConvergedIn(t: RealApp, tenant: string, region: string, timeoutMs: number): Promise<void> {
  await waitFor(async () => {
    const p = await expectStatus(t.call({ method: 'GET', url: `/v1/tenants/${tenant}/pipelines/main` }), 200);
    return p.provisioning[region].state === 'ready';
  }, { timeoutMs, what: `${region} provisioned by the reconciler` });
  expect((await expectStatus(t.call({ method: 'GET', url: `/v1/tenants/${tenant}` }), 200)).provisioning[region].state).toBe('ready');
  const pulsar = admin(region);
  expect((await pulsar.tenants.get(tenant)).allowedClusters.sort()).toEqual(stack.regions.map((r) => r.name).sort());
  expect((await pulsar.topics.listPartitioned(`${tenant}/main`)).sort()).toEqual(['dead-letter', 'events', 'events-changelog', 'results'].map((x) => `persistent://${tenant}/main/${x}`));
  expect(Object.keys(await pulsar.namespaces.getPermissions(`${tenant}/main`))).toEqual([`lodestar-tenant-${tenant}`]);
}
