// `npm run worker -- --region east --pipelines <file> --processors <module>`: the worker process.
// Parses its configuration once, starts, and drains on SIGTERM/SIGINT (a second signal forces).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { parseWorkerConfig } from './config.ts';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';
import { RuntimePipelines } from './pipeline.ts';
import type { ProcessorFactory } from './processor.ts';
import { regionEndpoints } from './region-endpoints.ts';
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

// The processors come from a module until the sandbox (platform/runtime/sandbox) is wired in here.
const processors = ((await import(pathToFileURL(path.resolve(config.processorsModule)).href)) as { default: ProcessorFactory }).default;
const worker = new Worker({
  workerId: config.workerId,
  region: config.region,
  endpoints: regionEndpoints(config),
  pipelines: loadPipelines(config.pipelinesFile),
  processors,
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
