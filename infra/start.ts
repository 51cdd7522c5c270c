// `npm start`: everything a developer needs, in the foreground. Brings up (or reuses) the local
// two-region stack, starts the control plane and applies the demo tenants (tenants/*), prints
// where everything is, and on Ctrl-C stops only what it started.
// Later parts (runtime workers) join the `parts` list as they land.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { applyTenantDir, loadTenantDir, startControlPlane } from '../platform/control-plane/index.ts';
import { down, up } from './stack/stack.ts';
import { isExternalMode, loadStackInfo, readSuperuserToken, repoRoot, type StackInfo } from '../platform/regions/index.ts';
import { assertPortFree } from './stack/processes.ts';

interface RunningPart {
  name: string;
  summary: string[];
  stop(): Promise<void>;
}

async function startStack(): Promise<{ info: StackInfo; part: RunningPart }> {
  if (isExternalMode()) {
    const info = loadStackInfo();
    return { info, part: { name: 'stack (external)', summary: [], stop: async () => {} } };
  }
  const { info, started } = await up();
  return {
    info,
    part: {
      name: 'stack',
      summary: started.length > 0 ? [`started: ${started.join(', ')}`] : ['reused an already running stack (left running on exit)'],
      stop: async () => {
        if (started.length > 0) await down({ only: started });
      },
    },
  };
}

async function startControlPlanePart(info: StackInfo): Promise<RunningPart> {
  const port = Number(process.env.LODESTAR_CP_PORT ?? 8480);
  await assertPortFree(port, 'control plane (LODESTAR_CP_PORT)');
  const { app, address } = await startControlPlane({ LODESTAR_CP_LOG_LEVEL: 'warn', ...process.env });
  const summary = [`${address}  (OpenAPI UI ${address}/docs, JSON ${address}/docs/json, metrics ${address}/metrics)`];
  // The demo tenants of DESIGN.md's reference workloads; applying is idempotent.
  const tenantsDir = path.join(repoRoot, 'tenants');
  const token = readSuperuserToken(info);
  for (const name of readdirSync(tenantsDir).filter((d) => statSync(path.join(tenantsDir, d)).isDirectory()).sort()) {
    try {
      const result = await applyTenantDir(await loadTenantDir(path.join(tenantsDir, name)), { url: address, token });
      summary.push(`demo tenant ${name}: ${result.changes === 0 ? 'up to date' : `${result.changes} change(s) applied`}`);
    } catch (error) {
      summary.push(`demo tenant ${name}: NOT applied (${(error as Error).message})`);
    }
  }
  return { name: 'control plane', summary, stop: () => app.close() };
}

function printSummary(info: StackInfo, parts: RunningPart[]): void {
  const lines = [
    '',
    'Lodestar is running.',
    ...info.regions.map(
      (r) => `  ${r.name.padEnd(5)} ${r.healthy ? 'healthy' : 'UNHEALTHY'}  broker ${r.brokerUrl}  admin ${r.webUrl}/admin/v2  redis ${r.redisUrl}`,
    ),
    `  superuser token: ${info.superuserTokenFile}`,
    ...parts.flatMap((p) => p.summary.map((s) => `  ${p.name}: ${s}`)),
    '  Pulsar perf tool: infra/pulsar/perf.sh --region east produce ...',
    '  stack status:     npm run stack -- status',
    'Press Ctrl-C to stop what this command started.',
  ];
  console.log(lines.join('\n'));
}

/**
 * `npm start | tee start.log`, then Ctrl-C: the signal ends tee too, and the next line written to
 * the closed pipe ("stopping...", the stack's shutdown log) fails with EPIPE. Unhandled, that error
 * ends this process before it has stopped what it started, leaving the whole stack running. Once
 * nobody reads the output, losing it is harmless; stopping matters.
 */
function survivePipeClosed(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

async function main(): Promise<void> {
  survivePipeClosed(process.stdout);
  survivePipeClosed(process.stderr);
  const parts: RunningPart[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    for (const part of parts.reverse()) {
      try {
        await part.stop();
      } catch (error) {
        console.error(`stopping ${part.name}: ${(error as Error).message}`);
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const { info, part } = await startStack();
    parts.push(part);
    parts.push(await startControlPlanePart(info));
    printSummary(info, parts);
  } catch (error) {
    console.error(`start failed: ${(error as Error).message}`);
    await stopAll(1);
  }
  // Stay in the foreground until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

void main();
