// The Java reference (DESIGN.md, "References measured in the same run"): Pulsar's own perf tool
// (PulsarPerfTestTool) on the same broker, produce and consume, with the stack's token.
//
// Its "Aggregated throughput stats" divide by the time since the tool started, which includes
// JVM start, client creation and a shutdown hook that may take seconds, so that figure is kept
// for the record but the rate we compare is records / active window: from the log line that says
// the producers (or consumers) exist to the "DONE" line, both timestamped to the millisecond.
import { aggregatedThroughput, runPerf } from '../pulsar/perf.ts';
import type { LatencySummary } from './histogram.ts';

export interface ProduceSettings {
  topic: string;
  durationS: number;
  /** msg/s; undefined = as fast as possible. */
  rate?: number;
  sizeBytes: number;
  batchDelayMs: number;
  batchMaxMessages: number;
  batchMaxBytes: number;
  maxOutstanding: number;
}

export interface ConsumeSettings {
  topic: string;
  subscription: string;
  /** Stop after this many messages or `durationS`, whichever comes first. */
  messages: number;
  durationS: number;
  receiverQueueSize: number;
}

export interface PerfFigures {
  records: number;
  /** The tool's own aggregated msg/s (elapsed since JVM start, see above). */
  toolRate: number;
  /** records / activeMs, the rate we compare; undefined when the log lacks the markers. */
  rate?: number;
  activeMs?: number;
  /** Publish latency (send → ack) for produce, end-to-end for consume: the tool's HdrHistogram, ms. */
  latency?: LatencySummary;
}

/** The perf tool asks Guava for a rate limiter, which refuses 0: "unlimited" is a rate nobody reaches. */
const UNLIMITED_RATE = 10_000_000;

export function produceArgs(s: ProduceSettings): string[] {
  return [
    'produce',
    '--rate', String(Math.max(1, Math.round(s.rate ?? UNLIMITED_RATE))),
    '--size', String(s.sizeBytes),
    '--batch-time-window', String(s.batchDelayMs),
    '--batch-max-messages', String(s.batchMaxMessages),
    '--batch-max-bytes', String(s.batchMaxBytes),
    '--max-outstanding', String(s.maxOutstanding),
    '--test-duration', String(s.durationS),
    s.topic,
  ];
}

export function consumeArgs(s: ConsumeSettings): string[] {
  return [
    'consume',
    '--subscriptions', s.subscription,
    '--subscription-position', 'Earliest',
    '--num-messages', String(s.messages),
    '--test-duration', String(s.durationS),
    '--receiver-queue-size', String(s.receiverQueueSize),
    s.topic,
  ];
}

/** log4j's `2026-11-24T07:01:20,043+0000` at the start of a line, as epoch ms. */
export function logTimestamp(line: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d),(\d{3})([+-]\d\d)(\d\d)/.exec(line);
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}.${m[2]}${m[3]}:${m[4]}`);
  return Number.isNaN(t) ? undefined : t;
}

function firstLineTime(lines: string[], pattern: RegExp): number | undefined {
  const line = lines.find((l) => pattern.test(l));
  return line === undefined ? undefined : logTimestamp(line);
}

function num(text: string): number {
  return Number(text.replaceAll(',', ''));
}

/** The "Aggregated latency stats" line: `mean: 9.637 ms - med: 6.944 - ... - 99.9pct: 87.958 - ... - Max: 122.825`. */
export function aggregatedLatency(output: string): LatencySummary | undefined {
  const m = /Aggregated latency stats --- Latency: mean:\s*([\d,.]+) ms - med:\s*([\d,.]+) - 95pct:\s*[\d,.]+ - 99pct:\s*([\d,.]+) - 99\.9pct:\s*([\d,.]+) .*- Max:\s*([\d,.]+)/.exec(output);
  if (!m) return undefined;
  return { count: 0, mean: num(m[1]!), p50: num(m[2]!), p99: num(m[3]!), p999: num(m[4]!), max: num(m[5]!) };
}

/** Figures from a finished perf run; throws when the tool reported nothing (it exits 0 even then). */
export function parsePerfOutput(output: string): PerfFigures {
  const throughput = aggregatedThroughput(output);
  if (!throughput) throw new Error('perf tool printed no "Aggregated throughput stats" line');
  if (throughput.messages === 0) {
    const error = output.split('\n').find((l) => / ERROR /.test(l));
    throw new Error(`perf tool moved no messages${error ? `: ${error.trim()}` : ''}`);
  }
  const lines = output.split('\n');
  const start = firstLineTime(lines, /PerformanceProducer - Created \d+ producers|PerformanceConsumer - Start receiving from/);
  const done = firstLineTime(lines, /-{5,} DONE/);
  const figures: PerfFigures = { records: throughput.messages, toolRate: throughput.rate };
  if (start !== undefined && done !== undefined && done > start) {
    figures.activeMs = done - start;
    figures.rate = throughput.messages / (figures.activeMs / 1000);
  }
  const latency = aggregatedLatency(output);
  if (latency) figures.latency = { ...latency, count: throughput.messages };
  return figures;
}

async function run(region: string, args: string[], durationS: number): Promise<PerfFigures> {
  // JVM start and a slow shutdown hook come on top of the test duration.
  const result = await runPerf(region, args, { timeoutMs: (durationS + 120) * 1000 });
  if (result.code !== 0) throw new Error(`perf tool exited with ${result.code}: ${result.output.slice(-2000)}`);
  return parsePerfOutput(result.output);
}

export function javaProduce(region: string, settings: ProduceSettings): Promise<PerfFigures> {
  return run(region, produceArgs(settings), settings.durationS);
}

export function javaConsume(region: string, settings: ConsumeSettings): Promise<PerfFigures> {
  return run(region, consumeArgs(settings), settings.durationS);
}
