// Background processes the stack owns: started detached (they outlive `npm run stack -- up`),
// remembered by pid file, and recognised by their command line so a recycled pid is never
// mistaken for ours.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** The pid in `pidFile` if that process is alive and its command line contains `marker`. */
export function livePid(pidFile: string, marker: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  const cmd = commandLine(pid);
  if (cmd === undefined || !cmd.includes(marker)) return undefined;
  // A zombie still has /proc/<pid> but is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a detached process with stdout and stderr appended to `logFile`; records its pid. */
export function spawnDetached(spec: SpawnSpec): number {
  const out = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether any thread of `pid` still runs. Not just the main thread's state: a JVM's main thread
 * can be a zombie while its other threads still exit, holding the sockets they share.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readdirSync(`/proc/${pid}/task`).some((tid) => {
      try {
        return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      } catch {
        return false; // the thread went away meanwhile
      }
    });
  } catch {
    return false;
  }
}

/**
 * After an unclean stop (its pid file left behind) the old process can still be tearing down when
 * it already looks dead: a JVM killed with -9 shows as a zombie once its main thread is gone, while
 * its other threads, and the sockets they share, take a while longer (a listening socket outlived
 * the kill by ~200 ms on an idle machine, longer in CI). Waits, bounded, for `ports` to be released
 * before anyone calls them taken. Without a pid file there is nothing to wait for.
 */
export async function waitForPortsReleased(pidFile: string, ports: number[], timeoutMs = 15_000): Promise<void> {
  if (readPid(pidFile) === undefined) return;
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await isPortFree(port)) && Date.now() < deadline) await sleep(100);
  }
}

/** SIGTERM (Pulsar's shutdown hook closes the broker, then the bookie), SIGKILL after `graceMs`. */
export async function stopProcess(pidFile: string, marker: string, graceMs = 30_000): Promise<boolean> {
  const pid = livePid(pidFile, marker);
  if (pid === undefined) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  rmSync(pidFile, { force: true });
  return true;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly holder: string,
    purpose: string,
  ) {
    super(`port ${port} (${purpose}) is already in use by ${holder}. Stop it, or move the stack's ports with LODESTAR_PORT_OFFSET=<n>.`);
  }
}

async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Describes who listens on `port`, from `ss`; a readable fallback when ss can't tell. */
async function portHolder(port: number): Promise<string> {
  try {
    const { stdout } = await run('ss', ['-ltnpH', `sport = :${port}`]);
    const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    if (users) return `${users[1]} (pid ${users[2]})`;
  } catch {
    // ss missing or not permitted: fall through.
  }
  return 'another process (run `ss -ltnp` to see which)';
}

export async function assertPortFree(port: number, purpose: string): Promise<void> {
  if (!(await isPortFree(port))) throw new PortInUseError(port, await portHolder(port), purpose);
}
