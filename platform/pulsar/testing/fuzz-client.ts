// `npm run fuzz:client -- --frames 1000000 [--seed n]`: the property of protocol/frame-fuzz.test.ts
// at scale (a script, not a CI test). The decoders run in a child process that reports progress
// every few thousand inputs; the parent ends it if it goes silent for --hang-ms (a hang: the
// decoders are synchronous, so an endless loop can only be seen from outside) and prints
// inputs, inputs that reached the command decoder and the payload decoder, errors by code,
// crashes and hangs.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { FuzzStats, mutatedFrameArbitrary, runDecoders } from './frame-fuzz.ts';

const PROGRESS_EVERY = 5000;

interface Progress { done: boolean; stats: FuzzStats; seed: number }

function option(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
}

function child(frames: number, seed: number): void {
  const stats = new FuzzStats();
  fc.assert(fc.property(mutatedFrameArbitrary, (input) => {
    const started = performance.now();
    stats.record(input, runDecoders(input.bytes, input.cuts), performance.now() - started);
    if (stats.inputs % PROGRESS_EVERY === 0) process.send!({ done: false, stats, seed } satisfies Progress);
  }), { numRuns: frames, seed, endOnFailure: true });
  process.send!({ done: true, stats, seed } satisfies Progress, () => process.exit(0));
}

function parent(argv: string[]): void {
  const frames = option(argv, '--frames', 100_000);
  const seed = option(argv, '--seed', Date.now() % 2 ** 31);
  const hangMs = option(argv, '--hang-ms', 120_000);
  const started = Date.now();
  const worker = fork(fileURLToPath(import.meta.url), ['--child', String(frames), String(seed)], { execArgv: ['--import', 'tsx'] });
  let last: Progress | undefined;
  let hangs = 0;
  let watchdog = setTimeout(onSilence, hangMs);
  function onSilence(): void {
    hangs = 1;
    worker.kill('SIGKILL');
  }
  // Stopped early (a deadline): end the child and still print what it got through.
  process.once('SIGTERM', () => worker.kill('SIGKILL'));
  process.once('SIGINT', () => worker.kill('SIGKILL'));
  worker.on('message', (progress: Progress) => {
    last = progress;
    clearTimeout(watchdog);
    if (!progress.done) {
      watchdog = setTimeout(onSilence, hangMs);
      process.stderr.write(`\r${progress.stats.inputs} inputs…`);
    }
  });
  worker.on('exit', (code) => {
    clearTimeout(watchdog);
    const s = last?.stats;
    const report = {
      seed,
      inputs: s?.inputs ?? 0,
      reachedCommandDecoder: s?.reachedCommandDecoder ?? 0,
      reachedPayloadDecoder: s?.reachedPayloadDecoder ?? 0,
      decodedFrames: s?.decodedFrames ?? 0,
      errorsByCode: s?.errorsByCode ?? {},
      byMutation: s?.byMutation ?? {},
      crashes: s?.crashes ?? 0,
      crashSamples: s?.crashSamples ?? [],
      hangs,
      slowestInputMs: Math.round((s?.slowestMs ?? 0) * 10) / 10,
      completed: last?.done === true,
      childExit: code,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    process.stderr.write('\n');
    console.log(JSON.stringify(report, null, 2));
    process.exit(report.completed && report.crashes === 0 && hangs === 0 ? 0 : 1);
  });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') child(Number(argv[1]), Number(argv[2]));
else parent(argv);
