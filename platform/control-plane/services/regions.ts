// Regions as the control plane sees them: health from each region's admin API, and per tenant
// where provisioning stands and how replication of its topics is doing.
import type { Region, ReplicationLink } from '../schemas/index.ts';
import type { Provisioner } from '../provisioning/index.ts';
import type { ProvisioningService } from '../provisioning/index.ts';
import type { PipelineService } from './pipelines.ts';
import type { TenantRecord } from './records.ts';

export class RegionService {
  readonly #provisioner: Provisioner;
  readonly #provisioning: ProvisioningService;
  readonly #pipelines: PipelineService;
  readonly #timeoutMs: number;

  constructor(provisioner: Provisioner, provisioning: ProvisioningService, pipelines: PipelineService, timeoutMs: number) {
    this.#provisioner = provisioner;
    this.#provisioning = provisioning;
    this.#pipelines = pipelines;
    this.#timeoutMs = timeoutMs;
  }

  async #bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), this.#timeoutMs)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  async list(): Promise<Region[]> {
    return Promise.all(this.#provisioner.regions.map(async (name) => {
      const checkedAt = new Date().toISOString();
      try {
        const health = await this.#bounded(this.#provisioner.health(name));
        return { name, healthy: health.healthy, ...(health.error ? { error: health.error } : {}), checkedAt };
      } catch (error) {
        return { name, healthy: false, error: error instanceof Error ? error.message : 'unreachable', checkedAt };
      }
    }));
  }

  async replication(tenant: TenantRecord) {
    const pipelines = this.#pipelines.list(tenant.id);
    const topics = pipelines.flatMap((p) => this.#provisioning.status('pipeline', `${tenant.id}/${p.name}`)?.plan).flatMap((plan) => (plan && 'topics' in plan ? plan.topics.map((t) => t.name) : []));
    const links: ReplicationLink[] = [];
    const unreachable: string[] = [];
    await Promise.all(tenant.regions.map(async (region) => {
      try {
        links.push(...(await this.#bounded(this.#provisioner.replication(region, topics))));
      } catch {
        unreachable.push(region);
      }
    }));
    return {
      tenant: tenant.id,
      provisioning: this.#provisioning.status('tenant', tenant.id)?.regions ?? {},
      pipelines: Object.fromEntries(pipelines.map((p) => [p.name, p.provisioning])),
      links: links.sort((a, b) => `${a.topic}${a.from}`.localeCompare(`${b.topic}${b.from}`)),
      unreachable: unreachable.sort(),
    };
  }
}
