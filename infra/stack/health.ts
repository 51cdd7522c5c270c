// What "healthy" means for a region: our processes are alive, the broker reports itself started,
// its transaction coordinator answers, and Redis answers PING.
import type { RegionLayout } from './regions.ts';
import { webUrl } from './regions.ts';
import { livePid } from './processes.ts';
import { pingRedis } from './redis.ts';

export const PULSAR_MARKER = 'org.apache.pulsar.PulsarStandaloneStarter';
export const REDIS_MARKER = 'redis-server';

export interface RegionHealth {
  pulsarPid?: number;
  redisPid?: number;
  brokerReady: boolean;
  transactionsReady: boolean;
  redisReady: boolean;
  healthy: boolean;
}

async function get(url: string, token: string, timeoutMs = 3_000): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

export async function brokerReady(region: RegionLayout, token: string): Promise<boolean> {
  const response = await get(`${webUrl(region)}/admin/v2/brokers/ready`, token);
  return response?.status === 200 && response.body.trim() === 'ok';
}

/** The coordinator counts as ready once every coordinator partition reports state Ready. */
export async function transactionsReady(region: RegionLayout, token: string): Promise<boolean> {
  const response = await get(`${webUrl(region)}/admin/v3/transactions/coordinatorStats`, token);
  if (response?.status !== 200) return false;
  try {
    const stats = JSON.parse(response.body) as Record<string, { state?: string }>;
    const coordinators = Object.values(stats);
    return coordinators.length > 0 && coordinators.every((c) => c.state === 'Ready');
  } catch {
    return false;
  }
}

export async function regionHealth(region: RegionLayout, token: string): Promise<RegionHealth> {
  const pulsarPid = livePid(region.pulsarPidFile, PULSAR_MARKER);
  const redisPid = livePid(region.redisPidFile, REDIS_MARKER);
  const [ready, txn, redis] = await Promise.all([
    pulsarPid !== undefined ? brokerReady(region, token) : false,
    pulsarPid !== undefined ? transactionsReady(region, token) : false,
    redisPid !== undefined ? pingRedis(region.redisPort) : false,
  ]);
  return {
    pulsarPid,
    redisPid,
    brokerReady: ready,
    transactionsReady: txn,
    redisReady: redis,
    healthy: ready && txn && redis,
  };
}
