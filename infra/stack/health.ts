// What "healthy" means for a region: our processes are alive, the broker reports itself started,
// its transaction coordinator answers, and Redis answers PING (infra/CLUSTERS.md §4).
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
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

function admin(region: RegionLayout, token: string): PulsarAdmin {
  return new PulsarAdmin({ webUrl: webUrl(region), token, timeoutMs: 3_000 });
}

/**
 * The broker has started (GET /admin/v2/brokers/ready) and can really write and read: the health
 * check produces and consumes on a heartbeat topic. `ready` alone is not enough after a restart,
 * when the bookie can lag the broker and new ledgers fail with "Not enough non-faulty bookies".
 * Any failure reads as not yet.
 */
export async function brokerReady(region: RegionLayout, token: string): Promise<boolean> {
  const pulsar = admin(region, token);
  try {
    await pulsar.brokers.ready();
    await pulsar.brokers.health();
    return true;
  } catch {
    return false;
  }
}

/** The coordinator counts as ready once every coordinator partition reports state Ready. */
export async function transactionsReady(region: RegionLayout, token: string): Promise<boolean> {
  return admin(region, token).transactions.coordinatorsReady().catch(() => false);
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
