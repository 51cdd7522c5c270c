// Client CPU cost per message: our client against the fake broker (platform/pulsar/testing).
// The fake broker runs in a child process on 127.0.0.1 so that process.cpuUsage() in this
// process counts the client (and this loop) only, not the broker's parsing and checksums.
// Run as `node --import tsx fake-broker-phase.ts --serve` it is that child: it prints its URL as JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { startFakeBroker } from '../../platform/pulsar/testing.ts';
import { consumeLoop, produceLoop, type PhaseResult } from './our-client.ts';

export interface ClientCostSettings {
  durationMs: number;
  warmupMs: number;
  sizeBytes: number;
  batchDelayMs: number;
  batchMaxMessages: number;
  batchMaxBytes: number;
  maxOutstanding: number;
  receiverQueueSize: number;
}

export interface ClientCost {
  produce: PhaseResult;
  consume: PhaseResult;
}

async function spawnFakeBroker(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fake broker did not start within 30 s')), 30_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`fake broker exited with ${code}`)); });
    lines.once('line', (line) => { clearTimeout(timer); resolve((JSON.parse(line) as { url: string }).url); });
  });
  return { url, child };
}

export async function measureClientCost(s: ClientCostSettings): Promise<ClientCost> {
  const { url, child } = await spawnFakeBroker();
  const client = new PulsarClient({ serviceUrl: url });
  try {
    const producer = await client.createProducer({
      topic: 'persistent://public/default/fake',
      batching: { maxDelayMs: s.batchDelayMs, maxMessages: s.batchMaxMessages, maxBytes: s.batchMaxBytes },
      maxPendingMessages: s.maxOutstanding,
    });
    const loop = { sizeBytes: s.sizeBytes, maxOutstanding: s.maxOutstanding, latency: false };
    await produceLoop(producer, { ...loop, durationMs: s.warmupMs }); // JIT warm-up, not counted
    const produce = await produceLoop(producer, { ...loop, durationMs: s.durationMs });
    await producer.close();

    const consumer = await client.subscribe({ topic: 'persistent://public/default/fake', subscription: 'cost', receiverQueueSize: s.receiverQueueSize });
    await consumeLoop(consumer, { messages: Number.MAX_SAFE_INTEGER, durationMs: s.warmupMs });
    const consume = await consumeLoop(consumer, { messages: Number.MAX_SAFE_INTEGER, durationMs: s.durationMs });
    await consumer.close();
    return { produce, consume };
  } finally {
    await client.close();
    child.kill();
  }
}

if (process.argv.includes('--serve') && process.argv[1] === fileURLToPath(import.meta.url)) {
  const broker = await startFakeBroker();
  process.stdout.write(`${JSON.stringify({ url: broker.url })}\n`);
  process.on('SIGTERM', () => void broker.close().then(() => process.exit(0)));
}
