export type { ControlStore, StoredRecord } from './control-store.ts';
export { FoldingStore, StoreConflictError } from './control-store.ts';
export { MemoryStore } from './memory-store.ts';
export { FileStore } from './file-store.ts';
export { PulsarControlStore, type PulsarControlStoreOptions } from './pulsar-store.ts';
export { ensureControlLogNamespace, CONTROL_LOG_NAMESPACE, CONTROL_LOG_TOPIC, type EnsureControlLogOptions, type ControlLogRegion } from './control-log-topic.ts';
