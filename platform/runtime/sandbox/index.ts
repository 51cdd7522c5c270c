// Public face of platform/runtime/sandbox: run one (tenant, function version) in a child process
// with the isolation of issue 10 behind the runtime's BatchProcessor interface.
export { SandboxProcessor, DEFAULT_LIMITS } from './sandbox-processor.ts';
export type { SandboxProcessorOptions, SandboxLimits, SandboxStatus, SandboxFailure, SandboxLogEntry, NetworkMode } from './sandbox-processor.ts';
export { SandboxError, SandboxErrorCode, RemoteError, isSandboxError } from './errors.ts';
export type { SerializedError } from './errors.ts';
export { DEFAULT_BUILD_OPTIONS } from './build.ts';
export type { BundleSource, BundleBuildOptions } from './build.ts';
export { NetworkIsolation, networkNamespaceSupport, parentDeathSignalSupport } from './launch.ts';
