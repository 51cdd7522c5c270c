// Tenants: operator-managed. Creating one records it and provisions it in each of its regions;
// quota changes re-plan the tenant and every pipeline of it (rates, retention come from quotas).
import type { Tenant, TenantPatch, TenantSpec } from '../schemas/index.ts';
import { checkQuotas, TenantQuotas } from '../schemas/index.ts';
import { planPipeline, planTenant, tenantRole } from '../provisioning/index.ts';
import type { Provisioner } from '../provisioning/index.ts';
import type { ControlStore } from '../store/index.ts';
import { ControlPlaneError, ErrorCode, notFound } from '../errors.ts';
import { issuesToDetails } from '../plugins/zod.ts';
import type { ProvisioningService } from '../provisioning/index.ts';
import type { ApiKeyRecord, FunctionVersionRecord, PipelineRecord, Stored, TenantRecord } from './records.ts';
import { guarded, keys, now } from './records.ts';
import { checkPipelineQuotas } from './quotas.ts';

export class TenantService {
  readonly #store: ControlStore;
  readonly #provisioner: Provisioner;
  readonly #provisioning: ProvisioningService;

  constructor(store: ControlStore, provisioner: Provisioner, provisioning: ProvisioningService) {
    this.#store = store;
    this.#provisioner = provisioner;
    this.#provisioning = provisioning;
  }

  record(id: string): Stored<TenantRecord> {
    const record = this.#store.get<TenantRecord>(keys.tenant(id));
    if (!record) throw notFound(`tenant ${id}`);
    return record;
  }

  view(record: Stored<TenantRecord>): Tenant {
    const t = record.value;
    return {
      id: t.id,
      ...(t.displayName === undefined ? {} : { displayName: t.displayName }),
      regions: t.regions,
      quotas: t.quotas,
      pulsarRole: tenantRole(t.id),
      version: record.version,
      createdAt: t.createdAt,
      updatedAt: record.writtenAt,
      provisioning: this.#provisioning.status('tenant', t.id)?.regions ?? {},
    };
  }

  get(id: string): Tenant {
    return this.view(this.record(id));
  }

  list(): Tenant[] {
    return this.#store.list<TenantRecord>(keys.tenants()).map((r) => this.view(r));
  }

  async create(spec: TenantSpec): Promise<Tenant & { pulsarToken?: string }> {
    const known = this.#provisioner.regions;
    const regions = spec.regions ? [...new Set(spec.regions)] : [...known];
    const unknown = regions.map((r, i) => [r, i] as const).filter(([r]) => !known.includes(r));
    if (unknown.length > 0) {
      throw new ControlPlaneError(ErrorCode.VALIDATION_FAILED, `unknown region; known: ${known.join(', ')}`, {
        details: unknown.map(([r, i]) => ({ path: `body.regions.${i}`, message: `unknown region ${r}` })),
      });
    }
    if (this.#store.get<TenantRecord>(keys.tenant(spec.id))) throw new ControlPlaneError(ErrorCode.ALREADY_EXISTS, `tenant ${spec.id} already exists`);
    await this.#refuseForeignPulsarTenant(spec.id, regions);
    const value: TenantRecord = { id: spec.id, ...(spec.displayName ? { displayName: spec.displayName } : {}), regions, quotas: spec.quotas, createdAt: now() };
    const record = await guarded(() => this.#store.put(keys.tenant(spec.id), value, 0), `tenant ${spec.id}`);
    await this.#provisioning.desire({ kind: 'tenant', plan: planTenant(value) }, 'present', record.version, regions);
    const token = this.#provisioner.mintToken(tenantRole(spec.id));
    return { ...this.view(this.record(spec.id)), ...(token ? { pulsarToken: token } : {}) };
  }

  /**
   * A Pulsar tenant of that name that Lodestar does not manage (made by hand, by another
   * platform, or not yet removed after an earlier delete) must not be taken over: its namespaces
   * and grants would become this tenant's. Regions that cannot be asked now are not checked;
   * provisioning there adopts the name later, as it would after the check.
   */
  async #refuseForeignPulsarTenant(id: string, regions: readonly string[]): Promise<void> {
    const removing = this.#provisioning.status('tenant', id)?.desired === 'absent';
    const found = await Promise.all(regions.map(async (region) => {
      try {
        return (await this.#provisioning.withRegionTimeout((signal) => this.#provisioner.tenantExists(region, id, { signal }))) ? region : undefined;
      } catch {
        return undefined;
      }
    }));
    const taken = found.filter((r): r is string => r !== undefined);
    if (taken.length === 0) return;
    throw new ControlPlaneError(ErrorCode.ALREADY_EXISTS, removing
      ? `tenant ${id} is still being removed from ${taken.join(', ')}; try again once that is done`
      : `a Pulsar tenant named ${id} already exists in ${taken.join(', ')} and is not managed by Lodestar`);
  }

  async update(id: string, patch: TenantPatch, expected: number): Promise<Tenant> {
    const current = this.record(id);
    const quotas = TenantQuotas.superRefine((q, ctx) => checkQuotas(q, ctx)).safeParse({ ...current.value.quotas, ...patch.quotas });
    if (!quotas.success) throw new ControlPlaneError(ErrorCode.VALIDATION_FAILED, undefined, { details: issuesToDetails('body.quotas', quotas.error) });
    const pipelines = this.#store.list<PipelineRecord>(keys.pipelines(id));
    if (pipelines.length > quotas.data.maxPipelines) {
      throw new ControlPlaneError(ErrorCode.QUOTA_EXCEEDED, `the tenant has ${pipelines.length} pipelines, more than maxPipelines`);
    }
    for (const p of pipelines) checkPipelineQuotas(quotas.data, p.value.spec, `pipeline ${p.value.name}: `);
    const value: TenantRecord = { ...current.value, ...(patch.displayName ? { displayName: patch.displayName } : {}), quotas: quotas.data };
    const record = await guarded(() => this.#store.put(keys.tenant(id), value, expected), `tenant ${id}`);
    await this.#provisioning.desire({ kind: 'tenant', plan: planTenant(value) }, 'present', record.version, value.regions);
    // Every pipeline namespace takes its rates and retention from the tenant's quotas.
    for (const p of pipelines) {
      await this.#provisioning.desire({ kind: 'pipeline', plan: planPipeline(value, p.value.spec) }, 'present', p.version, value.regions);
    }
    return this.view(this.record(id));
  }

  /** Refused while pipelines exist unless `force`: then pipelines, functions and keys go too. */
  async delete(id: string, force: boolean, expected: number | undefined): Promise<void> {
    const current = this.record(id);
    if (expected !== undefined && expected !== current.version) {
      throw new ControlPlaneError(ErrorCode.VERSION_CONFLICT, `tenant ${id} is at version ${current.version}, not ${expected}`);
    }
    const pipelines = this.#store.list<PipelineRecord>(keys.pipelines(id));
    if (pipelines.length > 0 && !force) {
      throw new ControlPlaneError(ErrorCode.HAS_DEPENDENTS, `tenant ${id} still has pipelines: ${pipelines.map((p) => p.value.name).join(', ')}; delete them or pass ?force=true`);
    }
    await guarded(() => this.#store.delete(keys.tenant(id), current.version), `tenant ${id}`);
    for (const p of pipelines) await this.#store.delete(p.key, p.version);
    // Removed side by side: each is waited for no longer than a region call (see desire()).
    await Promise.all(pipelines.map((p) => this.#provisioning.desire({ kind: 'pipeline', plan: planPipeline(current.value, p.value.spec) }, 'absent', p.version + 1, current.value.regions)));
    for (const f of this.#store.list<FunctionVersionRecord>(keys.functionVersions(id))) await this.#store.delete(f.key, f.version);
    for (const k of this.#store.list<ApiKeyRecord>(keys.apiKeys())) if (k.value.tenant === id) await this.#store.delete(k.key, k.version);
    await this.#provisioning.desire({ kind: 'tenant', plan: planTenant(current.value) }, 'absent', current.version + 1, current.value.regions);
  }

  pulsarToken(id: string): { role: string; token: string } {
    this.record(id);
    const role = tenantRole(id);
    const token = this.#provisioner.mintToken(role);
    if (!token) throw new ControlPlaneError(ErrorCode.NOT_READY, 'this control plane has no token secret key; it cannot mint Pulsar tokens');
    return { role, token };
  }
}
