// Runs one pipeline on this worker: the shared producers (outputs, decisions, audit, dead
// letters) and one PartitionLoop per input partition, each with its own processors (a processor
// serves one batch at a time: prepare, then process).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Producer, PulsarClient } from '../pulsar/index.ts';
import { FunctionSlot } from './batch/function-slot.ts';
import type { BatchProducers } from './batch/publish.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { PartitionLoop, type LoopSettings } from './partition-loop.ts';
import type { RuntimePipeline } from './pipeline.ts';
import type { ProcessorFactory } from './processor.ts';
import { viewNames } from './state/redis-names.ts';
import { changelogTopic, partitionTopic, pipelineTopic, redisTag, subscriptionName } from './topics.ts';

export interface RunnerDeps {
  client: PulsarClient;
  redis: Redis;
  processors: ProcessorFactory;
  consumerName: string;
  settings: LoopSettings;
  log: Logger;
  metrics: RuntimeMetrics;
}

export class PipelineRunner {
  readonly pipeline: RuntimePipeline;
  #deps: RunnerDeps;
  #producers: Producer[] = [];
  #loops: PartitionLoop[] = [];
  #slots: FunctionSlot[] = [];
  #running: Promise<void>[] = [];

  constructor(pipeline: RuntimePipeline, deps: RunnerDeps) {
    this.pipeline = pipeline;
    this.#deps = deps;
  }

  get loops(): readonly PartitionLoop[] {
    return this.#loops;
  }

  async start(): Promise<void> {
    const { client } = this.#deps;
    const p = this.pipeline;
    const producer = async (topic: string): Promise<Producer> => {
      const made = await client.createProducer({ topic: pipelineTopic(p, topic), transactional: true, sendTimeoutMs: 0 });
      this.#producers.push(made);
      return made;
    };
    const outputs = new Map<string, Producer>();
    for (const o of p.spec.outputs) outputs.set(o.name, await producer(o.name));
    const producers: Omit<BatchProducers, 'changelog'> = {
      outputs,
      deadLetter: await producer(p.spec.deadLetter.name),
      ...(p.spec.decisions ? { decisions: await producer(p.spec.decisions.name) } : {}),
      ...(p.spec.audit ? { audit: await producer(p.spec.audit.name) } : {}),
    };
    const labels = { tenant: p.tenant, pipeline: p.spec.name };
    for (const input of p.spec.inputs) {
      for (let partition = 0; partition < input.partitions; partition++) {
        const log = this.#deps.log.child({ tenant: p.tenant, pipeline: p.spec.name, input: input.name, partition });
        const slots = p.spec.functions.map((fn) => new FunctionSlot(fn, { tenant: p.tenant, pipeline: p.spec.name, function: fn.name, version: fn.version }, this.#deps.processors, {
          sandboxFailed: (code) => {
            this.#deps.metrics.sandboxFailed(labels, code);
            log.warn({ function: fn.name, version: fn.version, code }, 'processor failed; retrying the batch on a fresh one');
          },
        }));
        this.#slots.push(...slots);
        this.#loops.push(new PartitionLoop({
          client, redis: this.#deps.redis, labels,
          inputPartition: partitionTopic(pipelineTopic(p, input.name), partition),
          partition,
          changelogPartition: partitionTopic(changelogTopic(p, input.name), partition),
          subscription: subscriptionName(p),
          consumerName: this.#deps.consumerName,
          viewNames: viewNames(redisTag(p), input.name, partition),
          slots, producers, settings: this.#deps.settings, log, metrics: this.#deps.metrics,
        }));
      }
    }
    this.#running = this.#loops.map((loop) => loop.run());
  }

  /** Stops every loop after its batch in hand; resolves when all have returned. */
  async stop(): Promise<void> {
    for (const loop of this.#loops) loop.stop();
    await Promise.allSettled(this.#running);
    await Promise.allSettled([...this.#slots.map((s) => s.close()), ...this.#producers.map((p) => p.close())]);
  }
}
