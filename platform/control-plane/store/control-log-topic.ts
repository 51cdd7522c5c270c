// Provisions the control log's home in every region: the Pulsar tenant (allowed in every region)
// and a namespace replicated to every region with infinite retention (the log is the state: it
// must never age out) and a compaction threshold, so the broker keeps compacting it and a starting
// instance reads about one record per key (DESIGN.md "Control plane").
import { PulsarAdmin } from '../../pulsar-admin/index.ts';

export const CONTROL_LOG_NAMESPACE = 'lodestar/system';
export const CONTROL_LOG_TOPIC = `persistent://${CONTROL_LOG_NAMESPACE}/control-log`;

export interface ControlLogRegion {
  name: string;
  webUrl: string;
}

export interface EnsureControlLogOptions {
  regions: ControlLogRegion[];
  /** A superuser token (creating tenants needs one). */
  token: string | (() => string);
  /** `tenant/namespace`; default lodestar/system. */
  namespace?: string;
  /** Backlog size past which the broker compacts the topic; default 1 MiB. */
  compactionThresholdBytes?: number;
  timeoutMs?: number;
}

/**
 * Idempotent: a second run sends no writes. A region that fails is reported, not thrown, so an
 * instance can start while a region is down (the namespace is already there from earlier runs).
 */
export async function ensureControlLogNamespace(options: EnsureControlLogOptions): Promise<{ failed: Record<string, string> }> {
  const namespace = options.namespace ?? CONTROL_LOG_NAMESPACE;
  const [tenant] = namespace.split('/') as [string];
  const clusters = options.regions.map((r) => r.name);
  const token = typeof options.token === 'function' ? options.token : () => options.token as string;
  const threshold = options.compactionThresholdBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const failed: Record<string, string> = {};
  // Tenants and namespace policies live in each region's own metadata store: provision all.
  for (const region of options.regions) {
    try {
      const admin = new PulsarAdmin({ webUrl: region.webUrl, tokenProvider: token, timeoutMs });
      await admin.tenants.ensure(tenant, { adminRoles: [], allowedClusters: clusters });
      await admin.namespaces.ensure(namespace, {
        replicationClusters: clusters,
        retention: { retentionTimeInMinutes: -1, retentionSizeInMB: -1 },
      });
      await ensureCompactionThreshold(region.webUrl, namespace, threshold, token(), timeoutMs);
    } catch (error) {
      failed[region.name] = error instanceof Error ? error.message : String(error);
    }
  }
  return { failed };
}

// platform/pulsar-admin has no compactionThreshold call yet, so this one path goes straight to
// the REST API (admin/v2/Namespaces.java: GET/PUT /namespaces/{tenant}/{ns}/compactionThreshold).
async function ensureCompactionThreshold(webUrl: string, namespace: string, bytes: number, token: string, timeoutMs: number): Promise<void> {
  const url = `${webUrl.replace(/\/$/, '')}/admin/v2/namespaces/${namespace}/compactionThreshold`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const current = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (current.ok) {
    const text = await current.text();
    if (text !== '' && Number(text) === bytes) return;
  } else if (current.status !== 404 && current.status !== 204) {
    throw new Error(`GET ${url}: ${current.status} ${await current.text()}`);
  }
  const set = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(bytes), signal: AbortSignal.timeout(timeoutMs) });
  if (!set.ok) throw new Error(`PUT ${url}: ${set.status} ${await set.text()}`);
}
