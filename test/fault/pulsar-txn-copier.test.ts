// Exactly-once consume-transform-produce with our transactions, with the copier process killed
// by SIGKILL twice mid-run and restarted each time: the output ends equal to the input, each
// message once. A kill leaves at most one open transaction; the coordinator aborts it at its TTL,
// its outputs never become visible and its inputs are redelivered (platform/pulsar/PROTOCOL.md §5.4-5.6).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';
import { uniqueName } from '../helpers/index.ts';

const MESSAGES = 10_000;
const info = loadStackInfo();
const east = regionByName(info, 'east');
const client = new PulsarClient({ serviceUrl: east.brokerUrl, token: readSuperuserToken(info), operationTimeoutMs: 15_000 });
const input = `persistent://public/default/${uniqueName('copier-in')}`;
const output = `persistent://public/default/${uniqueName('copier-out')}`;
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'copier.ts');
const children: ChildProcess[] = [];

interface Copier {
  child: ChildProcess;
  /** Resolves once this copier has committed at least `n` messages. */
  committed(n: number): Promise<void>;
  exited: Promise<NodeJS.Signals | number | null>;
  log: string[];
}

function startCopier(): Copier {
  const args = {
    brokerUrl: east.brokerUrl, tokenFile: info.superuserTokenFile, input, output,
    subscription: 'copier', batchSize: 100, txnTimeoutMs: 10_000,
  };
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild that would
  // survive the SIGKILL aimed at the copier.
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const log: string[] = [];
  let committed = 0;
  const waiters: { n: number; resolve(): void }[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    log.push(line);
    try {
      const event = JSON.parse(line) as { event: string; committed?: number };
      if (event.event === 'committed') committed = event.committed!;
    } catch { /* not ours */ }
    for (const w of waiters.filter((x) => committed >= x.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  return {
    child, log, exited,
    committed: (n) => new Promise<void>((resolve, reject) => {
      if (committed >= n) return resolve();
      waiters.push({ n, resolve });
      void exited.then((how) => reject(new Error(`copier exited (${how}) before committing ${n}:\n${log.slice(-20).join('\n')}`)));
    }),
  };
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await client.close();
});

describe.runIf(info.mode === 'local')('transactional copier killed twice with SIGKILL', () => {
  it('ends with output == input exactly: no message lost, none duplicated', async () => {
    // Durable subscriptions before any message, so nothing is trimmed before it is read.
    await (await client.subscribe({ topic: input, subscription: 'copier', type: 'Shared', initialPosition: 'Earliest' })).close();
    const check = await client.subscribe({ topic: output, subscription: 'check', initialPosition: 'Earliest', receiverQueueSize: 2_000 });
    const producer = await client.createProducer({ topic: input, maxPendingMessages: 2_000 });
    const expected = Array.from({ length: MESSAGES }, (_, i) => `in-${String(i).padStart(5, '0')}`);
    await Promise.all(expected.map((value) => producer.send({ value })));
    await producer.close();

    const seen: string[] = [];
    const progress = setInterval(() => console.log(`copier test: ${seen.length} output messages read`), 5_000);
    const reading = (async () => {
      while (seen.length < MESSAGES) {
        const m = await check.receive(120_000);
        seen.push(m.value.toString());
        check.ack(m);
      }
    })();
    reading.catch(() => undefined); // observed below; never an unhandled rejection meanwhile

    // Killed mid-run twice, each time a moment after a commit, so a transaction is open.
    for (const atLeast of [2_500, 3_000]) {
      const copier = startCopier();
      await copier.committed(atLeast);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 40)));
      copier.child.kill('SIGKILL');
      expect(await copier.exited).toBe('SIGKILL');
    }
    const last = startCopier();
    let done = false;
    const died = last.exited.then((how) => {
      if (!done) throw new Error(`last copier exited (${how}):\n${last.log.slice(-20).join('\n')}`);
    });
    await Promise.race([reading, died]);
    done = true;
    // Let the copier go on a while: a duplicate would arrive now.
    const extra = await check.receive(15_000).then((m) => m.value.toString(), () => null);
    last.child.kill('SIGKILL');
    await last.exited;

    clearInterval(progress);
    expect(extra).toBeNull();
    expect(seen).toHaveLength(MESSAGES);
    expect(new Set(seen).size).toBe(MESSAGES);
    expect([...seen].sort()).toEqual(expected);
    await check.close();
  });
});
