// Records the frames Java's perf tool and a real broker exchange, through
// platform/pulsar/testing/recording-proxy.ts, into platform/pulsar/protocol/fixtures/java/ — the
// byte-exact references of platform/pulsar/protocol/java-frames.test.ts. Needs a running stack:
//   LODESTAR_PORT_OFFSET=<n> LODESTAR_KEEP_STACK=1 npx tsx infra/pulsar/record-java-frames.ts
// The perf tool gets `--service-url` pointing at the proxy; lookup answers carry
// `proxy_through_service_url` (the stack's brokers set it, the proxy makes sure, see
// recording-proxy.ts), so every connection, the transaction coordinator's included, goes
// through the proxy.
// The superuser token in CONNECT is replaced by 'x' bytes of the same length before writing, so
// the frames keep their sizes and nothing secret is committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPerf } from './perf.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { FrameParser, RecordingProxy, type RecordedFrame } from '../../platform/pulsar/testing.ts';

const OUT_DIR = new URL('../../platform/pulsar/protocol/fixtures/java/', import.meta.url);
/** Frames kept per (direction, command type) in one fixture: enough variety, small files. */
const KEEP_PER_TYPE = 4;
const PERF_TIMEOUT_MS = 180_000;

function redact(frames: RecordedFrame[], secret: string): RecordedFrame[] {
  const secretHex = Buffer.from(secret).toString('hex');
  const mask = Buffer.alloc(secret.length, 'x').toString('hex');
  return frames.map((f) => ({ ...f, hex: f.hex.split(secretHex).join(mask) }));
}

function sample(frames: RecordedFrame[]): RecordedFrame[] {
  const seen = new Map<string, number>();
  return frames.filter((f) => {
    const key = `${f.direction}:${new FrameParser().push(Buffer.from(f.hex, 'hex'))[0]?.command.type}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n < KEEP_PER_TYPE;
  });
}

async function record(name: string, region: string, brokerUrl: URL, token: string, args: (serviceUrl: string) => string[]): Promise<void> {
  const proxy = await RecordingProxy.start({ brokerHost: brokerUrl.hostname, brokerPort: Number(brokerUrl.port), proxyLookups: true });
  try {
    const run = await runPerf(region, args(proxy.serviceUrl), { timeoutMs: PERF_TIMEOUT_MS });
    if (run.code !== 0) throw new Error(`perf ${name} exited ${run.code}:\n${run.output.slice(-3000)}`);
  } finally {
    await proxy.close();
  }
  const frames = sample(redact(proxy.frames, token));
  const file = path.join(OUT_DIR.pathname, `${name}.jsonl`);
  writeFileSync(file, frames.map((f) => JSON.stringify(f)).join('\n') + '\n');
  console.log(`${name}: ${proxy.frames.length} frames recorded, ${frames.length} kept in ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<void> {
  const info = loadStackInfo();
  const region = regionByName(info, 'east');
  const brokerUrl = new URL(region.brokerUrl);
  const token = readSuperuserToken(info);
  mkdirSync(OUT_DIR, { recursive: true });
  const stamp = Date.now().toString(36);
  const topic = `persistent://public/default/java-frames-${stamp}`;
  const txnIn = `persistent://public/default/java-frames-txn-in-${stamp}`;
  const txnOut = `persistent://public/default/java-frames-txn-out-${stamp}`;
  const count = '40';

  // Batches of 10 LZ4-compressed 64-byte messages.
  await record('produce-batched-lz4', region.name, brokerUrl, token, (url) => [
    'produce', '--service-url', url, '-z', 'LZ4', '-bm', '10', '-b', '50', '-r', '200', '-m', count, '-s', '64', topic,
  ]);
  // Reads them back; batch index acks make a partly acked batch travel as an ack set.
  await record('consume-batch-index-ack', region.name, brokerUrl, token, (url) => [
    'consume', '--service-url', url, '-ss', 'java', '-sp', 'Earliest', '--batch-index-ack', '-m', count, topic,
  ]);
  // The transaction command consumes from txnIn and produces to txnOut inside transactions.
  await runPerf(region.name, ['produce', '-db', '-r', '200', '-m', count, '-s', '32', txnIn], { timeoutMs: PERF_TIMEOUT_MS });
  await record('transaction', region.name, brokerUrl, token, (url) => [
    'transaction', '--service-url', url, '--topics-c', txnIn, '--topics-p', txnOut, '-ss', 'java-txn', '-sp', 'Earliest', '-time', '60',
    '-ntxn', '3', '-nmp', '2', '-nmc', '2',
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
