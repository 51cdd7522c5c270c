// Pipelines: declarative specs. Create and update validate against the tenant (regions, quotas,
// known functions), diff against what is stored, write with the expected version and converge
// Pulsar in every region. Which bundle version of each function runs (deployments) lives in the
// same record, so activating or rolling back is a versioned write like any other.
import type { Pipeline, PipelineSpec, SpecChange } from '../schemas/index.ts';
import { planPipeline } from '../provisioning/index.ts';
import type { ControlStore } from '../store/index.ts';
import { ControlPlaneError, ErrorCode, notFound } from '../errors.ts';
import type { ErrorDetail } from '../errors.ts';
import type { FunctionService } from './functions.ts';
import type { ProvisioningService } from '../provisioning/index.ts';
import type { Deployment, PipelineRecord, Stored, TenantRecord } from './records.ts';
import { guarded, keys, now } from './records.ts';
import { diffSpecs } from './diff.ts';
import { checkPipelineQuotas } from './quotas.ts';

export type PipelineWrite = Pipeline & { changes: SpecChange[]; dryRun: boolean };

export class PipelineService {
  readonly #store: ControlStore;
  readonly #functions: FunctionService;
  readonly #provisioning: ProvisioningService;

  constructor(store: ControlStore, functions: FunctionService, provisioning: ProvisioningService) {
    this.#store = store;
    this.#functions = functions;
    this.#provisioning = provisioning;
  }

  record(tenant: string, name: string): Stored<PipelineRecord> {
    const record = this.#store.get<PipelineRecord>(keys.pipeline(tenant, name));
    if (!record) throw notFound(`pipeline ${name}`);
    return record;
  }

  view(record: Stored<PipelineRecord>): Pipeline {
    const p = record.value;
    return {
      tenant: p.tenant,
      name: p.name,
      spec: p.spec,
      deployments: p.deployments,
      version: record.version,
      createdAt: p.createdAt,
      updatedAt: record.writtenAt,
      provisioning: this.#provisioning.status('pipeline', `${p.tenant}/${p.name}`)?.regions ?? {},
    };
  }

  list(tenant: string): Pipeline[] {
    return this.#store.list<PipelineRecord>(keys.pipelines(tenant)).map((r) => this.view(r));
  }

  get(tenant: string, name: string): Pipeline {
    return this.view(this.record(tenant, name));
  }

  #validate(tenant: TenantRecord, spec: PipelineSpec, previous: PipelineSpec | undefined): void {
    const details: ErrorDetail[] = [];
    if (!tenant.regions.includes(spec.activeRegion)) details.push({ path: 'body.activeRegion', message: `not one of the tenant's regions (${tenant.regions.join(', ')})` });
    spec.functions.forEach((f, i) => {
      const versions = this.#functions.versions(tenant.id, f.name);
      if (versions.length === 0) details.push({ path: `body.functions.${i}.name`, message: `no bundle uploaded for function ${f.name}` });
      else if (f.version !== undefined && !versions.some((v) => v.version === f.version)) details.push({ path: `body.functions.${i}.version`, message: `function ${f.name} has no version ${f.version}` });
    });
    // Pulsar cannot take partitions away from a partitioned topic (412).
    if (previous) {
      const before = new Map([...previous.inputs, ...previous.outputs, previous.decisions, previous.audit, previous.deadLetter].filter((t) => t !== undefined).map((t) => [t.name, t.partitions]));
      const check = (t: { name: string; partitions: number } | undefined, path: string): void => {
        const had = t ? before.get(t.name) : undefined;
        if (t && had !== undefined && t.partitions < had) details.push({ path: `${path}.partitions`, message: `cannot shrink topic ${t.name} from ${had} partitions` });
      };
      spec.inputs.forEach((t, i) => check(t, `body.inputs.${i}`));
      spec.outputs.forEach((t, i) => check(t, `body.outputs.${i}`));
      for (const k of ['decisions', 'audit', 'deadLetter'] as const) check(spec[k], `body.${k}`);
    }
    if (details.length > 0) throw new ControlPlaneError(ErrorCode.VALIDATION_FAILED, details.map((d) => d.message).join('; '), { details });
    checkPipelineQuotas(tenant.quotas, spec);
  }

  /** Keeps what runs unless the spec pins another version; new functions start at pinned or latest. */
  #deployments(tenant: string, spec: PipelineSpec, current: Record<string, Deployment>): Record<string, Deployment> {
    const next: Record<string, Deployment> = {};
    for (const f of spec.functions) {
      const had = current[f.name];
      const want = f.version ?? had?.active ?? this.#functions.latest(tenant, f.name)?.version ?? null;
      if (had && had.active === want) next[f.name] = had;
      else next[f.name] = { active: want, history: had?.active ? [...had.history, had.active] : had?.history ?? [] };
    }
    return next;
  }

  async create(tenant: TenantRecord, spec: PipelineSpec, dryRun: boolean): Promise<PipelineWrite> {
    const existing = this.#store.list<PipelineRecord>(keys.pipelines(tenant.id));
    if (this.#store.get(keys.pipeline(tenant.id, spec.name))) throw new ControlPlaneError(ErrorCode.ALREADY_EXISTS, `pipeline ${spec.name} already exists`);
    if (existing.length >= tenant.quotas.maxPipelines) throw new ControlPlaneError(ErrorCode.QUOTA_EXCEEDED, `the tenant already has maxPipelines (${tenant.quotas.maxPipelines}) pipelines`);
    this.#validate(tenant, spec, undefined);
    const value: PipelineRecord = { tenant: tenant.id, name: spec.name, spec, deployments: this.#deployments(tenant.id, spec, {}), createdAt: now() };
    const changes = diffSpecs(undefined, spec);
    if (dryRun) return { ...value, version: 1, updatedAt: value.createdAt, provisioning: {}, changes, dryRun };
    const record = await guarded(() => this.#store.put(keys.pipeline(tenant.id, spec.name), value, 0), `pipeline ${spec.name}`);
    await this.#provisioning.desire({ kind: 'pipeline', plan: planPipeline(tenant, spec) }, 'present', record.version, tenant.regions);
    return { ...this.get(tenant.id, spec.name), changes, dryRun };
  }

  async update(tenant: TenantRecord, name: string, spec: PipelineSpec, expected: number, dryRun: boolean): Promise<PipelineWrite> {
    if (spec.name !== name) throw new ControlPlaneError(ErrorCode.VALIDATION_FAILED, 'a pipeline cannot be renamed', { details: [{ path: 'body.name', message: `must be ${name}` }] });
    const current = this.record(tenant.id, name);
    if (current.version !== expected) throw new ControlPlaneError(ErrorCode.VERSION_CONFLICT, `pipeline ${name} is at version ${current.version}, not ${expected}`);
    this.#validate(tenant, spec, current.value.spec);
    const changes = diffSpecs(current.value.spec, spec);
    if (dryRun || changes.length === 0) return { ...this.view(current), changes, dryRun };
    const value: PipelineRecord = { ...current.value, spec, deployments: this.#deployments(tenant.id, spec, current.value.deployments) };
    const record = await guarded(() => this.#store.put(current.key, value, expected), `pipeline ${name}`);
    await this.#provisioning.desire({ kind: 'pipeline', plan: planPipeline(tenant, spec) }, 'present', record.version, tenant.regions);
    return { ...this.get(tenant.id, name), changes, dryRun };
  }

  async delete(tenant: TenantRecord, name: string, expected: number | undefined): Promise<void> {
    const current = this.record(tenant.id, name);
    await guarded(() => this.#store.delete(current.key, expected ?? current.version), `pipeline ${name}`);
    await this.#provisioning.desire({ kind: 'pipeline', plan: planPipeline(tenant, current.value.spec) }, 'absent', current.version + 1, tenant.regions);
  }

  #deployment(current: Stored<PipelineRecord>, fn: string): Deployment {
    const deployment = current.value.deployments[fn];
    if (!deployment) throw notFound(`function ${fn} in pipeline ${current.value.name}`);
    return deployment;
  }

  async #setDeployment(current: Stored<PipelineRecord>, fn: string, deployment: Deployment, expected: number): Promise<Pipeline> {
    const value: PipelineRecord = { ...current.value, deployments: { ...current.value.deployments, [fn]: deployment } };
    await guarded(() => this.#store.put(current.key, value, expected), `pipeline ${current.value.name}`);
    return this.get(current.value.tenant, current.value.name);
  }

  async activate(tenant: string, pipeline: string, fn: string, version: number, expected: number): Promise<Pipeline> {
    const current = this.record(tenant, pipeline);
    const deployment = this.#deployment(current, fn);
    this.#functions.version(tenant, fn, version);
    if (deployment.active === version) return this.view(current);
    const history = deployment.active === null ? deployment.history : [...deployment.history, deployment.active];
    return this.#setDeployment(current, fn, { active: version, history }, expected);
  }

  /** Back to the previous active version, or to `toVersion` (dropping what came after it in the history). */
  async rollback(tenant: string, pipeline: string, fn: string, toVersion: number | undefined, expected: number): Promise<Pipeline> {
    const current = this.record(tenant, pipeline);
    const deployment = this.#deployment(current, fn);
    const index = toVersion === undefined ? deployment.history.length - 1 : deployment.history.lastIndexOf(toVersion);
    if (index < 0) {
      throw new ControlPlaneError(ErrorCode.BAD_REQUEST, toVersion === undefined ? `function ${fn} has no earlier version to roll back to` : `version ${toVersion} of ${fn} was never active here`);
    }
    return this.#setDeployment(current, fn, { active: deployment.history[index]!, history: deployment.history.slice(0, index) }, expected);
  }
}
