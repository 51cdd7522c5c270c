// Redis per region, from the OS packages. Installed with apt-get when missing and we are root
// (CI machines start bare); otherwise we say how to install it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { PrerequisiteError } from '../pulsar/distribution.ts';

const run = promisify(execFile);

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

function findRedisServer(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export async function ensureRedisServer(log: (line: string) => void): Promise<string> {
  const found = findRedisServer();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new PrerequisiteError('redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server) and run again.');
  }
  log('redis-server is missing: installing it from the Debian packages (apt-get install redis-server)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-q'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'redis-server'], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new PrerequisiteError(`apt-get could not install redis-server: ${(error as Error).message}`);
  }
  const installed = findRedisServer();
  if (!installed) throw new PrerequisiteError('apt-get reported success but redis-server is still missing');
  return installed;
}

export function redisArgs(port: number, dir: string, pidFile: string): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--daemonize', 'no',
    '--pidfile', pidFile,
    // Redis is a view rebuilt from changelog topics (DESIGN.md), so periodic snapshots are enough.
    '--save', '60 1000',
    '--appendonly', 'no',
    '--logfile', '',
  ];
}

/** True when a Redis server answers PING on `port` within `timeoutMs`. */
export function pingRedis(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}
