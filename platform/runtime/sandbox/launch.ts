// How a sandbox child is started: the node flags of the permission model, the heap limit, an
// empty environment, and (when the host lets us) a network namespace of its own and a
// parent-death signal.
//
// Facts this relies on, checked on Node 20.20 (see isolation.test.ts):
// - Node 20 names the permission model `--experimental-permission` (22.13+ and 23.5+: `--permission`).
//   With it on, fs reads outside the --allow-fs-read paths, every fs write, child_process, worker
//   threads, addons, WASI and process.binding() throw ERR_ACCESS_DENIED. `--allow-fs-read` is
//   given once per path (a comma-joined list is read as one path on 20.20).
// - The permission model of Node 20 does not cover the network: sockets open freely. `unshare -n`
//   (CAP_SYS_ADMIN, i.e. root, or unprivileged user namespaces) gives the child a network namespace
//   with only a loopback that is down, so TCP/UDP/DNS fail in the kernel (ENETUNREACH, EAI_AGAIN).
//   unshare execs node in place, so the child's pid is node's pid (the CPU watchdog reads it).
//   Unix-domain sockets bound to a file path are NOT separated by a network namespace; those are
//   stopped in the child by neutralise-host.ts and by the bundle never holding `require`.
// - setpriv --pdeathsig KILL makes the kernel SIGKILL the child when the worker dies.
// - Node removes NODE_CHANNEL_FD from the child's process.env at start, so `env: {}` really leaves
//   the child's environment empty.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NetworkIsolation = {
  /** A Linux network namespace of its own (`unshare -n`) plus the in-process neutralisation. */
  Namespace: 'namespace',
  /** Only the in-process neutralisation of the network modules (no namespace available here). */
  InProcess: 'in-process',
} as const;
export type NetworkIsolation = (typeof NetworkIsolation)[keyof typeof NetworkIsolation];

export interface LaunchSpec {
  /** The script node runs (the sandbox child entry, or a test probe). */
  script: string;
  /** The only paths the child may read: its own script and its bundle's directory. */
  readable: string[];
  /** V8 old-space limit in MiB (--max-old-space-size). */
  heapMiB: number;
  /** Path of `unshare` (from networkNamespaceSupport()) to run the child in a network namespace. */
  unshare?: string;
  /** Path of `setpriv` (from parentDeathSignalSupport()) to have the kernel kill the child with its parent. */
  setpriv?: string;
  /** Arguments after the script (test probes take their mode there). */
  args?: string[];
  /** Working directory of the child (no read access is implied). */
  cwd: string;
}

function permissionFlag(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const stable = major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
  return stable ? '--permission' : '--experimental-permission';
}

/** The node flags that make a child a sandbox. */
export function sandboxNodeFlags(spec: Pick<LaunchSpec, 'readable' | 'heapMiB'>): string[] {
  const flags = [permissionFlag()];
  for (const path of spec.readable) flags.push(`--allow-fs-read=${path}`);
  flags.push(
    `--max-old-space-size=${Math.max(8, Math.floor(spec.heapMiB))}`,
    // eval and new Function off in the child's own realm: code that reaches a host function through
    // a leaked object cannot compile its way to `process` (the classic vm escape).
    '--disallow-code-generation-from-strings',
    '--no-addons',
  );
  if (process.allowedNodeEnvironmentFlags.has('--disable-warning')) flags.push('--disable-warning=ExperimentalWarning');
  return flags;
}

const UNSHARE_CANDIDATES = ['/usr/bin/unshare', '/bin/unshare', '/usr/sbin/unshare'];
const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv', '/usr/sbin/setpriv'];
const probes = new Map<string, Promise<string | undefined>>();

/** The first of `candidates` that exists and runs `<tool> ...args node -e 0` successfully here, once per process. */
function probeWrapper(candidates: readonly string[], args: readonly string[]): Promise<string | undefined> {
  const key = `${candidates[0]} ${args.join(' ')}`;
  let probe = probes.get(key);
  if (probe === undefined) {
    probe = (async () => {
      const tool = candidates.find((p) => existsSync(p));
      if (tool === undefined || process.platform !== 'linux') return undefined;
      const ok = await new Promise<boolean>((resolve) => {
        const child = spawn(tool, [...args, process.execPath, '-e', '0'], { env: {}, stdio: 'ignore' });
        child.once('error', () => resolve(false));
        child.once('exit', (code) => resolve(code === 0));
      });
      return ok ? tool : undefined;
    })();
    probes.set(key, probe);
  }
  return probe;
}

const UNSHARE_ARGS = ['-n'];
const SETPRIV_ARGS = ['--pdeathsig', 'KILL'];

/** The path of an `unshare` that can create a network namespace here (root or user namespaces), or undefined. */
export function networkNamespaceSupport(): Promise<string | undefined> {
  return probeWrapper(UNSHARE_CANDIDATES, UNSHARE_ARGS);
}

/**
 * The path of a `setpriv` that can set a parent-death signal, or undefined. With it the child is
 * SIGKILLed by the kernel when the worker dies, even while it spins in a loop that would never
 * notice the IPC channel closing (the watchdog died with the worker).
 */
export function parentDeathSignalSupport(): Promise<string | undefined> {
  return probeWrapper(SETPRIV_CANDIDATES, SETPRIV_ARGS);
}

export function launchSandboxProcess(spec: LaunchSpec): ChildProcess {
  // setpriv and unshare each exec the next program in place: one pid from start to node, and the
  // death signal (kept across exec for non-setuid programs) and the namespace both apply to node.
  const argv = [
    ...(spec.setpriv === undefined ? [] : [spec.setpriv, ...SETPRIV_ARGS]),
    ...(spec.unshare === undefined ? [] : [spec.unshare, ...UNSHARE_ARGS]),
    process.execPath, ...sandboxNodeFlags(spec), spec.script, ...(spec.args ?? []),
  ];
  return spawn(argv[0]!, argv.slice(1), {
    env: {},
    cwd: spec.cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
}
