// `npm run bench:client [-- --duration 15] [--json] [--region east] [--txn-batch 500] [--copy-inflight 4]`
// The client benchmark, in one run on one broker: the Java perf tool and our client, produce and
// consume, 1 KiB messages, batching on, same window, outstanding limit and duration; both at half
// of Java's max rate; our transactional copier against a plain one; and our client's CPU cost per
// message against a fake broker. A script that prints figures, never a timed test.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { diskSpace, diskWarning } from '../stack/disk.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { javaConsume, javaProduce, type PerfFigures } from './java-reference.ts';
import { consumeLoop, copyLoop, produceLoop, type PhaseResult } from './our-client.ts';
import { measureClientCost } from './fake-broker-phase.ts';
import { GOALS, evaluateGoals, formatText, type BenchReport, type GoalInputs, type PhaseRow } from './report.ts';

interface Args {
  durationS: number;
  json: boolean;
  region: string;
  txnBatch: number;
  copyInflight: number;
}

function parseArgs(argv: string[]): Args {
  // A transaction per 500 messages is ~8 ms of input at 60k msg/s, well inside a decision's
  // latency budget (Kafka Streams' exactly-once commits every 100 ms by default). Each
  // transaction costs the broker ~5 sequential log writes whatever its size, so smaller batches
  // measure those round trips more than the client (README: 100 gave 0.38-0.52x, 500 0.65-0.75x).
  const args: Args = { durationS: 15, json: false, region: 'east', txnBatch: 500, copyInflight: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--duration') args.durationS = Number(value());
    else if (a === '--region') args.region = value();
    else if (a === '--txn-batch') args.txnBatch = Number(value());
    else if (a === '--copy-inflight') args.copyInflight = Number(value());
    else throw new Error(`unknown option ${a} (use --duration <s>, --json, --region <name>, --txn-batch <n>, --copy-inflight <n>)`);
  }
  if (!(args.durationS >= 1)) throw new Error('--duration must be at least 1 second');
  if (!(args.txnBatch >= 1)) throw new Error('--txn-batch must be at least 1');
  if (!(args.copyInflight >= 1)) throw new Error('--copy-inflight must be at least 1');
  return args;
}

const SIZE = 1024;
const BATCH = { delayMs: 1, maxMessages: 1000, maxBytes: 128 * 1024 };
const MAX_OUTSTANDING = 1000;
const RECEIVER_QUEUE = 1000;
/** The perf tool's consume duration starts at JVM start; subscribing takes it about 3 s here. */
const CONSUME_SETUP_S = 5;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  const info = loadStackInfo();
  const region = regionByName(info, args.region);
  const token = readSuperuserToken(info);
  // A run writes a few GiB; a bookie past 99% disk fails every phase with an unhelpful error.
  if (info.mode === 'local') {
    const lowDisk = diskWarning(diskSpace(info.stateDir));
    if (lowDisk) log(`warning: ${lowDisk}`);
  }
  const durationMs = args.durationS * 1000;
  const id = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const topic = (name: string) => `persistent://public/default/bench-${id}-${name}`;
  const topics = {
    java: topic('java'), ours: topic('ours'), javaHalf: topic('java-half'), oursHalf: topic('ours-half'),
    copyPlain: topic('copy-plain'), copyTxn: topic('copy-txn'),
  };

  const rows: PhaseRow[] = [];
  const notMeasured: { what: string; why: string }[] = [];
  const g: GoalInputs = { reasons: {} };
  const failed = (what: string, goals: string[], err: unknown) => {
    const why = (err as Error)?.message ?? String(err);
    log(`${what} failed: ${why}`);
    notMeasured.push({ what, why });
    for (const goal of goals) g.reasons![goal] ??= `${what}: ${why}`;
  };
  const javaRow = (phase: string, f: PerfFigures, latency: boolean): PhaseRow => ({
    phase, client: 'java', messages: f.records, rate: f.rate ?? f.toolRate,
    ...(latency && f.latency ? { latency: f.latency } : {}),
    note: `perf tool's own aggregate ${Math.round(f.toolRate)} msg/s${f.rate === undefined ? ' (no log markers: used as is)' : ''}`,
  });
  const oursRow = (phase: string, r: PhaseResult, note?: string): PhaseRow => ({
    phase, client: 'ours', messages: r.messages, rate: r.rate, cpuUsPerMessage: r.cpuUsPerMessage,
    ...(r.pauses ? { pauses: r.pauses } : {}),
    ...(r.slowest ? { slowest: r.slowest } : {}),
    ...(r.latency ? { latency: r.latency } : {}),
    ...(r.errors || note ? { note: [note, r.errors ? `${r.errors} errors, first: ${r.firstError}` : ''].filter(Boolean).join('; ') } : {}),
  });
  const produceSettings = {
    durationS: args.durationS, sizeBytes: SIZE, batchDelayMs: BATCH.delayMs, batchMaxMessages: BATCH.maxMessages,
    batchMaxBytes: BATCH.maxBytes, maxOutstanding: MAX_OUTSTANDING,
  };
  const producerOptions = {
    batching: { maxDelayMs: BATCH.delayMs, maxMessages: BATCH.maxMessages, maxBytes: BATCH.maxBytes },
    maxPendingMessages: MAX_OUTSTANDING,
  };

  const client = new PulsarClient({ serviceUrl: region.brokerUrl, token, operationTimeoutMs: 30_000 });
  try {
    // Durable subscriptions first, so the backlogs the produce phases write are kept for the
    // consume and copy phases (public/default has no retention).
    for (const [t, subs] of [[topics.java, ['java-consume', 'ours-consume']], [topics.ours, ['copy-plain', 'copy-txn']]] as const) {
      for (const subscription of subs) await (await client.subscribe({ topic: t, subscription, initialPosition: 'Earliest' })).close();
    }

    // 1, 2. Max rate produce.
    let javaProduceFigures: PerfFigures | undefined;
    try {
      log(`Java produce, max rate, ${args.durationS} s`);
      javaProduceFigures = await javaProduce(region.name, { ...produceSettings, topic: topics.java });
      rows.push(javaRow('produce, max rate', javaProduceFigures, true));
      g.javaProduceRate = javaProduceFigures.rate ?? javaProduceFigures.toolRate;
    } catch (err) { failed('Java produce', [GOALS.produce, GOALS.consume, GOALS.halfP99], err); }
    try {
      log(`our produce, max rate, ${args.durationS} s`);
      const producer = await client.createProducer({ topic: topics.ours, ...producerOptions });
      const r = await produceLoop(producer, { durationMs, sizeBytes: SIZE, maxOutstanding: MAX_OUTSTANDING });
      await producer.close();
      rows.push(oursRow('produce, max rate', r));
      g.oursProduceRate = r.rate;
    } catch (err) { failed('our produce', [GOALS.produce, GOALS.txn], err); }

    // 1, 2. Consume the backlog Java wrote: Java first, then ours reads the same entries, as many
    // messages as Java received. The perf tool counts its test duration from JVM start, not from
    // subscribing, so it gets a few seconds more; both rates are over their active windows.
    const backlog = javaProduceFigures?.records ?? 0;
    if (backlog > 0) {
      let count = backlog;
      try {
        log(`Java consume, up to ${backlog} messages or ${args.durationS + CONSUME_SETUP_S} s`);
        const f = await javaConsume(region.name, {
          topic: topics.java, subscription: 'java-consume', messages: backlog, durationS: args.durationS + CONSUME_SETUP_S, receiverQueueSize: RECEIVER_QUEUE,
        });
        rows.push(javaRow('consume backlog', f, false));
        g.javaConsumeRate = f.rate ?? f.toolRate;
        count = f.records;
      } catch (err) { failed('Java consume', [GOALS.consume], err); }
      try {
        log(`our consume, up to ${count} messages or ${args.durationS + CONSUME_SETUP_S} s`);
        const consumer = await client.subscribe({ topic: topics.java, subscription: 'ours-consume', receiverQueueSize: RECEIVER_QUEUE });
        const r = await consumeLoop(consumer, { messages: count, durationMs: durationMs + CONSUME_SETUP_S * 1000 });
        await consumer.close();
        rows.push(oursRow('consume backlog', r));
        g.oursConsumeRate = r.rate;
      } catch (err) { failed('our consume', [GOALS.consume], err); }
    }

    // 3. Half of Java's max rate, both clients.
    if (g.javaProduceRate) {
      const rate = Math.round(g.javaProduceRate / 2);
      g.halfRate = rate;
      try {
        log(`Java produce at ${rate} msg/s, ${args.durationS} s`);
        const f = await javaProduce(region.name, { ...produceSettings, rate, topic: topics.javaHalf });
        rows.push(javaRow(`produce at ${rate} msg/s`, f, true));
        g.javaHalfP99 = f.latency?.p99;
        g.javaHalfAchieved = f.rate ?? f.toolRate;
      } catch (err) { failed('Java produce at half rate', [GOALS.halfP99], err); }
      try {
        log(`our produce at ${rate} msg/s, ${args.durationS} s`);
        const producer = await client.createProducer({ topic: topics.oursHalf, ...producerOptions });
        const r = await produceLoop(producer, { durationMs, sizeBytes: SIZE, maxOutstanding: MAX_OUTSTANDING, rate });
        await producer.close();
        rows.push(oursRow(`produce at ${rate} msg/s`, r));
        g.oursHalfP99 = r.latency?.p99;
        g.oursHalfAchieved = r.rate;
      } catch (err) { failed('our produce at half rate', [GOALS.halfP99], err); }
    }

    // 4. Copiers over the backlog our produce phase wrote, plain first, then transactional.
    const input = g.oursProduceRate ? Math.round(g.oursProduceRate * args.durationS) : 0;
    if (input > 0) {
      for (const transactional of [false, true]) {
        const what = transactional ? 'transactional copier' : 'plain copier';
        try {
          log(`${what}, batches of ${args.txnBatch}, ${args.copyInflight} in flight, ${args.durationS} s`);
          const consumer = await client.subscribe({ topic: topics.ours, subscription: transactional ? 'copy-txn' : 'copy-plain', receiverQueueSize: RECEIVER_QUEUE });
          const producer = await client.createProducer({
            topic: transactional ? topics.copyTxn : topics.copyPlain, ...producerOptions, ...(transactional ? { transactional: true } : {}),
          });
          const r = await copyLoop(client, { input: consumer, output: producer, transactional, batchSize: args.txnBatch, inflight: args.copyInflight, durationMs, messages: input });
          await producer.close();
          await consumer.close();
          rows.push(oursRow(`copy, ${transactional ? 'txn per batch' : 'no txn'}`, r, `batches of ${args.txnBatch}, ${args.copyInflight} in flight`));
          if (r.messages === 0) throw new Error(`copied nothing${r.firstError ? `: ${r.firstError}` : ''}`);
          if (transactional) g.txnCopyRate = r.rate;
          else g.plainCopyRate = r.rate;
        } catch (err) { failed(what, [GOALS.txn], err); }
      }
    }
  } finally {
    await client.close();
    await cleanUp(region.webUrl, token, Object.values(topics), log);
  }

  // 5. CPU cost against the fake broker.
  try {
    log(`client cost against the fake broker, ${args.durationS} s each way`);
    const cost = await measureClientCost({
      durationMs, warmupMs: Math.min(3000, durationMs / 5), sizeBytes: SIZE, batchDelayMs: BATCH.delayMs,
      batchMaxMessages: BATCH.maxMessages, batchMaxBytes: BATCH.maxBytes, maxOutstanding: MAX_OUTSTANDING, receiverQueueSize: RECEIVER_QUEUE,
    });
    rows.push(oursRow('produce, fake broker', cost.produce, 'CPU cost run'));
    rows.push(oursRow('consume, fake broker', cost.consume, 'CPU cost run; entries of 100 messages'));
    g.produceCostUs = cost.produce.cpuUsPerMessage;
    g.consumeCostUs = cost.consume.cpuUsPerMessage;
  } catch (err) { failed('fake broker', [GOALS.produceCost, GOALS.consumeCost], err); }

  const cpus = os.cpus();
  const report: BenchReport = {
    date: new Date().toISOString(),
    command: `npm run bench:client${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: { cores: cpus.length, cpuModel: cpus[0]?.model.trim() ?? 'unknown', memoryGiB: os.totalmem() / 2 ** 30, node: process.versions.node },
    settings: {
      region: region.name, broker: region.brokerUrl, durationS: args.durationS, messageBytes: SIZE, batchDelayMs: BATCH.delayMs,
      batchMaxMessages: BATCH.maxMessages, batchMaxBytes: BATCH.maxBytes, maxOutstanding: MAX_OUTSTANDING,
      receiverQueueSize: RECEIVER_QUEUE, txnBatch: args.txnBatch, copyInflight: args.copyInflight,
    },
    notes: [
      `client and broker compete for CPU: ${cpus.length} cores are shared by both region JVMs, the perf tool's JVM and this process`,
      'msg/s = messages / active window (first send → last ack; perf tool: "Created producers"/"Start receiving" → "DONE" in its log)',
      'publish latency = send call → broker ack, acks in the first second of each client left out (the default --warmup-time of pulsar-perf); consume rows read the backlog the Java produce phase wrote (latency not applicable)',
      'copier latency = batch received → outputs persisted (plain) or transaction committed (txn)',
      'CPU cost = process.cpuUsage() delta / messages, fake broker in a child process on 127.0.0.1, after a warm-up',
    ],
    rows,
    goals: evaluateGoals(g),
    notMeasured,
  };
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatText(report)}\n`);
}

async function cleanUp(webUrl: string, token: string, topics: string[], log: (msg: string) => void): Promise<void> {
  const admin = new PulsarAdmin({ webUrl, token, timeoutMs: 30_000 });
  for (const t of topics) {
    await admin.topics.delete(t, { force: true }).catch((err: Error) => {
      if (!/not.?found/i.test(err.message)) log(`could not delete ${t}: ${err.message}`);
    });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench:client: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
