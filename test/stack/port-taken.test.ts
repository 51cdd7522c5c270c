// `up` when one of the stack's ports is held by someone else: a clear error naming the port and
// its holder, and nothing left half-started.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { up } from '../../infra/stack/stack.ts';
import { isExternalMode } from '../../platform/regions/index.ts';

const OFFSET = 1_000; // east's broker port becomes 17650: away from the shared stack.
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lodestar-port-taken-'));
let blocker: net.Server;
const saved = { dir: process.env.LODESTAR_STATE_DIR, offset: process.env.LODESTAR_PORT_OFFSET };

beforeAll(async () => {
  blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(16650 + OFFSET, '127.0.0.1', resolve));
  process.env.LODESTAR_STATE_DIR = stateDir;
  process.env.LODESTAR_PORT_OFFSET = String(OFFSET);
});

afterAll(async () => {
  process.env.LODESTAR_STATE_DIR = saved.dir;
  process.env.LODESTAR_PORT_OFFSET = saved.offset;
  if (saved.dir === undefined) delete process.env.LODESTAR_STATE_DIR;
  if (saved.offset === undefined) delete process.env.LODESTAR_PORT_OFFSET;
  await new Promise((resolve) => blocker.close(resolve));
  rmSync(stateDir, { recursive: true, force: true });
});

describe.skipIf(isExternalMode())('stack up with a port taken', () => {
  it('fails naming the port and its holder, and starts nothing', async () => {
    const attempt = up({ log: () => {}, readyTimeoutMs: 10_000 });
    await expect(attempt).rejects.toThrow(/port 17650 \(east Pulsar broker\) is already in use by node \(pid \d+\)/);
    const running = (() => {
      try {
        return execFileSync('pgrep', ['-f', stateDir]).toString().trim();
      } catch {
        return '';
      }
    })();
    expect(running).toBe('');
  });
});
