// Public face of platform/control-plane: the app (for server.ts, tests and tools), its config,
// the schemas (for tenant spec files and the CLI) and the store and provisioner interfaces.
export { default as controlPlane, buildApp, serverOptions, API_VERSION } from './app.ts';
export type { AppOptions } from './app.ts';
export { parseConfig, testConfig, ConfigEnv } from './config.ts';
export type { ControlPlaneConfig } from './config.ts';
export { ControlPlaneError, ErrorCode, ERROR_TABLE } from './errors.ts';
export type { ErrorBody, ErrorDetail } from './errors.ts';
export * as schemas from './schemas/index.ts';
export type { ControlStore, StoredRecord, PulsarControlStoreOptions } from './store/index.ts';
export { FileStore, MemoryStore, PulsarControlStore, StoreConflictError, ensureControlLogNamespace, CONTROL_LOG_NAMESPACE, CONTROL_LOG_TOPIC } from './store/index.ts';
export type { Provisioner, PipelinePlan, TenantPlan } from './provisioning/index.ts';
export { PulsarAdminProvisioner, RecordingProvisioner, planPipeline, planTenant, tenantRole, topicName, pipelineNamespace } from './provisioning/index.ts';
