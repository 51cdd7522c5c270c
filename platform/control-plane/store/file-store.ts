// The control log as a JSON-lines file: one record per line, appended and flushed before a write
// is acknowledged. A crash can leave a torn last line; loading skips it (that write was never
// acknowledged). Stands in for the Pulsar control-log topic until platform/pulsar can read it.
import { mkdir, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { StoredRecord } from './control-store.ts';
import { FoldingStore } from './control-store.ts';

export class FileStore extends FoldingStore {
  readonly backing: string;
  readonly #file: string;
  #handle: FileHandle | undefined;

  constructor(file: string) {
    super();
    this.#file = file;
    this.backing = `file:${file}`;
  }

  protected async load(): Promise<StoredRecord[]> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    let text = '';
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const records: StoredRecord[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as StoredRecord);
      } catch {
        // A torn line from a crash mid-append: that write was never acknowledged.
      }
    }
    this.#handle = await open(this.#file, 'a');
    return records;
  }

  protected async append(record: StoredRecord): Promise<void> {
    if (!this.#handle) throw new Error('file store is not open');
    await this.#handle.appendFile(`${JSON.stringify(record)}\n`);
    await this.#handle.datasync();
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
