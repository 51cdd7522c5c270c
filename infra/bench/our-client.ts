// Our client's side of the benchmark: a produce loop shaped like the perf tool's (a bounded
// number of outstanding sends, optionally paced to a rate), a backlog consumer, and a
// consume-transform-produce copier with and without transactions. Only the public API of
// platform/pulsar is used, as an application would.
import type { Consumer, Message, Producer, PulsarClient } from '../../platform/pulsar/index.ts';
import { LatencyHistogram, type LatencySummary } from './histogram.ts';
import { watchPauses, type Pauses } from './pauses.ts';

export interface PhaseResult {
  messages: number;
  elapsedMs: number;
  rate: number;
  errors: number;
  /** Send → ack for produce; receive → output persisted (or commit) for copiers. */
  latency?: LatencySummary;
  /** process.cpuUsage() user + system over the phase, µs per message. */
  cpuUsPerMessage: number;
  /** Event-loop delay and GC pauses of this process during the phase. */
  pauses?: Pauses;
  /** Produce only: the slowest recorded ack, and when (s after the phase start) its send was made. */
  slowest?: { ms: number; sentAtS: number };
  firstError?: string;
}

export interface ProduceLoopOptions {
  durationMs: number;
  sizeBytes: number;
  maxOutstanding: number;
  /** msg/s; undefined = as fast as the outstanding limit allows. */
  rate?: number;
  /** Record send → ack latencies (off when only CPU cost is wanted). */
  latency?: boolean;
  /**
   * Acks in the first this many ms are counted but their latencies not recorded. Default 1000,
   * as pulsar-perf's `--warmup-time` (1 s): its PerformanceProducer records a latency only when
   * the ack comes after startTime + warmup, so both histograms leave out the same first second.
   */
  latencyWarmupMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function finish(messages: number, errors: number, startedAt: number, endedAt: number, cpu: NodeJS.CpuUsage, extra: Partial<PhaseResult> = {}): PhaseResult {
  const elapsedMs = Math.max(1e-3, endedAt - startedAt);
  return {
    messages,
    elapsedMs,
    rate: messages / (elapsedMs / 1000),
    errors,
    cpuUsPerMessage: messages === 0 ? 0 : (cpu.user + cpu.system) / messages,
    ...extra,
  };
}

/**
 * Sends `sizeBytes` messages for `durationMs`, never more than `maxOutstanding` unacknowledged
 * (like pulsar-perf's semaphore). Paced sends are issued every millisecond to catch up with
 * `rate`. The rate counts acked messages over first send → last ack.
 */
export async function produceLoop(producer: Producer, options: ProduceLoopOptions): Promise<PhaseResult> {
  const payload = Buffer.alloc(options.sizeBytes, 0x61);
  const histogram = options.latency === false ? undefined : new LatencyHistogram();
  let acked = 0;
  let errors = 0;
  let firstError: string | undefined;
  let inflight = 0;
  let lastAck = 0;
  let wake: (() => void) | undefined;
  const settle = () => {
    inflight--;
    lastAck = performance.now();
    const w = wake;
    wake = undefined;
    w?.();
  };
  const stopWatching = watchPauses();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + options.durationMs;
  const recordFrom = start + (options.latencyWarmupMs ?? 1000);
  let slowest: { ms: number; sentAtS: number } | undefined;
  let sent = 0;
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    const due = options.rate === undefined ? Infinity : Math.floor(((now - start) / 1000) * options.rate);
    if (sent < due && inflight < options.maxOutstanding) {
      const t0 = performance.now();
      inflight++;
      sent++;
      producer.send({ value: payload }).then(
        () => {
          acked++;
          const ackedAt = performance.now();
          if (ackedAt > recordFrom && histogram) {
            const ms = ackedAt - t0;
            histogram.record(ms);
            if (!slowest || ms > slowest.ms) slowest = { ms, sentAtS: (t0 - start) / 1000 };
          }
          settle();
        },
        (err: Error) => { errors++; firstError ??= err.message; settle(); },
      );
      continue;
    }
    if (inflight >= options.maxOutstanding) await new Promise<void>((resolve) => { wake = resolve; });
    else await sleep(1); // paced and ahead of schedule
  }
  await producer.flush().catch(() => undefined);
  while (inflight > 0) await new Promise<void>((resolve) => { wake = resolve; });
  const cpu = process.cpuUsage(cpu0);
  return finish(acked, errors, start, lastAck || performance.now(), cpu, {
    pauses: stopWatching(),
    ...(slowest ? { slowest } : {}),
    ...(histogram ? { latency: histogram.summary() } : {}),
    ...(firstError ? { firstError } : {}),
  });
}

/** Receives (and acks) until `messages` arrived or `durationMs` passed; rate over first receive call → last message. */
export async function consumeLoop(consumer: Consumer, options: { messages: number; durationMs: number; batch?: number }): Promise<PhaseResult> {
  let received = 0;
  let errors = 0;
  const stopWatching = watchPauses();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + options.durationMs;
  let last = start;
  while (received < options.messages) {
    const left = end - performance.now();
    if (left <= 0) break;
    const batch = await consumer.receiveBatch({ maxMessages: options.batch ?? 1000, timeoutMs: Math.min(left, 1000) });
    for (const m of batch) {
      if (m.error) errors++;
      consumer.ack(m);
    }
    if (batch.length > 0) last = performance.now();
    received += batch.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return finish(received, errors, start, last, cpu, { pauses: stopWatching() });
}

export interface CopierOptions {
  input: Consumer;
  output: Producer;
  /** Consume-transform-produce in one transaction per batch (DESIGN.md, exactly-once loop). */
  transactional: boolean;
  /** Messages per batch (and per transaction). */
  batchSize: number;
  /**
   * Batches in flight: the next batch is received and sent while earlier ones are still being
   * persisted or committed, as a runtime would. The same depth for both modes keeps the
   * comparison fair. Default 1 (strictly one batch at a time).
   */
  inflight?: number;
  durationMs: number;
  /** Stop after this many input messages. */
  messages: number;
}

/** "Transform" stands for a function: a copy with one property added. */
function transform(m: Message): { value: Buffer; properties: Record<string, string> } {
  return { value: m.value, properties: { copiedFrom: m.id.toString() } };
}

/**
 * The runtime's loop in miniature: receive a batch, produce one output per input, then either
 * ack the inputs once the outputs are persisted, or do both inside a transaction and commit.
 */
export async function copyLoop(client: PulsarClient, options: CopierOptions): Promise<PhaseResult> {
  const histogram = new LatencyHistogram();
  const depth = Math.max(1, options.inflight ?? 1);
  let copied = 0;
  let taken = 0;
  let errors = 0;
  let firstError: string | undefined;
  const stopWatching = watchPauses();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + options.durationMs;
  let last = start;
  const inflight = new Set<Promise<void>>();

  const copyBatch = async (batch: Message[]): Promise<void> => {
    const t0 = performance.now();
    try {
      if (options.transactional) {
        const txn = await client.newTransaction({ timeoutMs: 60_000 });
        const sends = batch.map((m) => options.output.send(transform(m), { txn }));
        await Promise.all([...sends, options.input.ackWithTxn(batch, txn)]);
        await txn.commit();
      } else {
        await Promise.all(batch.map((m) => options.output.send(transform(m))));
        for (const m of batch) options.input.ack(m);
      }
      const t1 = performance.now();
      for (let i = 0; i < batch.length; i++) histogram.record(t1 - t0);
      copied += batch.length;
      last = t1;
    } catch (err) {
      errors += batch.length;
      firstError ??= (err as Error).message;
    }
  };

  while (taken < options.messages && errors <= 10 * options.batchSize) {
    const left = end - performance.now();
    if (left <= 0) break;
    const batch = await options.input.receiveBatch({ maxMessages: Math.min(options.batchSize, options.messages - taken), timeoutMs: Math.min(left, 1000) });
    if (batch.length === 0) continue;
    taken += batch.length;
    // A failed batch is not retried: the comparison is about the happy path's cost.
    const running: Promise<void> = copyBatch(batch).finally(() => inflight.delete(running));
    inflight.add(running);
    if (inflight.size >= depth) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const cpu = process.cpuUsage(cpu0);
  return finish(copied, errors, start, last, cpu, { pauses: stopWatching(), latency: histogram.summary(), ...(firstError ? { firstError } : {}) });
}
