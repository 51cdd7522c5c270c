// The layers under the bundle's realm, each checked on its own with real processes: a probe that
// holds the host's require and process (as code that escaped the vm would) runs with the sandbox's
// exact node flags, empty environment and (where the host allows) network namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { buildNodeScript } from './build.ts';
import { launchSandboxProcess, networkNamespaceSupport, parentDeathSignalSupport } from './launch.ts';
import type { ProbeReport, ProbeTargets } from './fixtures/probe.ts';

const PROBE_ENTRY = fileURLToPath(new URL('./fixtures/probe.ts', import.meta.url));
const ORPHAN_PARENT_ENTRY = fileURLToPath(new URL('./fixtures/orphan-parent.ts', import.meta.url));
const ADDON = fileURLToPath(new URL('../../../node_modules/@node-rs/crc32-linux-x64-gnu/crc32.linux-x64-gnu.node', import.meta.url));

let dir: string;
let probeScript: string;
let targets: ProbeTargets;
let tcpServer: net.Server;
let unixServer: net.Server;
/** Connections the test's servers accepted: any one is a sandbox reaching the network. */
let accepted = 0;
let unshare: string | undefined;

function listen(server: net.Server, target: number | string): Promise<void> {
  return new Promise((resolve) => {
    if (typeof target === 'number') server.listen(target, '127.0.0.1', resolve);
    else server.listen(target, resolve);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lodestar-isolation-'));
  await mkdir(join(dir, 'bundle'));
  await mkdir(join(dir, 'outside'));
  probeScript = join(dir, 'probe.cjs');
  await buildNodeScript(PROBE_ENTRY, probeScript);
  await writeFile(join(dir, 'bundle', 'inside.txt'), 'mine');
  await writeFile(join(dir, 'outside', 'secret.txt'), 'not yours');
  tcpServer = net.createServer((socket) => { accepted++; socket.destroy(); });
  unixServer = net.createServer((socket) => { accepted++; socket.destroy(); });
  await listen(tcpServer, 0);
  await listen(unixServer, join(dir, 'outside', 'broker.sock'));
  targets = {
    insideFile: join(dir, 'bundle', 'inside.txt'),
    outsideFile: join(dir, 'outside', 'secret.txt'),
    writeFile: join(dir, 'bundle', 'written.txt'),
    addon: ADDON,
    tcpPort: (tcpServer.address() as net.AddressInfo).port,
    unixPath: join(dir, 'outside', 'broker.sock'),
  };
  unshare = await networkNamespaceSupport();
}, 60_000);

afterAll(async () => {
  tcpServer?.close();
  unixServer?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function runProbe(mode: 'raw' | 'neutralised', withNamespace: boolean): Promise<ProbeReport> {
  const child = launchSandboxProcess({
    script: probeScript,
    // The addon is readable on purpose: its refusal must come from the addon rule, not the fs rule.
    readable: [probeScript, join(dir, 'bundle'), ADDON],
    heapMiB: 64,
    cwd: join(dir, 'bundle'),
    unshare: withNamespace ? unshare : undefined,
    args: [mode, JSON.stringify(targets)],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.once('message', (report) => resolve(report as ProbeReport));
    child.once('exit', (code) => reject(new Error(`probe exited with ${code} before reporting: ${stderr}`)));
  });
}

describe('sandbox child process layers', () => {
  it('the permission model confines fs to the bundle, and forbids writes, processes, threads, addons and bindings; the environment is empty; eval is off', async () => {
    const report = await runProbe('raw', false);
    expect(report.readInside).toBe('ok');
    expect(report.readOutside).toBe('ERR_ACCESS_DENIED');
    expect(report.readEtc).toBe('ERR_ACCESS_DENIED');
    expect(report.write).toBe('ERR_ACCESS_DENIED');
    expect(report.spawn).toBe('ERR_ACCESS_DENIED');
    expect(report.worker).toBe('ERR_ACCESS_DENIED');
    expect(report.addon).toMatch(/^ERR_(ACCESS_DENIED|DLOPEN_DISABLED)$/);
    expect(report.binding).toBe('ERR_ACCESS_DENIED');
    expect(report.eval).toBe('EvalError');
    expect(report.env).toBe('{}');
  }, 30_000);

  it.skipIf(process.platform !== 'linux')('the network namespace stops TCP and DNS in the kernel, even for code holding the real net module', async (ctx) => {
    if (unshare === undefined) ctx.skip();
    const before = accepted;
    const report = await runProbe('raw', true);
    expect(report.tcp).toMatch(/^(ENETUNREACH|ECONNREFUSED|EHOSTUNREACH)$/);
    expect(report.dns).not.toBe('ok');
    // The gap a namespace leaves, asserted so the README's claim stays true: a Unix socket bound
    // to a file path is reached from inside the namespace (only neutralise-host stops it, below).
    expect(report.unix).toBe('connected');
    expect(accepted - before).toBe(1);
  }, 30_000);

  it('neutralise-host stops TCP, Unix-path sockets (which a namespace does not separate), UDP, DNS, HTTP, fetch and native bindings, without a namespace', async () => {
    const before = accepted;
    const report = await runProbe('neutralised', false);
    for (const key of ['tcp', 'tcpSocket', 'unix', 'signalParent', 'dgram', 'dns', 'http', 'fetch', 'linkedBinding', 'spawn', 'worker']) {
      expect({ key, outcome: report[key] }).toEqual({ key, outcome: 'ERR_SANDBOX_DENIED' });
    }
    expect(report.binding).toBe('ERR_SANDBOX_DENIED');
    // It still reported over IPC: neutralising the network left the channel to the parent working.
    expect(report.readInside).toBe('ok');
    expect(accepted).toBe(before);
  }, 30_000);
});

/** Running, i.e. present and not a zombie (a killed orphan may wait a moment for its reaper). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('a sandbox child whose worker dies', () => {
  it.skipIf(process.platform !== 'linux')('is killed by the kernel (parent-death signal) even while it spins and never sees the IPC channel close', async (ctx) => {
    if ((await parentDeathSignalSupport()) === undefined) ctx.skip();
    const spin = join(dir, 'bundle', 'spin.cjs');
    await writeFile(spin, 'while (true) {}\n');
    const parentScript = join(dir, 'orphan-parent.cjs');
    await buildNodeScript(ORPHAN_PARENT_ENTRY, parentScript);
    const worker = spawn(process.execPath, [parentScript, spin, dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const [{ pid }] = (await once(worker, 'message')) as [{ pid: number }];
    try {
      expect(running(pid)).toBe(true);
      worker.kill('SIGKILL');
      for (let i = 0; i < 300 && running(pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(running(pid)).toBe(false);
    } finally {
      worker.kill('SIGKILL');
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone: the point of the test */ }
    }
  }, 60_000);
});
