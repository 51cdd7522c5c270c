// What Pulsar should hold for a tenant or a pipeline, in one region, derived purely from the
// specs: names, policies from quotas, grants. Provisioners apply a plan; tests read it. Names:
// Pulsar tenant = tenant id; namespaces `<tenant>/default` and one per pipeline
// `<tenant>/<pipeline>`; topics `persistent://<tenant>/<pipeline>/<topic>`.
import type { PipelineQuotas, PipelineSpec, TenantQuotas } from '../schemas/index.ts';
import { CHANGELOG_SUFFIX, pipelineTopics } from '../schemas/index.ts';

export type Grant = 'produce' | 'consume';

export interface NamespacePlan {
  /** `tenant/namespace`. */
  name: string;
  replicationClusters: string[];
  retention: { minutes: number; sizeMb: number };
  backlogQuotaBytes: number;
  messageTtlSeconds: number;
  /** Always on: the runtime's exactly-once loop relies on broker deduplication of producer sequence ids. */
  deduplication: boolean;
  publishRate: { msgPerSec: number; bytesPerSec: number };
  dispatchRate: { msgPerSec: number; bytesPerSec: number };
  /** The only non-superuser roles with rights on the namespace. */
  grants: Record<string, Grant[]>;
}

export interface TenantPlan {
  tenant: string;
  allowedClusters: string[];
  role: string;
  namespaces: NamespacePlan[];
}

export interface PipelinePlan {
  tenant: string;
  pipeline: string;
  namespace: NamespacePlan;
  /** Full topic names with their partition counts. */
  topics: { name: string; partitions: number }[];
}

export const tenantRole = (tenant: string): string => `lodestar-tenant-${tenant}`;
export const pipelineNamespace = (tenant: string, pipeline: string): string => `${tenant}/${pipeline}`;
export const topicName = (tenant: string, pipeline: string, topic: string): string => `persistent://${tenant}/${pipeline}/${topic}`;
/** Tenant-wide namespace (alerts, shared topics). Pipelines may not be called `default`. */
export const TENANT_NAMESPACE = 'default';

export interface TenantInput {
  id: string;
  regions: string[];
  quotas: TenantQuotas;
}

function namespacePlan(name: string, tenant: TenantInput, quotas: Omit<TenantQuotas, 'maxPipelines' | 'maxTopicsPerPipeline' | 'maxBundleBytes'>): NamespacePlan {
  return {
    name,
    replicationClusters: [...tenant.regions].sort(),
    retention: { minutes: quotas.retentionMinutes, sizeMb: quotas.retentionSizeMb },
    backlogQuotaBytes: quotas.backlogQuotaMb * 1024 * 1024,
    messageTtlSeconds: quotas.messageTtlSeconds,
    deduplication: true,
    publishRate: { msgPerSec: quotas.publishRateMsgPerSec, bytesPerSec: quotas.publishRateBytesPerSec },
    dispatchRate: { msgPerSec: quotas.dispatchRateMsgPerSec, bytesPerSec: quotas.dispatchRateBytesPerSec },
    grants: { [tenantRole(tenant.id)]: ['consume', 'produce'] },
  };
}

export function planTenant(tenant: TenantInput): TenantPlan {
  return {
    tenant: tenant.id,
    allowedClusters: [...tenant.regions].sort(),
    role: tenantRole(tenant.id),
    namespaces: [namespacePlan(`${tenant.id}/${TENANT_NAMESPACE}`, tenant, tenant.quotas)],
  };
}

/** The pipeline's quotas where it sets them, the tenant's elsewhere. */
export function effectiveQuotas(tenant: TenantQuotas, pipeline: PipelineQuotas | undefined): TenantQuotas {
  const merged = { ...tenant };
  for (const [key, value] of Object.entries(pipeline ?? {})) if (value !== undefined) (merged as Record<string, number>)[key] = value;
  return merged;
}

/**
 * The runtime's changelog of an input topic: the keyed state of the functions reading input
 * partition p is written to changelog partition p (platform/runtime/README.md, "Topics").
 */
export const changelogTopicName = (input: string): string => `${input}${CHANGELOG_SUFFIX}`;

export function planPipeline(tenant: TenantInput, spec: PipelineSpec): PipelinePlan {
  const changelogs = spec.inputs.map((t) => ({ name: changelogTopicName(t.name), partitions: t.partitions }));
  return {
    tenant: tenant.id,
    pipeline: spec.name,
    namespace: namespacePlan(pipelineNamespace(tenant.id, spec.name), tenant, effectiveQuotas(tenant.quotas, spec.quotas)),
    topics: [...pipelineTopics(spec), ...changelogs].map((t) => ({ name: topicName(tenant.id, spec.name, t.name), partitions: t.partitions })),
  };
}
