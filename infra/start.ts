// `npm start`: everything a developer needs, in the foreground. Brings up (or reuses) the local
// two-region stack, prints where everything is, and on Ctrl-C stops only what it started.
// Later parts (control plane, workers, demo tenants) join the `parts` list as they land.
import { down, up } from './stack/stack.ts';
import { isExternalMode, loadStackInfo, type StackInfo } from './stack/stack-info.ts';

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

async function main(): Promise<void> {
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
    printSummary(info, parts);
  } catch (error) {
    console.error(`start failed: ${(error as Error).message}`);
    await stopAll(1);
  }
  // Stay in the foreground until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

void main();
