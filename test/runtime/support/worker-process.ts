// A real worker process (`platform/runtime/worker-main.ts`) on the east region of the test stack,
// for tests that SIGKILL workers. Without `processorsModule` it runs the functions in sandboxes
// over the bundles the pipelines file names (the worker's default).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from '../../../platform/regions/index.ts';
import { uniqueName } from '../../helpers/index.ts';
import { info } from './pipeline-fixture.ts';

export interface WorkerProcess { child: ChildProcess; exited: Promise<unknown>; log: string[] }

const started: ChildProcess[] = [];

/** SIGKILLs every worker process this module started that is still running (a test's afterAll). */
export function killWorkerProcesses(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export function startWorkerProcess(pipelinesFile: string, processorsModule?: string): WorkerProcess {
  // `node --import tsx`, not the tsx CLI, so SIGKILL reaches the worker itself (see the copier test).
  const child = spawn(process.execPath, [
    '--import', 'tsx', path.join(repoRoot, 'platform/runtime/worker-main.ts'),
    '--region', 'east', '--pipelines', pipelinesFile, '--port', '0',
    ...(processorsModule === undefined ? [] : ['--processors', processorsModule]),
  ], {
    cwd: repoRoot,
    env: {
      ...process.env, LODESTAR_STATE_DIR: info.stateDir, LODESTAR_WORKER_ID: uniqueName('worker'),
      LODESTAR_WORKER_TXN_TIMEOUT_MS: '10000', LODESTAR_WORKER_BATCH_MAX_MESSAGES: '100', LODESTAR_WORKER_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const log: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => log.push(line));
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return { child, exited, log };
}
