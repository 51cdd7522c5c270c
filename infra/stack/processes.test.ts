import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForRecordedExit } from './processes.ts';

const pidFileWith = (pid: number): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pid-')), 'x.pid');
  writeFileSync(file, String(pid));
  return file;
};

describe('waitForRecordedExit', () => {
  it('returns at once without a pid file', async () => {
    const t0 = Date.now();
    await waitForRecordedExit(path.join(os.tmpdir(), 'no-such.pid'), 'marker', 5_000);
    expect(Date.now() - t0).toBeLessThan(500);
  });

  it('waits for the recorded process to be gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600) // lodestar-exit-test'], { stdio: 'ignore' });
    const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await waitForRecordedExit(pidFileWith(child.pid!), 'lodestar-exit-test', 10_000);
    const done = Date.now();
    expect(done).toBeGreaterThanOrEqual(await exited - 150);
  });

  it('does not wait for a pid that now runs something else', async () => {
    const t0 = Date.now();
    await waitForRecordedExit(pidFileWith(process.pid), 'not-in-this-command-line', 5_000);
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
