export type { ControlStore, StoredRecord } from './control-store.ts';
export { FoldingStore, StoreConflictError } from './control-store.ts';
export { MemoryStore } from './memory-store.ts';
export { FileStore } from './file-store.ts';
