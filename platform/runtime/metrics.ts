// The worker's Prometheus metrics (STYLE.md: lodestar_<area>_<what>_<unit>, tenant and pipeline
// labels, bounded label values only). One registry per worker, served on /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface PipelineLabels { tenant: string; pipeline: string }

export class RuntimeMetrics {
  readonly registry = new Registry();
  #events = new Counter({ name: 'lodestar_runtime_events_total', help: 'Input events in committed batches', labelNames: ['tenant', 'pipeline'], registers: [this.registry] });
  #batches = new Counter({ name: 'lodestar_runtime_batches_total', help: 'Batches by result (committed, aborted)', labelNames: ['tenant', 'pipeline', 'result'], registers: [this.registry] });
  #batchSeconds = new Histogram({
    name: 'lodestar_runtime_batch_duration_seconds', help: 'From receiving a batch to its commit', labelNames: ['tenant', 'pipeline'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  #deadLetters = new Counter({ name: 'lodestar_runtime_dead_letters_total', help: 'Events dead-lettered in committed batches', labelNames: ['tenant', 'pipeline', 'reason'], registers: [this.registry] });
  #owned = new Gauge({ name: 'lodestar_runtime_partitions_owned', help: 'Input partitions this worker processes now', labelNames: ['tenant', 'pipeline'], registers: [this.registry] });
  #restores = new Counter({ name: 'lodestar_runtime_restores_total', help: 'Partition state restores', labelNames: ['tenant', 'pipeline'], registers: [this.registry] });
  #replayed = new Counter({ name: 'lodestar_runtime_changelog_replayed_total', help: 'Changelog records applied by restores and re-syncs', labelNames: ['tenant', 'pipeline'], registers: [this.registry] });
  #fromRedis = new Counter({ name: 'lodestar_runtime_restored_from_redis_keys_total', help: 'Keys restores took from the Redis view', labelNames: ['tenant', 'pipeline'], registers: [this.registry] });
  #redisFailures = new Counter({ name: 'lodestar_runtime_redis_write_failures_total', help: 'Failed writes of the Redis view', labelNames: ['tenant', 'pipeline'], registers: [this.registry] });
  #sandboxFailures = new Counter({ name: 'lodestar_runtime_sandbox_failures_total', help: 'Processor failures (SandboxError) by code', labelNames: ['tenant', 'pipeline', 'code'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lodestar_worker_' });
  }

  committed(l: PipelineLabels, events: number, seconds: number, deadLetters: Map<string, number>): void {
    this.#events.inc(l, events);
    this.#batches.inc({ ...l, result: 'committed' });
    this.#batchSeconds.observe(l, seconds);
    for (const [reason, n] of deadLetters) this.#deadLetters.inc({ ...l, reason }, n);
  }

  aborted(l: PipelineLabels): void {
    this.#batches.inc({ ...l, result: 'aborted' });
  }

  owned(l: PipelineLabels, delta: 1 | -1): void {
    this.#owned.inc(l, delta);
  }

  restored(l: PipelineLabels, fromRedis: number, replayed: number): void {
    this.#restores.inc(l);
    this.#fromRedis.inc(l, fromRedis);
    this.#replayed.inc(l, replayed);
  }

  resynced(l: PipelineLabels, replayed: number): void {
    this.#replayed.inc(l, replayed);
  }

  redisWriteFailed(l: PipelineLabels): void {
    this.#redisFailures.inc(l);
  }

  sandboxFailed(l: PipelineLabels, code: string): void {
    this.#sandboxFailures.inc({ ...l, code });
  }
}
