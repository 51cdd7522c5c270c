import { afterEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ControlStore } from './index.ts';
import { FileStore, MemoryStore, StoreConflictError } from './index.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lodestar-store-'));
  dirs.push(dir);
  return path.join(dir, 'log.jsonl');
}

const backings: [string, () => Promise<ControlStore>][] = [
  ['memory', async () => new MemoryStore()],
  ['file', async () => new FileStore(await tempFile())],
];

describe.each(backings)('%s store', (_name, make) => {
  it('versions writes and refuses a stale expected version', async () => {
    const store = await make();
    await store.open();
    const first = await store.put('tenant/a', { n: 1 }, 0);
    expect(first.version).toBe(1);
    await expect(store.put('tenant/a', { n: 2 }, 0)).rejects.toBeInstanceOf(StoreConflictError);
    const second = await store.put('tenant/a', { n: 2 }, 1);
    expect(second.version).toBe(2);
    expect(store.get('tenant/a')?.value).toEqual({ n: 2 });
    await store.close();
  });

  it('lets exactly one of two concurrent writers with the same expected version win', async () => {
    const store = await make();
    await store.open();
    const results = await Promise.allSettled([store.put('k', 1, 0), store.put('k', 2, 0)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await store.close();
  });

  it('deletes with a tombstone and recreates with a higher version', async () => {
    const store = await make();
    await store.open();
    await store.put('pipeline/a/p', 'x', 0);
    await store.delete('pipeline/a/p', 1);
    expect(store.get('pipeline/a/p')).toBeUndefined();
    expect(store.list('pipeline/a/')).toEqual([]);
    const again = await store.put('pipeline/a/p', 'y', 0);
    expect(again.version).toBe(3);
    await store.close();
  });
});

describe('file store', () => {
  it('folds the log back into the same state after a restart, skipping a torn last line', async () => {
    const file = await tempFile();
    const store = new FileStore(file);
    await store.open();
    await store.put('tenant/a', { q: 1 }, 0);
    await store.put('tenant/a', { q: 2 }, 1);
    await store.put('tenant/b', { q: 3 }, 0);
    await store.delete('tenant/b', 1);
    await store.close();
    await appendFile(file, '{"key":"tenant/c","vers');

    const reopened = new FileStore(file);
    await reopened.open();
    expect(reopened.list('tenant/').map((r) => [r.key, r.version, r.value])).toEqual([['tenant/a', 2, { q: 2 }]]);
    expect((await reopened.put('tenant/b', { q: 4 }, 0)).version).toBe(3);
    await reopened.close();
  });
});
