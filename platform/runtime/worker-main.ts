// `npm run worker -- --region east --pipelines <file> [--processors <module>]`: the worker process.
// Parses its configuration once, starts, and drains on SIGTERM/SIGINT (a second signal forces).
// The functions run in sandboxes over the bundles the pipelines file names, unless a module
// (tests: in-process test functions) supplies the processors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { parseWorkerConfig } from './config.ts';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';
import { RuntimePipelines, type RuntimePipeline } from './pipeline.ts';
import type { ProcessorFactory } from './processor.ts';
import { regionEndpoints } from './region-endpoints.ts';
import { SandboxProcessors } from './sandbox-processors.ts';
import { Worker } from './worker.ts';

const config = parseWorkerConfig(process.env, process.argv.slice(2));
const logger = pino({ level: config.logLevel, base: { worker: config.workerId, region: config.region }, redact: ['token', '*.token'] });

function loadPipelines(file: string) {
  const parsed = RuntimePipelines.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new RuntimeError(RuntimeErrorCode.InvalidPipeline, `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

async function processorFactory(pipelines: RuntimePipeline[]): Promise<{ factory: ProcessorFactory; dispose(): void }> {
  if (config.processorsModule !== undefined) {
    const factory = ((await import(pathToFileURL(path.resolve(config.processorsModule)).href)) as { default: ProcessorFactory }).default;
    return { factory, dispose: () => undefined };
  }
  const sandboxes = new SandboxProcessors(pipelines, { baseDir: path.dirname(path.resolve(config.pipelinesFile)), logger });
  return { factory: sandboxes.factory, dispose: () => sandboxes.dispose() };
}

let pipelines: RuntimePipeline[];
let processors: Awaited<ReturnType<typeof processorFactory>>;
try {
  pipelines = loadPipelines(config.pipelinesFile);
  processors = await processorFactory(pipelines);
} catch (err) {
  logger.fatal({ err: String(err) }, 'worker failed');
  process.exit(1);
}
process.on('exit', () => processors.dispose());
const worker = new Worker({
  workerId: config.workerId,
  region: config.region,
  endpoints: regionEndpoints(config),
  pipelines,
  processors: processors.factory,
  loop: config.loop,
  graceMs: config.graceMs,
  http: { host: config.host, port: config.port },
  logger,
});

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'draining');
    void worker.stop().then(() => process.exit(0), () => process.exit(1));
  });
}

try {
  await worker.start();
} catch (err) {
  logger.fatal({ err: String(err) }, 'worker failed');
  process.exit(1);
}
