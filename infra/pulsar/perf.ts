// Pulsar's own Java perf tool (PulsarPerfTestTool from pulsar-testclient, shipped in the server
// distribution's lib/), pointed at one region of the stack with the superuser token. It is our
// reference client: tests use it to prove the stack, benchmarks to compare our client against.
// How it is launched and what it prints: infra/CLUSTERS.md §6.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { javaExecutable, pulsarHome } from './distribution.ts';
import { loadStackInfo, regionByName } from '../../platform/regions/index.ts';

export interface PerfRun {
  code: number;
  output: string;
}

/** Writes the client.conf the perf tool takes as its first argument, for one region. */
function perfClientConf(regionName: string): string {
  const info = loadStackInfo();
  const region = regionByName(info, regionName);
  const dir = path.join(info.stateDir, 'client');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${region.name}.conf`);
  writeFileSync(
    file,
    [
      `webServiceUrl=${region.webUrl}/`,
      `brokerServiceUrl=${region.brokerUrl}/`,
      'authPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken',
      `authParams=file://${info.superuserTokenFile}`,
      '',
    ].join('\n'),
  );
  return file;
}

function perfCommand(regionName: string, args: string[], env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } {
  const home = pulsarHome(env);
  return {
    command: javaExecutable(env),
    args: [
      `-Xmx${env.LODESTAR_PERF_HEAP ?? '512m'}`,
      '-Djava.net.preferIPv4Stack=true',
      '--add-opens', 'java.base/sun.net=ALL-UNNAMED',
      '--add-opens', 'java.base/java.lang=ALL-UNNAMED',
      '--add-opens', 'java.base/java.util.zip=ALL-UNNAMED',
      '--add-opens', 'java.base/java.nio=ALL-UNNAMED',
      '--add-opens', 'java.base/jdk.internal.misc=ALL-UNNAMED',
      '-Dio.netty.tryReflectionSetAccessible=true',
      '-Dorg.apache.pulsar.shade.io.netty.tryReflectionSetAccessible=true',
      '-Dlog4j.configurationFile=log4j2.yaml',
      '-Dpulsar.log.appender=Console',
      '-cp', `${path.join(home, 'conf')}:${path.join(home, 'lib', '*')}`,
      'org.apache.pulsar.testclient.PulsarPerfTestTool',
      perfClientConf(regionName),
      ...args,
    ],
  };
}

/** Runs the perf tool to completion, collecting its output (use -m/-time so it ends by itself). */
export function runPerf(regionName: string, args: string[], options: { echo?: boolean; timeoutMs?: number } = {}): Promise<PerfRun> {
  const { command, args: argv } = perfCommand(regionName, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/** The perf tool's final "Aggregated throughput stats" line (produce or consume), when present. */
export function aggregatedThroughput(output: string): { messages: number; rate: number } | undefined {
  const match = /Aggregated throughput stats --- ([\d,]+) records (?:sent|received) --- ([\d,.]+) msg\/s/.exec(output);
  if (!match) return undefined;
  return { messages: Number(match[1]!.replaceAll(',', '')), rate: Number(match[2]!.replaceAll(',', '')) };
}

async function main(argv: string[]): Promise<number> {
  let region = 'east';
  const regionAt = argv.indexOf('--region');
  if (regionAt >= 0) {
    region = argv[regionAt + 1] ?? region;
    argv.splice(regionAt, 2);
  }
  if (argv.length === 0 || argv[0] === '--help') {
    console.error('usage: infra/pulsar/perf.sh [--region east|west] produce|consume|read|transaction [perf-tool flags...]');
    return argv.length === 0 ? 2 : 0;
  }
  return (await runPerf(region, argv, { echo: true })).code;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: Error) => {
    console.error(`perf: ${error.message}`);
    process.exit(1);
  });
}
