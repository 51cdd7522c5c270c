import { describe, expect, it } from 'vitest';
import { aggregatedLatency, consumeArgs, logTimestamp, parsePerfOutput, produceArgs } from './java-reference.ts';

// Lines as PulsarPerfTestTool 4.0.8 printed them on the local stack (DEBUG lines and config dump left out).
const PRODUCE = `
2026-11-24T07:01:10,864+0000 [main] INFO  org.apache.pulsar.testclient.PerformanceProducer - Starting Pulsar perf producer with config: {
2026-11-24T07:01:11,781+0000 [pulsar-perf-producer-exec-1-1] INFO  org.apache.pulsar.testclient.PerformanceProducer - Adding 1 publishers on topic persistent://public/default/benchprobe-1795503649
2026-11-24T07:01:12,000+0000 [pulsar-perf-producer-exec-1-1] INFO  org.apache.pulsar.testclient.PerformanceProducer - Created 1 producers
2026-11-24T07:01:20,043+0000 [pulsar-perf-producer-exec-1-1] INFO  org.apache.pulsar.testclient.PerformanceProducer - ------------- DONE (reached the maximum duration: [8 seconds] of production) --------------
2026-11-24T07:01:20,889+0000 [perf-client-shutdown] INFO  org.apache.pulsar.testclient.PerformanceProducer - Aggregated throughput stats --- 669150 records sent --- 66765.227 msg/s --- 521.603 Mbit/s 
2026-11-24T07:01:20,963+0000 [perf-client-shutdown] INFO  org.apache.pulsar.testclient.PerformanceProducer - Aggregated latency stats --- Latency: mean:   9.637 ms - med:   6.944 - 95pct:  25.237 - 99pct:  42.616 - 99.9pct:  87.958 - 99.99pct: 114.900 - 99.999pct: 114.918 - Max: 122.825
`;

const CONSUME = `
2026-11-24T07:01:58,409+0000 [main] INFO  org.apache.pulsar.testclient.PerformanceConsumer - Adding 1 consumers per subscription on topic persistent://public/default/benchprobe-1795503649
2026-11-24T07:01:59,333+0000 [main] INFO  org.apache.pulsar.testclient.PerformanceConsumer - Start receiving from 1 consumers per subscription on 1 topics
2026-11-24T07:02:06,082+0000 [pulsar-external-listener-4-1] INFO  org.apache.pulsar.testclient.PerformanceConsumer - ------------------- DONE -----------------------
2026-11-24T07:02:06,084+0000 [perf-client-shutdown] INFO  org.apache.pulsar.testclient.PerformanceConsumer - Aggregated throughput stats --- 300000 records received --- 44545.775 msg/s --- 348.014 Mbit/s --- AckRate: 44545.62635756321  msg/s --- ack failed 0 msg
2026-11-24T07:02:06,310+0000 [perf-client-shutdown] INFO  org.apache.pulsar.testclient.PerformanceConsumer - Aggregated latency stats --- Latency: mean: 48972.597 ms - med: 49060 - 95pct: 49320 - 99pct: 49428 - 99.9pct: 49449 - 99.99pct: 49449 - 99.999pct: 49449 - Max: 49449
`;

describe('perf tool output', () => {
  it('reads log4j timestamps to the millisecond', () => {
    expect(logTimestamp('2026-11-24T07:01:20,043+0000 [main] INFO x')).toBe(Date.UTC(2026, 10, 24, 7, 1, 20, 43));
    expect(logTimestamp('2026-11-24T09:01:20,043+0200 x')).toBe(Date.UTC(2026, 10, 24, 7, 1, 20, 43));
    expect(logTimestamp('\tat org.apache.pulsar...')).toBeUndefined();
  });

  it('takes produce figures over the window from "Created producers" to "DONE"', () => {
    const f = parsePerfOutput(PRODUCE);
    expect(f.records).toBe(669_150);
    expect(f.toolRate).toBe(66_765.227);
    expect(f.activeMs).toBe(8_043);
    expect(f.rate).toBeCloseTo(669_150 / 8.043, 6);
    expect(f.latency).toEqual({ count: 669_150, mean: 9.637, p50: 6.944, p99: 42.616, p999: 87.958, max: 122.825 });
  });

  it('takes consume figures over the window from "Start receiving" to "DONE"', () => {
    const f = parsePerfOutput(CONSUME);
    expect(f.records).toBe(300_000);
    expect(f.activeMs).toBe(6_749);
    expect(f.rate).toBeCloseTo(300_000 / 6.749, 6);
    expect(aggregatedLatency(CONSUME)?.p99).toBe(49_428);
  });

  it('falls back to the tool\'s own rate without the log markers', () => {
    const f = parsePerfOutput(PRODUCE.split('\n').filter((l) => !/Created|DONE/.test(l)).join('\n'));
    expect(f.rate).toBeUndefined();
    expect(f.toolRate).toBe(66_765.227);
  });

  it('refuses a run that moved nothing, citing the tool\'s error', () => {
    const output = `2026-11-24T07:00:56,271+0000 [exec] ERROR org.apache.pulsar.testclient.PerformanceProducer - Got error
2026-11-24T07:01:04,408+0000 [perf-client-shutdown] INFO  org.apache.pulsar.testclient.PerformanceProducer - Aggregated throughput stats --- 0 records sent --- 0.000 msg/s --- 0.000 Mbit/s `;
    expect(() => parsePerfOutput(output)).toThrow(/moved no messages: .*Got error/);
    expect(() => parsePerfOutput('Exception in thread "main"')).toThrow(/no "Aggregated throughput stats"/);
  });
});

describe('perf tool arguments', () => {
  const base = { topic: 't', durationS: 15, sizeBytes: 1024, batchDelayMs: 1, batchMaxMessages: 1000, batchMaxBytes: 131072, maxOutstanding: 1000 };

  it('asks for an unreachable rate when unpaced: the tool refuses rate 0', () => {
    const args = produceArgs(base);
    expect(args[0]).toBe('produce');
    expect(args[args.indexOf('--rate') + 1]).toBe('10000000');
    expect(args.at(-1)).toBe('t');
    expect(args.join(' ')).toContain('--size 1024 --batch-time-window 1 --batch-max-messages 1000 --batch-max-bytes 131072 --max-outstanding 1000 --test-duration 15');
  });

  it('passes a paced rate as a whole number', () => {
    const args = produceArgs({ ...base, rate: 33_382.6 });
    expect(args[args.indexOf('--rate') + 1]).toBe('33383');
  });

  it('consumes from the earliest position with a message cap', () => {
    expect(consumeArgs({ topic: 't', subscription: 's', messages: 5, durationS: 20, receiverQueueSize: 1000 }).join(' '))
      .toBe('consume --subscriptions s --subscription-position Earliest --num-messages 5 --test-duration 20 --receiver-queue-size 1000 t');
  });
});
