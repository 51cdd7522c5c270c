// `npm start` as a developer runs it: a real process that reuses the stack, serves the control
// plane with its OpenAPI document, applies the demo tenants, and on SIGINT (Ctrl-C) stops what it
// started while leaving the already running stack alone; and, piped into a reader that goes away
// first (`npm start | tee start.log`, Ctrl-C), still stops the stack it started.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readPid } from '../../infra/stack/processes.ts';
import { stackLayout } from '../../infra/stack/regions.ts';
import { isExternalMode, repoRoot } from '../../platform/regions/index.ts';
import { status } from '../../infra/stack/stack.ts';
import { waitFor } from '../helpers/index.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(isExternalMode())('npm start', () => {
  it('serves the control plane, applies the demo tenants, and stops on Ctrl-C', async () => {
    const port = await freePort();
    // What `npm start` runs, without npm: one process, so the SIGINT below reaches it directly.
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/start.ts'], {
      cwd: repoRoot,
      env: { ...process.env, LODESTAR_CP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 150_000;
      while (!output.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(output, output).toContain('Lodestar is running.');
      expect(output).toContain(`control plane: http://127.0.0.1:${port}`);
      expect(output).toMatch(/demo tenant clickstream: (up to date|\d+ change\(s\) applied)/);
      expect(output).toMatch(/demo tenant fraud: (up to date|\d+ change\(s\) applied)/);

      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const openapi = (await (await fetch(`http://127.0.0.1:${port}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toContain('/v1/tenants');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    // The stack was already running (the global setup started or reused it): still healthy.
    expect((await status()).regions.every((r) => r.healthy)).toBe(true);
  });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(isExternalMode())('npm start | tee start.log, then Ctrl-C', () => {
  // Its own stack (state dir and ports of its own), so that what `npm start` starts, and must
  // stop, is not the stack the other tests share. A cold stack takes minutes on a loaded host.
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lodestar-npm-start-pipe-'));
  const portOffset = Number(process.env.LODESTAR_PORT_OFFSET ?? 0) + 50;
  const env = { ...process.env, LODESTAR_STATE_DIR: stateDir, LODESTAR_PORT_OFFSET: String(portOffset) };
  const layout = stackLayout(stateDir, portOffset);

  it('stops the stack it started although its output pipe was closed first', { timeout: 900_000 }, async () => {
    const port = await freePort();
    // detached: its own process group, which is what a terminal's Ctrl-C signals (npm, its shell,
    // tsx and our process alike; tee too, which is why the pipe is closed before we stop).
    const child = spawn('npm', ['start'], {
      cwd: repoRoot,
      env: { ...env, LODESTAR_CP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const group = child.pid!;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started: number[] = [];
    try {
      await waitFor(async () => output.includes('Press Ctrl-C') || child.exitCode !== null, { what: 'npm start ready', timeoutMs: 600_000, intervalMs: 500 });
      expect(output, output).toContain('Lodestar is running.');
      expect(output).toMatch(/stack: started: east:pulsar/);
      for (const region of layout.regions) {
        for (const pidFile of [region.pulsarPidFile, region.redisPidFile]) {
          const pid = readPid(pidFile);
          if (pid !== undefined) started.push(pid);
        }
      }
      expect(started).toHaveLength(4);

      // The reader goes away (as tee does on Ctrl-C): from now on every write to stdout is EPIPE.
      child.stdout.destroy();
      process.kill(-group, 'SIGINT');
      await waitFor(async () => !alive(-group), { what: 'npm start and its children to exit', timeoutMs: 300_000, intervalMs: 500 });
      const left = started.filter(alive);
      expect(left, `still running after npm start exited: ${left.join(', ')}\n${output}`).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      for (const region of layout.regions) expect(readPid(region.pulsarPidFile)).toBeUndefined();
    } finally {
      if (alive(-group)) process.kill(-group, 'SIGKILL');
      // Whatever happened, leave no stack of ours behind.
      if (started.some(alive)) {
        spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['infra/stack/cli.ts', 'down'], { cwd: repoRoot, env, stdio: 'ignore' });
      }
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
