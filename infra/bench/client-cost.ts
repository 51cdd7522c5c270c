// `npx tsx infra/bench/client-cost.ts [--duration 15]`: only the fake-broker phase of
// bench:client (client CPU µs per produced and consumed message), for before/after comparisons
// of client changes without the local stack. A script that prints figures, never a timed test.
import { measureClientCost } from './fake-broker-phase.ts';

const i = process.argv.indexOf('--duration');
const durationMs = (i >= 0 ? Number(process.argv[i + 1]) : 15) * 1000;
if (!(durationMs >= 1000)) throw new Error('--duration must be at least 1 second');
const cost = await measureClientCost({
  durationMs, warmupMs: Math.min(3000, durationMs / 5), sizeBytes: 1024, batchDelayMs: 1,
  batchMaxMessages: 1000, batchMaxBytes: 128 * 1024, maxOutstanding: 1000, receiverQueueSize: 1000,
});
const row = (r: typeof cost.produce) => `${r.messages} msgs, ${Math.round(r.rate)} msg/s, ${r.cpuUsPerMessage.toFixed(2)} µs/msg CPU`;
process.stdout.write(`produce: ${row(cost.produce)}\nconsume: ${row(cost.consume)}\n`);
process.exit(0);
