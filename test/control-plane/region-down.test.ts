// A region unreachable during a create: the control plane reaches west's admin API through a TCP
// proxy this test owns, and cuts it. The create succeeds with west pending; when the proxy is back
// the reconciler applies the tenant and the pipeline in west, read back from west itself.
// (The stack is shared by parallel test files, so the test cuts the path to west instead of
// killing west's broker; the control plane sees the same connection failures.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { bundle, pipelineSpec, quotas } from '../../platform/control-plane/testing.ts';
import { waitFor } from '../helpers/index.ts';
import type { RealApp } from './helpers.ts';
import { admin, expectConvergedIn, expectStatus, realApp, stack, tenantName } from './helpers.ts';

class Cuttable {
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  port = 0;
  constructor(readonly target: URL) {}

  async open(): Promise<void> {
    if (this.#server?.listening) return;
    this.#server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject);
      this.#server!.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (this.#server!.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    if (!this.#server?.listening) return;
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

const west = stack.regions.find((r) => r.name === 'west');
const tenant = tenantName('cp-down');
const proxy = new Cuttable(new URL(west?.webUrl ?? 'http://127.0.0.1:1'));
let t: RealApp;

beforeAll(async () => {
  await proxy.open();
  t = await realApp({ webUrls: { west: `http://127.0.0.1:${proxy.port}` }, config: { reconcileIntervalMs: 500, reconcileMaxBackoffMs: 2_000, regionTimeoutMs: 5000 } });
});
afterAll(async () => {
  await proxy.open();
  await t.call({ method: 'DELETE', url: `/v1/tenants/${tenant}?force=true` });
  await waitFor(async () => !(await admin('west').tenants.list()).includes(tenant), { timeoutMs: 30_000, what: 'cleanup in west' }).catch(() => undefined);
  await t.app.close();
  await proxy.cut();
});

describe.runIf(west)('west unreachable during a create', () => {
  it('records west pending, then converges when west is reachable again', async () => {
    await proxy.cut();
    const created = await expectStatus(t.call({ method: 'POST', url: '/v1/tenants', payload: { id: tenant, quotas: quotas() } }), 201);
    expect(created.provisioning.east.state).toBe('ready');
    expect(created.provisioning.west.state).toBe('pending');
    await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${tenant}/functions/counter/versions`, payload: bundle('counter') }), 201);
    const pipeline = await expectStatus(t.call({ method: 'POST', url: `/v1/tenants/${tenant}/pipelines`, payload: pipelineSpec('main', ['counter']) }), 201);
    expect(pipeline.provisioning.west.state).toBe('pending');
    expect(await admin('west').tenants.list()).not.toContain(tenant);
    const regions = await expectStatus(t.call({ method: 'GET', url: '/v1/regions' }), 200);
    expect(regions.items.find((r: { name: string }) => r.name === 'west').healthy).toBe(false);

    await proxy.open();
    await expectConvergedIn(t, tenant, 'west', 60_000);
  });
});
