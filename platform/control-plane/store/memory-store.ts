import type { StoredRecord } from './control-store.ts';
import { FoldingStore } from './control-store.ts';

/** Nothing survives the process: for unit tests and throwaway runs. */
export class MemoryStore extends FoldingStore {
  readonly backing = 'memory';

  protected async load(): Promise<StoredRecord[]> {
    return [];
  }

  protected async append(_record: StoredRecord): Promise<void> {}
}
