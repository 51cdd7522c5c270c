// A worker process's body: one Pulsar client and one Redis connection for the region, a
// PipelineRunner per pipeline active in this region, and its HTTP port. Lifecycle (STYLE.md,
// Temporal's worker): starting → running → draining → stopped, or failed when start fails.
// stop() drains: every loop finishes or aborts the batch in hand and closes its consumer; after
// the grace period the connections are closed under whatever is left (its open transactions are
// aborted by the coordinator at their TTL).
import type http from 'node:http';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PulsarClient } from '../pulsar/index.ts';
import { boundPort, startHttpServer } from './http-server.ts';
import { RuntimeMetrics } from './metrics.ts';
import type { LoopSettings } from './partition-loop.ts';
import type { RuntimePipeline } from './pipeline.ts';
import { PipelineRunner } from './pipeline-runner.ts';
import type { ProcessorFactory } from './processor.ts';
import type { RegionEndpoints } from './region-endpoints.ts';
import { defineViewScripts } from './state/redis-scripts.ts';

export const WorkerState = { Starting: 'starting', Running: 'running', Draining: 'draining', Stopped: 'stopped', Failed: 'failed' } as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

export interface WorkerOptions {
  workerId: string;
  region: string;
  endpoints: RegionEndpoints;
  pipelines: readonly RuntimePipeline[];
  processors: ProcessorFactory;
  loop: LoopSettings;
  graceMs: number;
  /** Omit for no HTTP port (in-process tests); port 0 picks a free one. */
  http?: { host: string; port: number };
  logger: Logger;
}

export class Worker {
  readonly metrics = new RuntimeMetrics();
  #o: WorkerOptions;
  #state: WorkerState = WorkerState.Starting;
  #client: PulsarClient | undefined;
  #redis: Redis | undefined;
  #runners: PipelineRunner[] = [];
  #server: http.Server | undefined;

  constructor(options: WorkerOptions) {
    this.#o = options;
  }

  get state(): WorkerState {
    return this.#state;
  }

  get runners(): readonly PipelineRunner[] {
    return this.#runners;
  }

  get httpPort(): number | undefined {
    return this.#server ? boundPort(this.#server) : undefined;
  }

  async start(): Promise<void> {
    const o = this.#o;
    const log = o.logger;
    try {
      this.#client = new PulsarClient({ serviceUrl: o.endpoints.brokerUrl, token: o.endpoints.token, operationTimeoutMs: 15_000, logger: log.child({ component: 'pulsar' }) });
      // Fail fast while Redis is down (the view catches up later) instead of queueing writes.
      this.#redis = new Redis(o.endpoints.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
      this.#redis.on('error', (err: Error) => log.debug({ err: err.message }, 'redis connection error'));
      defineViewScripts(this.#redis);
      if (o.http) this.#server = await startHttpServer(o.http.host, o.http.port, () => this.#health(), this.metrics.registry);
      const mine = o.pipelines.filter((p) => p.spec.activeRegion === o.region);
      for (const pipeline of mine) {
        const runner = new PipelineRunner(pipeline, {
          client: this.#client, redis: this.#redis, processors: o.processors, consumerName: o.workerId,
          settings: o.loop, log, metrics: this.metrics,
        });
        this.#runners.push(runner);
        await runner.start();
      }
      this.#state = WorkerState.Running;
      log.info({ pipelines: mine.map((p) => `${p.tenant}/${p.spec.name}`), skipped: o.pipelines.length - mine.length, port: this.httpPort }, 'worker running');
    } catch (err) {
      this.#state = WorkerState.Failed;
      log.error({ err: String(err) }, 'worker failed to start');
      await this.#closeConnections();
      throw err;
    }
  }

  /** Drain within the grace period, then force. */
  async stop(): Promise<void> {
    if (this.#state === WorkerState.Stopped || this.#state === WorkerState.Draining) return;
    const failed = this.#state === WorkerState.Failed;
    this.#state = WorkerState.Draining;
    const log = this.#o.logger;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'forced'>((resolve) => { timer = setTimeout(() => resolve('forced'), this.#o.graceMs); });
    const drained = Promise.allSettled(this.#runners.map((r) => r.stop())).then(() => 'drained' as const);
    const how = await Promise.race([drained, graceOver]);
    clearTimeout(timer);
    if (how === 'forced') log.warn({ graceMs: this.#o.graceMs }, 'drain did not finish within the grace period; closing connections');
    await this.#closeConnections();
    this.#state = failed ? WorkerState.Failed : WorkerState.Stopped;
    log.info({ how }, 'worker stopped');
  }

  async #closeConnections(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    await this.#client?.close().catch(() => undefined);
    this.#redis?.disconnect();
  }

  #health(): { healthy: boolean; body: unknown } {
    return {
      healthy: this.#state === WorkerState.Running,
      body: {
        state: this.#state,
        workerId: this.#o.workerId,
        region: this.#o.region,
        pipelines: this.#runners.map((r) => ({
          tenant: r.pipeline.tenant,
          pipeline: r.pipeline.spec.name,
          partitions: r.loops.map((l) => l.status),
        })),
      },
    };
  }
}
