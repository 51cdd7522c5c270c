// platform/runtime — the public face: the worker, its configuration, the processor contract.
export { Worker, WorkerState, type WorkerOptions } from './worker.ts';
export { parseWorkerConfig, WorkerEnv, type WorkerConfig } from './config.ts';
export { regionEndpoints, type RegionEndpoints } from './region-endpoints.ts';
export { RuntimeError, RuntimeErrorCode } from './errors.ts';
export { RuntimePipeline, RuntimePipelines, RuntimeFunction, FunctionBundleRef } from './pipeline.ts';
export { SandboxProcessors, type SandboxProcessorsOptions } from './sandbox-processors.ts';
export { readBundleFolder, resolveBundle, type FunctionBundle } from './function-bundle.ts';
export { SandboxErrorCode, type BatchProcessor, type ProcessorFactory } from './processor.ts';
export type * from './contract.ts';
export { DeadLetterReason } from './contract.ts';
export { PROPERTY as RECORD_PROPERTY } from './batch/publish.ts';
export { changelogTopic, pipelineTopic, partitionTopic, redisTag, subscriptionName, CHANGELOG_SUFFIX } from './topics.ts';
export { LoopStatus, type LoopSettings } from './partition-loop.ts';
export { START as CHANGELOG_START, positionOf } from './state/position.ts';
