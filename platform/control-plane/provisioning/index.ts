export type { Provisioner, RegionCallOptions, RegionHealth, ReplicationLinkStatus } from './provisioner.ts';
export type { Grant, NamespacePlan, PipelinePlan, TenantInput, TenantPlan } from './plan.ts';
export { effectiveQuotas, pipelineNamespace, planPipeline, planTenant, TENANT_NAMESPACE, tenantRole, topicName } from './plan.ts';
export { RecordingProvisioner } from './recording-provisioner.ts';
export type { PulsarAdminProvisionerOptions, RegionEndpoint } from './pulsar-admin-provisioner.ts';
export { namespaceSpec, PulsarAdminProvisioner } from './pulsar-admin-provisioner.ts';
export { ProvisioningService, retryDelayMs } from './reconciler.ts';
export type { ProvisioningOptions } from './reconciler.ts';
