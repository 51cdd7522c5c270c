// A pipeline may ask for less than its tenant's quotas, never more.
import type { PipelineSpec, TenantQuotas } from '../schemas/index.ts';
import { pipelineTopics } from '../schemas/index.ts';
import { effectiveQuotas } from '../provisioning/index.ts';
import { ControlPlaneError, ErrorCode } from '../errors.ts';
import type { ErrorDetail } from '../errors.ts';

export function checkPipelineQuotas(tenant: TenantQuotas, spec: PipelineSpec, prefix = ''): void {
  const details: ErrorDetail[] = [];
  for (const [key, value] of Object.entries(spec.quotas ?? {})) {
    const limit = tenant[key as keyof TenantQuotas];
    if (value !== undefined && value > limit) details.push({ path: `body.quotas.${key}`, message: `${prefix}${value} is above the tenant's ${limit}` });
  }
  const quotas = effectiveQuotas(tenant, spec.quotas);
  const topics = pipelineTopics(spec);
  if (topics.length > quotas.maxTopicsPerPipeline) details.push({ path: 'body', message: `${prefix}${topics.length} topics, more than maxTopicsPerPipeline ${quotas.maxTopicsPerPipeline}` });
  for (const t of topics) {
    if (t.partitions > quotas.maxPartitionsPerTopic) details.push({ path: 'body', message: `${prefix}topic ${t.name} has ${t.partitions} partitions, more than maxPartitionsPerTopic ${quotas.maxPartitionsPerTopic}` });
  }
  if (details.length > 0) throw new ControlPlaneError(ErrorCode.QUOTA_EXCEEDED, details.map((d) => d.message).join('; '), { details });
}
