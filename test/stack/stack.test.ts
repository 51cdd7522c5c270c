// The local two-region stack as the rest of Lodestar sees it: both regions healthy, their
// transaction coordinators ready, each region knowing the other for geo-replication, and
// `up` reusing what runs rather than starting duplicates.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { loadStackInfo, readSuperuserToken } from '../../platform/regions/index.ts';
import { status, up } from '../../infra/stack/stack.ts';

const info = loadStackInfo();
const token = readSuperuserToken(info);

async function adminGet(webUrl: string, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${webUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

describe('local stack', () => {
  it('has two healthy regions, east and west, with distinct ports', async () => {
    const current = info.mode === 'local' ? await status() : info;
    expect(current.regions.map((r) => r.name).sort()).toEqual(['east', 'west']);
    for (const region of current.regions) expect(region.healthy, `${region.name} healthy`).toBe(true);
    const ports = current.regions.flatMap((r) => [r.brokerUrl, r.webUrl, r.redisUrl].map((u) => new URL(u).port));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('has a ready transaction coordinator in each region', async () => {
    for (const region of info.regions) {
      const { status: code, body } = await adminGet(region.webUrl, '/admin/v3/transactions/coordinatorStats');
      expect(code, region.name).toBe(200);
      const coordinators = Object.values(body as Record<string, { state: string }>);
      expect(coordinators.length).toBeGreaterThan(0);
      expect(coordinators.every((c) => c.state === 'Ready')).toBe(true);
    }
  });

  it('registers each region in the other for geo-replication, with authenticated replication', async () => {
    for (const region of info.regions) {
      const { body: clusters } = await adminGet(region.webUrl, '/admin/v2/clusters');
      expect(clusters).toEqual(expect.arrayContaining(['east', 'west']));
      const peer = info.regions.find((r) => r.name !== region.name)!;
      const { status: code, body } = await adminGet(region.webUrl, `/admin/v2/clusters/${peer.name}`);
      expect(code).toBe(200);
      expect(body).toMatchObject({
        serviceUrl: peer.webUrl,
        brokerServiceUrl: peer.brokerUrl,
        authenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
      });
    }
  });

  it('refuses admin calls without a token', async () => {
    for (const region of info.regions) {
      const response = await fetch(`${region.webUrl}/admin/v2/tenants`);
      expect(response.status, region.name).toBe(401);
    }
  });

  it.runIf(info.mode === 'local')('reuses running processes when `up` runs again (no duplicates)', async () => {
    const before = await status();
    const { started } = await up({ log: () => {} });
    expect(started).toEqual([]);
    const after = await status();
    expect(after.regions.map((r) => r.pids)).toEqual(before.regions.map((r) => r.pids));
    const javaCount = execFileSync('pgrep', ['-fc', 'org.apache.pulsar.PulsarStandaloneStarter.*' + info.stateDir]).toString().trim();
    expect(Number(javaCount)).toBe(2);
  });
});
