// Converges Pulsar in every region towards the specs. A resource write records the plan and its
// version in a status record with every region pending, then tries each region; what fails stays
// pending (or failed, when Pulsar refused it) and the reconciler tries again every interval until
// all regions hold that version. Plans live in the status record so a deleted resource can still
// be removed from a region that was down when it was deleted. A status record is dropped only when
// every region reported the removal done, and the provisioner reports it done only once Pulsar
// no longer lists the resource: a removal that is not finished stays here until it is.
import type { FastifyBaseLogger } from 'fastify';
import type { ControlPlaneMetrics } from '../metrics.ts';
import type { PipelinePlan, TenantPlan } from './plan.ts';
import type { Provisioner, RegionCallOptions } from './provisioner.ts';
import type { ControlStore } from '../store/index.ts';
import type { PendingRemoval } from '../schemas/index.ts';
import type { StatusPlan, StatusRecord } from '../services/records.ts';
import { keys, now } from '../services/records.ts';

export interface ProvisioningOptions {
  store: ControlStore;
  provisioner: Provisioner;
  metrics: ControlPlaneMetrics;
  log: FastifyBaseLogger;
  /** Per region and attempt to apply; also how long a request waits for a removal. */
  timeoutMs: number;
  /** Per region and attempt to remove, and per admin request of it. Default 120 s. */
  removalTimeoutMs?: number;
  /** The reconciler's longest wait before retrying a region that keeps failing. Default 5 minutes. */
  maxBackoffMs?: number;
}

const statusId = (target: StatusPlan): string =>
  target.kind === 'tenant' ? keys.status('tenant', target.plan.tenant) : keys.status('pipeline', `${target.plan.tenant}/${target.plan.pipeline}`);

/**
 * Runs `work` with a signal that aborts after `ms` or when `stop` fires (so the provisioner makes
 * no further admin calls for an attempt that has been given up) and rejects at that moment even if
 * `work` ignores the signal.
 */
function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, stop?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const give = (error: Error): void => {
      controller.abort(error);
      reject(error);
    };
    timer = setTimeout(() => give(new Error(`timed out after ${ms} ms`)), ms);
    onStop = () => give(new Error('the control plane is stopping'));
    if (stop?.aborted) onStop();
    else stop?.addEventListener('abort', onStop, { once: true });
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => {
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener('abort', onStop);
  });
}

/** `work`'s outcome if it settles within `ms`, else undefined (work goes on). */
async function settledWithin<T>(work: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([work.then((value) => ({ value })), later]);
  } finally {
    clearTimeout(timer);
  }
}

const DEFAULT_REMOVAL_TIMEOUT_MS = 120_000;
/** Status records the reconciler works on at once (per kind of step). */
const RECONCILE_CONCURRENCY = 4;

const done = (status: StatusRecord, region: string): boolean => {
  const r = status.regions[region];
  return r !== undefined && r.state === 'ready' && r.appliedVersion === status.resourceVersion;
};

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
  /** Aborted by stop(): attempts still running give up. */
  readonly #stopping = new AbortController();

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

  /**
   * Records the desired state for `resourceVersion` and tries every region now. An apply is
   * awaited (each region limited to the region timeout). A removal is awaited only that long too:
   * it may need far longer under load (removalTimeoutMs), so it goes on under the record's lock
   * and the caller gets the status as it stands; the outcome is recorded when it settles.
   */
  async desire(target: StatusPlan, desired: 'present' | 'absent', resourceVersion: number, regions: readonly string[]): Promise<StatusRecord | undefined> {
    const key = statusId(target);
    let recorded: () => void = () => undefined;
    const written = new Promise<void>((resolve) => (recorded = resolve));
    const work = this.#locked(key, async () => {
      const current = this.#o.store.get<StatusRecord>(key);
      const at = now();
      const record = {
        ...target,
        desired,
        resourceVersion,
        regions: Object.fromEntries(regions.map((r) => [r, { state: 'pending' as const, appliedVersion: current?.value.regions[r]?.appliedVersion ?? 0, attempts: 0, updatedAt: at }])),
      } as StatusRecord;
      await this.#o.store.put(key, record, current?.version ?? 0);
      recorded();
      return this.#converge(key);
    });
    if (desired === 'present') return work;
    work.catch((error: unknown) => this.#o.log.error({ err: error, resource: key }, 'removal failed'));
    await Promise.race([written, work]);
    const settled = await settledWithin(work, this.#o.timeoutMs);
    return settled ? settled.value : this.#o.store.get<StatusRecord>(key)?.value;
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
    const due = (r: StatusRecord['regions'][string]): boolean => !backoff || Date.now() >= this.#nextAttemptAt(r);
    const todo = Object.entries(status.regions).filter(([region, r]) => !done(status, region) && due(r) && !this.#waitsForPipelines(status, region));
    if (todo.length === 0) return status;
    const removing = status.desired === 'absent';
    const limitMs = removing ? (this.#o.removalTimeoutMs ?? DEFAULT_REMOVAL_TIMEOUT_MS) : this.#o.timeoutMs;
    // Each region's outcome is stored when it comes, so the API shows one region done while
    // another is still at work; the record goes once the last region of a removal is done.
    let version = stored.version;
    let removed = false;
    let writes: Promise<void> = Promise.resolve();
    const record = (): Promise<void> => (writes = writes.then(async () => {
      if (removed) return;
      if (removing && Object.keys(status.regions).every((region) => done(status, region))) {
        await this.#o.store.delete(key, version);
        removed = true;
      } else {
        version = (await this.#o.store.put(key, structuredClone(status), version)).version;
      }
    }));
    await Promise.all(todo.map(async ([region, state]) => {
      const operation = removing ? 'remove' : 'apply';
      try {
        await withTimeout((signal) => this.#apply(region, status, { signal, ...(removing ? { timeoutMs: limitMs } : {}) }), limitMs, this.#stopping.signal);
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
      await record();
    }));
    return removed ? undefined : status;
  }

  /** When the reconciler may next try a region that is not done (its last try, plus the backoff). */
  #nextAttemptAt(r: StatusRecord['regions'][string]): number {
    return Date.parse(r.updatedAt) + retryDelayMs(r.attempts, this.#intervalMs, this.#o.maxBackoffMs ?? 300_000);
  }

  /**
   * A tenant is removed from a region after its pipelines: a forced tenant delete that runs while
   * a pipeline's namespace is still being deleted there collides with it (fenced topics, a 404
   * for the vanishing namespace) and leaves the tenant for the next try.
   */
  #waitsForPipelines(status: StatusRecord, region: string): boolean {
    if (status.kind !== 'tenant' || status.desired !== 'absent') return false;
    return this.#o.store
      .list<StatusRecord>(keys.status('pipeline', `${status.plan.tenant}/`))
      .some((p) => p.value.desired === 'absent' && p.value.regions[region] !== undefined && !done(p.value, region));
  }

  #apply(region: string, status: StatusRecord, call: RegionCallOptions): Promise<void> {
    const p = this.#o.provisioner;
    if (status.kind === 'tenant') return status.desired === 'present' ? p.applyTenant(region, status.plan as TenantPlan, call) : p.removeTenant(region, status.plan as TenantPlan, call);
    return status.desired === 'present' ? p.applyPipeline(region, status.plan as PipelinePlan, call) : p.removePipeline(region, status.plan as PipelinePlan, call);
  }

  /**
   * One pass over every unfinished status: tenants to create first, then pipelines, then tenants
   * to remove (a pipeline needs its tenant; a tenant goes after its pipelines). Within a step, a
   * few records at a time; a record whose attempt is still running (a removal the request started)
   * is left to it.
   */
  async reconcileOnce(): Promise<void> {
    const step = (s: StatusRecord): number => (s.kind === 'tenant' ? (s.desired === 'present' ? 0 : 2) : 1);
    const pending = this.#o.store
      .list<StatusRecord>(keys.statuses())
      .filter((r) => Object.keys(r.value.regions).some((region) => !done(r.value, region)));
    for (const order of [0, 1, 2]) {
      const queue = pending.filter((r) => step(r.value) === order).map((r) => r.key);
      const worker = async (): Promise<void> => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
          if (this.#locks.has(key) || this.#stopping.signal.aborted) continue;
          try {
            await this.#locked(key, () => this.#converge(key, true));
          } catch (error) {
            this.#o.log.error({ err: error, resource: key }, 'reconcile pass failed');
          }
        }
      };
      await Promise.all(Array.from({ length: RECONCILE_CONCURRENCY }, worker));
    }
  }

  /** Deleted resources not yet removed from every region, and where each region stands. */
  removals(): PendingRemoval[] {
    return this.#o.store
      .list<StatusRecord>(keys.statuses())
      .filter((r) => r.value.desired === 'absent')
      .map(({ key, value }) => {
        const inProgress = this.#locks.has(key);
        return {
          kind: value.kind,
          tenant: value.plan.tenant,
          ...(value.kind === 'pipeline' ? { pipeline: value.plan.pipeline } : {}),
          inProgress,
          regions: Object.fromEntries(Object.entries(value.regions).map(([region, r]) => {
            const waiting = !done(value, region) && this.#waitsForPipelines(value, region);
            const next = done(value, region) || waiting || inProgress || this.#intervalMs === 0 ? {} : { nextAttemptAt: new Date(this.#nextAttemptAt(r)).toISOString() };
            return [region, { ...r, ...next, ...(waiting ? { waitingForPipelines: true } : {}) }];
          })),
        };
      });
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
    this.#stopping.abort();
    await this.#running;
    await Promise.all([...this.#locks.values()]);
  }
}
