// The services every route uses, built once per app from the store and the provisioner.
import type { FastifyBaseLogger } from 'fastify';
import type { ControlPlaneMetrics } from '../metrics.ts';
import type { Provisioner } from '../provisioning/index.ts';
import type { ControlStore } from '../store/index.ts';
import { ApiKeyService } from './api-keys.ts';
import { FunctionService } from './functions.ts';
import { PipelineService } from './pipelines.ts';
import { ProvisioningService } from '../provisioning/index.ts';
import { RegionService } from './regions.ts';
import { TenantService } from './tenants.ts';

export interface Services {
  tenants: TenantService;
  apiKeys: ApiKeyService;
  pipelines: PipelineService;
  functions: FunctionService;
  provisioning: ProvisioningService;
  regions: RegionService;
}

export function createServices(o: { store: ControlStore; provisioner: Provisioner; metrics: ControlPlaneMetrics; log: FastifyBaseLogger; regionTimeoutMs: number; removalTimeoutMs?: number; reconcileMaxBackoffMs?: number }): Services {
  const provisioning = new ProvisioningService({ store: o.store, provisioner: o.provisioner, metrics: o.metrics, log: o.log, timeoutMs: o.regionTimeoutMs, removalTimeoutMs: o.removalTimeoutMs, maxBackoffMs: o.reconcileMaxBackoffMs });
  const functions = new FunctionService(o.store);
  const pipelines = new PipelineService(o.store, functions, provisioning);
  return {
    tenants: new TenantService(o.store, o.provisioner, provisioning),
    apiKeys: new ApiKeyService(o.store),
    pipelines,
    functions,
    provisioning,
    regions: new RegionService(o.provisioner, provisioning, pipelines, o.regionTimeoutMs),
  };
}

export { expectedVersion } from './records.ts';
export type { TenantRecord } from './records.ts';
export { diffSpecs } from './diff.ts';
export { bundleDigest, versionView } from './functions.ts';
