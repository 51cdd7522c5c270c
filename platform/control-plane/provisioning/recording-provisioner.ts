// A Provisioner for unit tests: records every call, keeps what each region "holds", and can take
// a region down. Never used against a real stack (integration tests use the Pulsar one).
import type { PipelinePlan, TenantPlan } from './plan.ts';
import type { Provisioner, RegionCallOptions, RegionHealth, ReplicationLinkStatus } from './provisioner.ts';

export interface RecordedCall {
  method: 'applyTenant' | 'removeTenant' | 'applyPipeline' | 'removePipeline';
  region: string;
  name: string;
}

export class RecordingProvisioner implements Provisioner {
  readonly regions: readonly string[];
  readonly calls: RecordedCall[] = [];
  readonly down = new Set<string>();
  /** Regions whose calls never answer: they wait for their signal, and land in `aborted`. */
  readonly hanging = new Set<string>();
  readonly aborted: RecordedCall[] = [];
  /** Regions whose calls take this long (ms, on the timers, fake or real) before they do their work. */
  readonly delays = new Map<string, number>();
  /** Pulsar tenants that exist in every region without Lodestar having made them. */
  readonly foreignTenants = new Set<string>();
  /** region → tenant → plan */
  readonly tenants = new Map<string, Map<string, TenantPlan>>();
  /** region → `tenant/pipeline` → plan */
  readonly pipelines = new Map<string, Map<string, PipelinePlan>>();

  constructor(regions: readonly string[] = ['east', 'west']) {
    this.regions = regions;
    for (const region of regions) {
      this.tenants.set(region, new Map());
      this.pipelines.set(region, new Map());
    }
  }

  async #reach(region: string, method: RecordedCall['method'], name: string, options: RegionCallOptions = {}): Promise<void> {
    const call = { method, region, name };
    this.calls.push(call);
    if (this.down.has(region)) throw new Error(`region ${region} is unreachable`);
    const delay = this.delays.get(region);
    if (this.hanging.has(region) || delay !== undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = delay === undefined ? undefined : setTimeout(resolve, delay);
        options.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          this.aborted.push(call);
          reject(options.signal!.reason);
        }, { once: true });
      });
    }
  }

  async applyTenant(region: string, plan: TenantPlan, options?: RegionCallOptions): Promise<void> {
    await this.#reach(region, 'applyTenant', plan.tenant, options);
    this.tenants.get(region)!.set(plan.tenant, plan);
  }

  async removeTenant(region: string, plan: TenantPlan, options?: RegionCallOptions): Promise<void> {
    await this.#reach(region, 'removeTenant', plan.tenant, options);
    this.tenants.get(region)!.delete(plan.tenant);
  }

  async applyPipeline(region: string, plan: PipelinePlan, options?: RegionCallOptions): Promise<void> {
    await this.#reach(region, 'applyPipeline', `${plan.tenant}/${plan.pipeline}`, options);
    if (!this.tenants.get(region)!.has(plan.tenant)) throw new Error(`tenant ${plan.tenant} does not exist in ${region}`);
    this.pipelines.get(region)!.set(`${plan.tenant}/${plan.pipeline}`, plan);
  }

  async removePipeline(region: string, plan: PipelinePlan, options?: RegionCallOptions): Promise<void> {
    await this.#reach(region, 'removePipeline', `${plan.tenant}/${plan.pipeline}`, options);
    this.pipelines.get(region)!.delete(`${plan.tenant}/${plan.pipeline}`);
  }

  async tenantExists(region: string, tenant: string): Promise<boolean> {
    if (this.down.has(region)) throw new Error(`region ${region} is unreachable`);
    return this.tenants.get(region)!.has(tenant) || this.foreignTenants.has(tenant);
  }

  async health(region: string): Promise<RegionHealth> {
    return this.down.has(region) ? { healthy: false, error: 'unreachable' } : { healthy: true };
  }

  async replication(region: string, topics: readonly string[]): Promise<ReplicationLinkStatus[]> {
    if (this.down.has(region)) throw new Error(`region ${region} is unreachable`);
    return topics.flatMap((topic) => this.regions.filter((r) => r !== region).map((to) => ({ topic, from: region, to, connected: !this.down.has(to), backlog: 0 })));
  }

  mintToken(role: string): string {
    return `fake-token-for-${role}`;
  }
}
