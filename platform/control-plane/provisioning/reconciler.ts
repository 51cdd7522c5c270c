// Converges Pulsar in every region towards the specs. A resource write records the plan and its
// version in a status record with every region pending, then tries each region; what fails stays
// pending (or failed, when Pulsar refused it) and the reconciler tries again every interval until
// all regions hold that version. Plans live in the status record so a deleted resource can still
// be removed from a region that was down when it was deleted.
import type { FastifyBaseLogger } from 'fastify';
import type { ControlPlaneMetrics } from '../metrics.ts';
import type { PipelinePlan, TenantPlan } from './plan.ts';
import type { Provisioner } from './provisioner.ts';
import type { ControlStore } from '../store/index.ts';
import type { StatusPlan, StatusRecord } from '../services/records.ts';
import { keys, now } from '../services/records.ts';

export interface ProvisioningOptions {
  store: ControlStore;
  provisioner: Provisioner;
  metrics: ControlPlaneMetrics;
  log: FastifyBaseLogger;
  /** Per region and attempt. */
  timeoutMs: number;
  /** The reconciler's longest wait before retrying a region that keeps failing. Default 5 minutes. */
  maxBackoffMs?: number;
}

const statusId = (target: StatusPlan): string =>
  target.kind === 'tenant' ? keys.status('tenant', target.plan.tenant) : keys.status('pipeline', `${target.plan.tenant}/${target.plan.pipeline}`);

/**
 * Runs `work` with a signal that aborts after `ms` (so the provisioner makes no further admin
 * calls for an attempt that has been given up) and rejects at that moment even if `work` ignores
 * the signal.
 */
function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`timed out after ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/**
 * How long the reconciler leaves a region alone after `attempts` failed tries: the interval,
 * doubled per further failure, capped, so a region that is down for hours is not hammered.
 */
export function retryDelayMs(attempts: number, intervalMs: number, maxMs: number): number {
  if (attempts <= 1) return 0;
  return Math.min(maxMs, intervalMs * 2 ** Math.min(attempts - 1, 20));
}

export class ProvisioningService {
  readonly #o: ProvisioningOptions;
  readonly #locks = new Map<string, Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #intervalMs = 0;

  constructor(options: ProvisioningOptions) {
    this.#o = options;
  }

  /** Serializes work on one status key in this process (request path and reconciler). */
  #locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.#locks.set(key, tail);
    void tail.then(() => {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    });
    return result;
  }

  /** `work` limited and cancelled like a provisioning attempt in one region. */
  withRegionTimeout<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withTimeout(work, this.#o.timeoutMs);
  }

  status(kind: 'tenant' | 'pipeline', id: string): StatusRecord | undefined {
    return this.#o.store.get<StatusRecord>(keys.status(kind, id))?.value;
  }

  /** Records the desired state for `resourceVersion` and tries every region now. */
  async desire(target: StatusPlan, desired: 'present' | 'absent', resourceVersion: number, regions: readonly string[]): Promise<StatusRecord | undefined> {
    const key = statusId(target);
    return this.#locked(key, async () => {
      const current = this.#o.store.get<StatusRecord>(key);
      const at = now();
      const record = {
        ...target,
        desired,
        resourceVersion,
        regions: Object.fromEntries(regions.map((r) => [r, { state: 'pending' as const, appliedVersion: current?.value.regions[r]?.appliedVersion ?? 0, attempts: 0, updatedAt: at }])),
      } as StatusRecord;
      await this.#o.store.put(key, record, current?.version ?? 0);
      return this.#converge(key);
    });
  }

  /**
   * Tries the regions of one status record that are not yet done; returns what remains
   * (undefined: removed everywhere). The reconciler passes `backoff`: a region that failed
   * recently waits out its retry delay.
   */
  async #converge(key: string, backoff = false): Promise<StatusRecord | undefined> {
    const stored = this.#o.store.get<StatusRecord>(key);
    if (!stored) return undefined;
    const status = structuredClone(stored.value);
    const due = (r: StatusRecord['regions'][string]): boolean =>
      !backoff || Date.now() - Date.parse(r.updatedAt) >= retryDelayMs(r.attempts, this.#intervalMs, this.#o.maxBackoffMs ?? 300_000);
    const todo = Object.entries(status.regions).filter(([, r]) => !(r.state === 'ready' && r.appliedVersion === status.resourceVersion) && due(r));
    if (todo.length === 0) return status;
    await Promise.all(todo.map(async ([region, state]) => {
      const operation = status.desired === 'present' ? 'apply' : 'remove';
      try {
        await withTimeout((signal) => this.#apply(region, status, signal), this.#o.timeoutMs);
        status.regions[region] = { state: 'ready', appliedVersion: status.resourceVersion, attempts: state.attempts + 1, updatedAt: now() };
        this.#o.metrics.provisioning.inc({ resource: status.kind, operation, region, outcome: 'ready' });
      } catch (error) {
        // Pulsar saying no (4xx, PulsarAdminError.retriable false) is `failed`; anything else
        // (unreachable, timeout, 5xx) is `pending`. Both are retried by the reconciler.
        const failed = (error as { retriable?: unknown }).retriable === false;
        const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
        status.regions[region] = { state: failed ? 'failed' : 'pending', appliedVersion: state.appliedVersion, error: message, attempts: state.attempts + 1, updatedAt: now() };
        this.#o.metrics.provisioning.inc({ resource: status.kind, operation, region, outcome: failed ? 'failed' : 'pending' });
        this.#o.log.warn({ region, resource: key, operation, err: message }, 'provisioning did not complete; will retry');
      }
    }));
    const done = Object.values(status.regions).every((r) => r.state === 'ready' && r.appliedVersion === status.resourceVersion);
    if (status.desired === 'absent' && done) {
      await this.#o.store.delete(key, stored.version);
      return undefined;
    }
    await this.#o.store.put(key, status, stored.version);
    return status;
  }

  #apply(region: string, status: StatusRecord, signal: AbortSignal): Promise<void> {
    const p = this.#o.provisioner;
    const call = { signal };
    if (status.kind === 'tenant') return status.desired === 'present' ? p.applyTenant(region, status.plan as TenantPlan, call) : p.removeTenant(region, status.plan as TenantPlan, call);
    return status.desired === 'present' ? p.applyPipeline(region, status.plan as PipelinePlan, call) : p.removePipeline(region, status.plan as PipelinePlan, call);
  }

  /**
   * One pass over every unfinished status: tenants to create first, then pipelines, then tenants
   * to remove (a pipeline needs its tenant; a tenant goes after its pipelines).
   */
  async reconcileOnce(): Promise<void> {
    const order = (s: StatusRecord): number => (s.kind === 'tenant' ? (s.desired === 'present' ? 0 : 2) : 1);
    const pending = this.#o.store
      .list<StatusRecord>(keys.statuses())
      .filter((r) => Object.values(r.value.regions).some((x) => !(x.state === 'ready' && x.appliedVersion === r.value.resourceVersion)))
      .sort((a, b) => order(a.value) - order(b.value));
    for (const record of pending) {
      try {
        await this.#locked(record.key, () => this.#converge(record.key, true));
      } catch (error) {
        this.#o.log.error({ err: error, resource: record.key }, 'reconcile pass failed');
      }
    }
  }

  start(intervalMs: number): void {
    this.#intervalMs = intervalMs;
    const tick = (): void => {
      this.#running = this.reconcileOnce().finally(() => {
        if (this.#timer) this.#timer = setTimeout(tick, intervalMs);
      });
    };
    this.#timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    const timer = this.#timer;
    this.#timer = undefined;
    clearTimeout(timer);
    await this.#running;
    await Promise.all([...this.#locks.values()]);
  }
}
