// Public face of platform/control-plane: the app (for server.ts, tests and tools), the process
// (startControlPlane, for `npm start`), its config, the schemas (for tenant spec files and the
// CLI), `lodestar apply` (applyTenantDir, loadTenantDir) and the store and provisioner interfaces.
export { default as controlPlane, buildApp, serverOptions, API_VERSION } from './app.ts';
export type { AppOptions } from './app.ts';
export { parseConfig, ConfigEnv } from './config.ts';
export type { ControlPlaneConfig } from './config.ts';
export { ControlPlaneError, ErrorCode, ERROR_TABLE } from './errors.ts';
export type { ErrorBody, ErrorDetail } from './errors.ts';
export * as schemas from './schemas/index.ts';
export type { ControlStore, StoredRecord, PulsarControlStoreOptions } from './store/index.ts';
export { FileStore, MemoryStore, PulsarControlStore, StoreConflictError, ensureControlLogNamespace, CONTROL_LOG_NAMESPACE, CONTROL_LOG_TOPIC } from './store/index.ts';
export type { Provisioner, PipelinePlan, TenantPlan } from './provisioning/index.ts';
export { PulsarAdminProvisioner, RecordingProvisioner, planPipeline, planTenant, tenantRole, topicName, pipelineNamespace } from './provisioning/index.ts';
export { startControlPlane } from './server.ts';
export type { RunningControlPlane } from './server.ts';
export { applyTenantDir } from './cli/apply.ts';
export type { ApplyOptions, ApplyResult } from './cli/apply.ts';
export { loadTenantDir, SpecError } from './cli/tenant-dir.ts';
export type { TenantDir } from './cli/tenant-dir.ts';
