// The control plane's configuration, parsed once from the environment at start. Everything else
// receives the frozen result and never reads process.env. Regions and the Pulsar credentials come
// from the stack description (platform/regions), which server.ts loads.
import path from 'node:path';
import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every variable the control plane reads, with its meaning. */
export const ConfigEnv = z.object({
  /** Address to listen on. */
  LODESTAR_CP_HOST: z.string().default('127.0.0.1'),
  /** Port to listen on. */
  LODESTAR_CP_PORT: int(0, 65535).default(8480),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LODESTAR_CP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Where state lives: `file` (JSON-lines control log under the state dir), `memory`, or `pulsar`
   * (the control-log topic lodestar/system/control-log, DESIGN.md).
   */
  LODESTAR_CP_STORE: z.enum(['file', 'memory', 'pulsar']).default('pulsar'),
  /** With `pulsar`: the region whose brokers the store reads and writes; default the stack's first region. */
  LODESTAR_CP_STORE_REGION: z.string().min(1).optional(),
  /** State directory (shared with the stack); the control log is <dir>/control-plane/control-log.jsonl. */
  LODESTAR_STATE_DIR: z.string().optional(),
  /** File holding the platform-admin bearer token; default: the stack's superuser token file. */
  LODESTAR_CP_ADMIN_TOKEN_FILE: z.string().optional(),
  /** Largest JSON body for every route but bundle upload (413 above). */
  LODESTAR_CP_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
  /** Largest body for a function bundle upload (the tenant's maxBundleBytes applies too). */
  LODESTAR_CP_BUNDLE_BODY_LIMIT_BYTES: int(1024, 256 * 1024 * 1024).default(8 * 1024 * 1024),
  /** How often the reconciler retries pending regions; 0 disables it. */
  LODESTAR_CP_RECONCILE_INTERVAL_MS: int(0, 3_600_000).default(5000),
  /** Longest wait before the reconciler retries a region that keeps failing (doubling from the interval). */
  LODESTAR_CP_RECONCILE_MAX_BACKOFF_MS: int(0, 86_400_000).default(300_000),
  /** Limit for each call to a region's admin API. */
  LODESTAR_CP_REGION_TIMEOUT_MS: int(100, 300_000).default(10_000),
  /**
   * Limit for one removal attempt in one region (narrowing replication, then deleting), and for each
   * admin request it sends. A forced namespace delete takes seconds on a loaded broker and goes on
   * after its caller gave up; the next attempt then collides with it.
   */
  LODESTAR_CP_REMOVAL_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
});

export interface ControlPlaneConfig {
  host: string;
  port: number;
  logLevel: z.infer<typeof ConfigEnv>['LODESTAR_CP_LOG_LEVEL'];
  store: 'file' | 'memory' | 'pulsar';
  /** Region of the `pulsar` store; undefined = the stack's first region. */
  storeRegion: string | undefined;
  stateDir: string;
  adminTokenFile: string | undefined;
  bodyLimitBytes: number;
  bundleBodyLimitBytes: number;
  reconcileIntervalMs: number;
  reconcileMaxBackoffMs: number;
  regionTimeoutMs: number;
  removalTimeoutMs: number;
  /** prom-client default metrics (process, GC, event loop). */
  defaultMetrics: boolean;
}

export function parseConfig(env: NodeJS.ProcessEnv, defaults: { stateDir: string; adminTokenFile?: string }): Readonly<ControlPlaneConfig> {
  const result = ConfigEnv.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid control plane configuration: ${problems}`);
  }
  const e = result.data;
  return Object.freeze({
    host: e.LODESTAR_CP_HOST,
    port: e.LODESTAR_CP_PORT,
    logLevel: e.LODESTAR_CP_LOG_LEVEL,
    store: e.LODESTAR_CP_STORE,
    storeRegion: e.LODESTAR_CP_STORE_REGION,
    stateDir: path.resolve(e.LODESTAR_STATE_DIR ?? defaults.stateDir),
    adminTokenFile: e.LODESTAR_CP_ADMIN_TOKEN_FILE ?? defaults.adminTokenFile,
    bodyLimitBytes: e.LODESTAR_CP_BODY_LIMIT_BYTES,
    bundleBodyLimitBytes: e.LODESTAR_CP_BUNDLE_BODY_LIMIT_BYTES,
    reconcileIntervalMs: e.LODESTAR_CP_RECONCILE_INTERVAL_MS,
    reconcileMaxBackoffMs: e.LODESTAR_CP_RECONCILE_MAX_BACKOFF_MS,
    regionTimeoutMs: e.LODESTAR_CP_REGION_TIMEOUT_MS,
    removalTimeoutMs: e.LODESTAR_CP_REMOVAL_TIMEOUT_MS,
    defaultMetrics: true,
  });
}

/** For tests: production defaults with overrides. */
export function testConfig(overrides: Partial<ControlPlaneConfig> = {}): Readonly<ControlPlaneConfig> {
  return Object.freeze({ ...parseConfig({ LODESTAR_CP_STORE: 'memory', LODESTAR_CP_RECONCILE_INTERVAL_MS: '0' }, { stateDir: '.lodestar' }), defaultMetrics: false, ...overrides });
}
