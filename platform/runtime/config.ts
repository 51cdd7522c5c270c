// The worker's configuration: one zod schema over the environment, parsed once at start
// (STYLE.md); command-line flags override their variables. The rest of the code gets the frozen
// result and never reads process.env.
import os from 'node:os';
import { z } from 'zod';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';

const int = (min: number) => z.coerce.number().int().min(min);

export const WorkerEnv = z.object({
  LODESTAR_WORKER_REGION: z.string().min(1).describe('the region this worker runs in (--region)'),
  LODESTAR_WORKER_PIPELINES_FILE: z.string().min(1).describe('JSON list of pipelines to run (--pipelines)'),
  LODESTAR_WORKER_PROCESSORS_MODULE: z.string().min(1).optional().describe('module whose default export makes BatchProcessors (--processors); default: each function\'s bundle in a sandbox'),
  LODESTAR_WORKER_BROKER_URL: z.string().optional().describe('default: the region in the stack file'),
  LODESTAR_WORKER_REDIS_URL: z.string().optional().describe('default: the region in the stack file'),
  LODESTAR_WORKER_TOKEN_FILE: z.string().optional().describe('Pulsar token; default: the stack file\'s superuser token'),
  LODESTAR_STATE_DIR: z.string().default('.lodestar').describe('where the local stack file (stack.json) is'),
  LODESTAR_WORKER_ID: z.string().min(1).default(`${os.hostname()}-${process.pid}`).describe('consumer name: Failover assigns partitions by it'),
  LODESTAR_WORKER_HOST: z.string().default('127.0.0.1'),
  LODESTAR_WORKER_PORT: int(0).max(65_535).default(8490).describe('/health and /metrics'),
  LODESTAR_WORKER_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LODESTAR_WORKER_BATCH_MAX_MESSAGES: int(1).default(500),
  LODESTAR_WORKER_BATCH_MAX_WAIT_MS: int(1).default(20),
  LODESTAR_WORKER_TXN_TIMEOUT_MS: int(1_000).default(30_000).describe('a dead worker\'s open transaction is aborted after this'),
  LODESTAR_WORKER_GRACE_MS: int(0).default(20_000).describe('SIGTERM: drain for this long, then force'),
  LODESTAR_WORKER_REDIS_TIMEOUT_MS: int(100).default(2_000),
  LODESTAR_WORKER_REPLAY_IDLE_TIMEOUT_MS: int(1_000).default(30_000),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

export interface WorkerConfig {
  region: string;
  pipelinesFile: string;
  /** Unset: the functions run in sandboxes (SandboxProcessors). */
  processorsModule?: string;
  brokerUrl?: string;
  redisUrl?: string;
  tokenFile?: string;
  stateDir: string;
  workerId: string;
  host: string;
  port: number;
  logLevel: WorkerEnv['LODESTAR_WORKER_LOG_LEVEL'];
  graceMs: number;
  loop: {
    batchMaxMessages: number; batchMaxWaitMs: number; txnTimeoutMs: number; redisTimeoutMs: number;
    replayIdleTimeoutMs: number; backoffMaxMs: number;
  };
}

const FLAGS: Record<string, keyof WorkerEnv> = {
  '--region': 'LODESTAR_WORKER_REGION',
  '--pipelines': 'LODESTAR_WORKER_PIPELINES_FILE',
  '--processors': 'LODESTAR_WORKER_PROCESSORS_MODULE',
  '--port': 'LODESTAR_WORKER_PORT',
  '--id': 'LODESTAR_WORKER_ID',
};

export function parseWorkerConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): Readonly<WorkerConfig> {
  const merged: Record<string, string | undefined> = { ...env };
  for (let i = 0; i < argv.length; i++) {
    const name = FLAGS[argv[i]!];
    if (!name || argv[i + 1] === undefined) throw new RuntimeError(RuntimeErrorCode.InvalidConfig, `unknown flag or missing value: ${argv[i]} (flags: ${Object.keys(FLAGS).join(', ')})`);
    merged[name] = argv[++i];
  }
  const parsed = WorkerEnv.safeParse(merged);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RuntimeError(RuntimeErrorCode.InvalidConfig, `worker configuration: ${detail}`, { cause: parsed.error });
  }
  const e = parsed.data;
  return Object.freeze({
    region: e.LODESTAR_WORKER_REGION,
    pipelinesFile: e.LODESTAR_WORKER_PIPELINES_FILE,
    processorsModule: e.LODESTAR_WORKER_PROCESSORS_MODULE,
    brokerUrl: e.LODESTAR_WORKER_BROKER_URL,
    redisUrl: e.LODESTAR_WORKER_REDIS_URL,
    tokenFile: e.LODESTAR_WORKER_TOKEN_FILE,
    stateDir: e.LODESTAR_STATE_DIR,
    workerId: e.LODESTAR_WORKER_ID,
    host: e.LODESTAR_WORKER_HOST,
    port: e.LODESTAR_WORKER_PORT,
    logLevel: e.LODESTAR_WORKER_LOG_LEVEL,
    graceMs: e.LODESTAR_WORKER_GRACE_MS,
    loop: Object.freeze({
      batchMaxMessages: e.LODESTAR_WORKER_BATCH_MAX_MESSAGES,
      batchMaxWaitMs: e.LODESTAR_WORKER_BATCH_MAX_WAIT_MS,
      txnTimeoutMs: e.LODESTAR_WORKER_TXN_TIMEOUT_MS,
      redisTimeoutMs: e.LODESTAR_WORKER_REDIS_TIMEOUT_MS,
      replayIdleTimeoutMs: e.LODESTAR_WORKER_REPLAY_IDLE_TIMEOUT_MS,
      backoffMaxMs: 5_000,
    }),
  });
}
