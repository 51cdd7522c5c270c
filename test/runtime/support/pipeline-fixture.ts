// A throwaway pipeline on the real east region for runtime tests: namespace public/<unique>,
// its topics created the way the control plane provisions them (input, outputs, decisions,
// audit, dead letter, and the input's changelog), seeded events, an offline reference of what
// the pipeline must produce, and readers of what it did produce.
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { PulsarAdmin } from '../../../platform/pulsar-admin/index.ts';
import { PulsarClient, type Message } from '../../../platform/pulsar/index.ts';
import {
  RECORD_PROPERTY, Worker, changelogTopic, pipelineTopic, redisTag, type ProcessorFactory, type RuntimePipeline,
} from '../../../platform/runtime/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../../platform/regions/index.ts';
import { uniqueName } from '../../helpers/index.ts';
import { recordId, REVIEW_EVERY, type TxnEvent } from './test-functions.ts';

export const info = loadStackInfo();
export const east = regionByName(info, 'east');
export const token = readSuperuserToken(info);

export function testPipeline(partitions: number): RuntimePipeline {
  return {
    tenant: 'public',
    spec: {
      name: uniqueName('rt'),
      activeRegion: 'east',
      inputs: [{ name: 'transactions', partitions }],
      functions: [{ name: 'features', version: 1 }, { name: 'rules', version: 3 }],
      outputs: [{ name: 'features', partitions: 2 }],
      decisions: { name: 'decisions', partitions: 2 },
      audit: { name: 'audit', partitions: 1 },
      deadLetter: { name: 'dead-letter', partitions: 1 },
    },
  };
}

export async function provision(pipeline: RuntimePipeline): Promise<void> {
  const admin = new PulsarAdmin({ webUrl: east.webUrl, token, timeoutMs: 30_000 });
  await admin.namespaces.create(`${pipeline.tenant}/${pipeline.spec.name}`);
  const s = pipeline.spec;
  const topics = [...s.inputs, ...s.outputs, s.decisions!, s.audit!, s.deadLetter].map((t) => [pipelineTopic(pipeline, t.name), t.partitions] as const);
  for (const input of s.inputs) topics.push([changelogTopic(pipeline, input.name), input.partitions]);
  for (const [topic, partitions] of topics) await admin.topics.createPartitioned(topic, partitions);
}

/** Seeded events: `users` users, amounts in whole units so sums are exact. */
export function seededEvents(count: number, users: number, seed: number, prefix = 'e'): TxnEvent[] {
  let x = seed >>> 0 || 1;
  const next = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  return Array.from({ length: count }, (_, i) => ({ eventId: `${prefix}-${i}`, userId: `u${next() % users}`, amount: next() % 2000 }));
}

export interface Reference {
  outputs: Map<string, { eventId: string; userId: string; count: number; sum: number }>;
  decisions: Set<string>;
  audits: Set<string>;
  features: Map<string, { count: number; sum: number }>;
  rules: Map<string, { reviews?: number }>;
}

/** What the pipeline must produce for `events` in this order (per user, order is what counts). */
export function reference(pipeline: RuntimePipeline, events: readonly TxnEvent[]): Reference {
  const id = (fn: string, version: number) => ({ tenant: pipeline.tenant, pipeline: pipeline.spec.name, function: fn, version });
  const ref: Reference = { outputs: new Map(), decisions: new Set(), audits: new Set(), features: new Map(), rules: new Map() };
  for (const e of events) {
    if (e.boom) continue;
    const before = ref.features.get(e.userId) ?? { count: 0, sum: 0 };
    const after = { count: before.count + 1, sum: before.sum + e.amount };
    ref.features.set(e.userId, after);
    const outputId = recordId(id('features', 1), e.eventId, 'output', 0);
    ref.outputs.set(outputId, { eventId: e.eventId, userId: e.userId, ...after });
    const rules = ref.rules.get(e.userId) ?? {};
    if (after.count % REVIEW_EVERY === 0) {
      ref.decisions.add(recordId(id('rules', 3), outputId, 'decision', 0));
      ref.audits.add(recordId(id('rules', 3), outputId, 'audit', 0));
      ref.rules.set(e.userId, { reviews: (rules.reviews ?? 0) + 1 });
    } else {
      ref.rules.set(e.userId, rules);
    }
  }
  return ref;
}

export function clientForEast(): PulsarClient {
  return new PulsarClient({ serviceUrl: east.brokerUrl, token, operationTimeoutMs: 15_000 });
}

export async function produce(client: PulsarClient, pipeline: RuntimePipeline, events: readonly (TxnEvent | { raw: string; userId: string })[]): Promise<Message['id'][]> {
  const producer = await client.createProducer({ topic: pipelineTopic(pipeline, 'transactions'), maxPendingMessages: 2_000 });
  try {
    return await Promise.all(events.map((e) => producer.send({ value: 'raw' in e ? e.raw : JSON.stringify(e), key: e.userId })));
  } finally {
    await producer.close();
  }
}

/** Everything a topic holds or will hold, read from the start; `seen` lists every message, duplicates included. */
export async function collect(client: PulsarClient, topic: string) {
  const consumer = await client.subscribe({ topic, subscription: uniqueName('check'), initialPosition: 'Earliest', receiverQueueSize: 2_000 });
  const seen: Message[] = [];
  const reading = (async () => {
    for (;;) {
      try {
        const m = await consumer.receive();
        seen.push(m);
        consumer.ack(m);
      } catch {
        return;
      }
    }
  })();
  return { seen, close: async () => { await consumer.close(); await reading; } };
}

export const ids = (messages: readonly Message[]): string[] => messages.map((m) => m.properties[RECORD_PROPERTY.id]!);

export function startWorker(pipeline: RuntimePipeline, processors: ProcessorFactory, workerId = uniqueName('w')): Worker {
  return new Worker({
    workerId, region: 'east',
    endpoints: { brokerUrl: east.brokerUrl, redisUrl: east.redisUrl, token },
    pipelines: [pipeline], processors,
    loop: { batchMaxMessages: 100, batchMaxWaitMs: 20, txnTimeoutMs: 10_000, redisTimeoutMs: 2_000, replayIdleTimeoutMs: 30_000, backoffMaxMs: 2_000 },
    graceMs: 10_000,
    logger: pino({ level: process.env.LODESTAR_TEST_LOG_LEVEL ?? 'warn' }),
  });
}

export function redisFor(): Redis {
  return new Redis(east.redisUrl);
}

/** The Redis view's state of every key of a function, as `{ key: state }`. */
export async function viewState(redis: Redis, pipeline: RuntimePipeline, fn: string): Promise<Map<string, unknown>> {
  const tag = redisTag(pipeline);
  const out = new Map<string, unknown>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${tag}:state:${fn}:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) out.set(k.slice(`${tag}:state:${fn}:`.length), JSON.parse((await redis.hget(k, 'value'))!));
  } while (cursor !== '0');
  return out;
}

/** The same state computed offline, in the view's shape. */
export function referenceState(ref: Reference, fn: 'features' | 'rules'): Map<string, unknown> {
  return new Map<string, unknown>(fn === 'features' ? ref.features : ref.rules);
}
