// /admin/v2/{persistent|non-persistent}/<tenant>/<namespace>/<topic> (admin/v2/PersistentTopics.java,
// impl/PersistentTopicsBase.java). Topics are named `persistent://tenant/ns/topic` (or without the
// domain, meaning persistent). A partitioned topic is metadata plus N topics `<name>-partition-<i>`;
// its create, update, metadata and delete calls live under `<topic>/partitions`.
import type { AdminHttp, CallOptions } from './http.ts';
import { adminPath } from './http.ts';
import type { EnsureResult } from './ensure.ts';
import { createUnlessExists } from './ensure.ts';
import { PulsarAdminError, PulsarAdminErrorCode } from './errors.ts';
import { parseNamespace, parseTopic, topicToString } from './names.ts';

export interface PartitionedTopicMetadata {
  /** 0 for a non-partitioned (or, on some brokers, missing) topic. */
  partitions: number;
  properties?: Record<string, string>;
}

/** Pulsar's LongRunningProcessStatus, as the compaction status call answers it. */
export interface CompactionStatus {
  status: 'NOT_RUN' | 'RUNNING' | 'SUCCESS' | 'ERROR';
  lastError?: string;
}

export interface PublisherStats {
  producerName?: string;
  producerId?: number;
  accessMode?: string;
  msgRateIn: number;
  msgThroughputIn: number;
  averageMsgSize?: number;
  address?: string;
  connectedSince?: string;
  clientVersion?: string;
  [field: string]: unknown;
}

export interface ConsumerStats {
  consumerName?: string;
  msgRateOut: number;
  msgThroughputOut: number;
  availablePermits?: number;
  unackedMessages?: number;
  [field: string]: unknown;
}

export interface SubscriptionStats {
  msgRateOut: number;
  msgThroughputOut: number;
  msgOutCounter?: number;
  /** Messages not yet acknowledged by this subscription. */
  msgBacklog: number;
  backlogSize?: number;
  unackedMessages?: number;
  type?: string;
  isDurable?: boolean;
  /** True for a replicated subscription (the broker writes it as `isReplicated` or `replicated`). */
  isReplicated?: boolean;
  replicated?: boolean;
  consumers: ConsumerStats[];
  [field: string]: unknown;
}

/** Towards one remote cluster (ReplicatorStatsImpl). */
export interface ReplicatorStats {
  msgRateIn: number;
  msgThroughputIn: number;
  msgRateOut: number;
  msgThroughputOut: number;
  msgRateExpired?: number;
  /** Messages not yet replicated to that cluster. */
  replicationBacklog: number;
  connected: boolean;
  replicationDelayInSeconds: number;
  inboundConnection?: string;
  inboundConnectedSince?: string;
  outboundConnection?: string;
  outboundConnectedSince?: string;
  [field: string]: unknown;
}

/** TopicStatsImpl: the fields we use; everything else the broker sends is kept. */
export interface TopicStats {
  msgRateIn: number;
  msgThroughputIn: number;
  msgRateOut: number;
  msgThroughputOut: number;
  msgInCounter: number;
  bytesInCounter?: number;
  msgOutCounter?: number;
  averageMsgSize?: number;
  storageSize: number;
  backlogSize: number;
  publishers: PublisherStats[];
  subscriptions: Record<string, SubscriptionStats>;
  /** Keyed by remote cluster name. */
  replication: Record<string, ReplicatorStats>;
  deduplicationStatus?: string;
  ongoingTxnCount?: number;
  committedTxnCount?: number;
  abortedTxnCount?: number;
  [field: string]: unknown;
}

/** Sums over partitions; `partitions` is filled only when asked with perPartition. */
export interface PartitionedTopicStats extends TopicStats {
  metadata: PartitionedTopicMetadata;
  partitions?: Record<string, TopicStats>;
}

export interface TopicStatsOptions extends CallOptions {
  getPreciseBacklog?: boolean;
  subscriptionBacklogSize?: boolean;
}

export interface PartitionedTopicStatsOptions extends TopicStatsOptions {
  perPartition?: boolean;
}

export interface DeleteTopicOptions extends CallOptions {
  /** Close producers, consumers and replicators first instead of refusing (409) while in use. */
  force?: boolean;
}

export interface PartitionedTopicOptions extends CallOptions {
  /**
   * Only this cluster. By default the broker also creates (or grows) the partitioned topic in
   * every other replication cluster of a replicated namespace, through their admin APIs.
   */
  localOnly?: boolean;
}

export interface CreateSubscriptionOptions extends CallOptions {
  /** Where the cursor starts. Default latest. */
  position?: 'latest' | 'earliest';
  /** Replicate the subscription's position to the other clusters. */
  replicated?: boolean;
}

// MessageId.earliest is (-1, -1); latest is (Long.MAX, Long.MAX), which a JS number cannot carry,
// so latest is sent as "no body", the broker's default.
const EARLIEST = { ledgerId: -1, entryId: -1 };

export class Topics {
  readonly #http: AdminHttp;

  constructor(http: AdminHttp) {
    this.#http = http;
  }

  /** Every persistent topic of the namespace, partitions included (`...-partition-<i>`), as full names. */
  async list(namespace: string, options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>(domainPath(namespace), options);
  }

  /** Persistent partitioned topics of the namespace, as full names. */
  async listPartitioned(namespace: string, options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>(`${domainPath(namespace)}/partitioned`, options);
  }

  /** A non-partitioned topic. 409 if it (or a partitioned topic of that name) exists. */
  async create(topic: string, properties?: Record<string, string>, options?: CallOptions): Promise<void> {
    return this.#http.put(topicPath(topic), { ...options, body: properties });
  }

  async delete(topic: string, options: DeleteTopicOptions = {}): Promise<void> {
    const { force, ...call } = options;
    return this.#http.delete(topicPath(topic), { ...call, query: { force } });
  }

  /** 409 if it (or a non-partitioned topic of that name) exists. */
  async createPartitioned(topic: string, partitions: number, options: PartitionedTopicOptions = {}): Promise<void> {
    checkPartitions(partitions);
    const { localOnly, ...call } = options;
    return this.#http.put(`${topicPath(topic)}/partitions`, { ...call, body: partitions, query: { createLocalTopicOnly: localOnly } });
  }

  /** Partitions can only grow (412 otherwise). */
  async updatePartitions(topic: string, partitions: number, options: PartitionedTopicOptions = {}): Promise<void> {
    checkPartitions(partitions);
    const { localOnly, ...call } = options;
    return this.#http.post(`${topicPath(topic)}/partitions`, { ...call, body: partitions, query: { updateLocalTopicOnly: localOnly } });
  }

  /** `partitions: 0` for a non-partitioned topic; NOT_FOUND when no topic has the name. */
  async getPartitionedMetadata(topic: string, options?: CallOptions): Promise<PartitionedTopicMetadata> {
    // checkAllowAutoCreation=false: reading metadata must not create the topic as a side effect.
    const metadata = await this.#http.get<PartitionedTopicMetadata | undefined>(`${topicPath(topic)}/partitions`, {
      ...options,
      query: { checkAllowAutoCreation: false },
    });
    return metadata ?? { partitions: 0 };
  }

  async deletePartitioned(topic: string, options: DeleteTopicOptions = {}): Promise<void> {
    const { force, ...call } = options;
    return this.#http.delete(`${topicPath(topic)}/partitions`, { ...call, query: { force } });
  }

  async stats(topic: string, options: TopicStatsOptions = {}): Promise<TopicStats> {
    const { getPreciseBacklog, subscriptionBacklogSize, ...call } = options;
    return this.#http.get<TopicStats>(`${topicPath(topic)}/stats`, { ...call, query: { getPreciseBacklog, subscriptionBacklogSize } });
  }

  async partitionedStats(topic: string, options: PartitionedTopicStatsOptions = {}): Promise<PartitionedTopicStats> {
    const { perPartition, getPreciseBacklog, subscriptionBacklogSize, ...call } = options;
    return this.#http.get<PartitionedTopicStats>(`${topicPath(topic)}/partitioned-stats`, {
      ...call,
      query: { perPartition: perPartition ?? false, getPreciseBacklog, subscriptionBacklogSize },
    });
  }

  /**
   * Starts compaction of a (non-partitioned) topic now, instead of waiting for the namespace's
   * threshold; 409 Conflict while one is already running (PUT <topic>/compaction).
   */
  async compact(topic: string, options?: CallOptions): Promise<void> {
    return this.#http.put(`${topicPath(topic)}/compaction`, options);
  }

  /** Where the last compaction of a topic stands (GET <topic>/compaction). */
  async compactionStatus(topic: string, options?: CallOptions): Promise<CompactionStatus> {
    return this.#http.get<CompactionStatus>(`${topicPath(topic)}/compaction`, options);
  }

  /** Subscription names (for a partitioned topic, the union over its partitions). */
  async subscriptions(topic: string, options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>(`${topicPath(topic)}/subscriptions`, options);
  }

  /**
   * 409 if it exists. On a partitioned topic, creates it on every partition. Pulsar 4.0.8 ignores
   * `?replicated=true` on a partitioned topic (its partitions report false), so a replicated
   * subscription is also switched on through replicatedSubscriptionStatus, which works for both.
   */
  async createSubscription(topic: string, subscription: string, options: CreateSubscriptionOptions = {}): Promise<void> {
    const { position, replicated, ...call } = options;
    await this.#http.put(topicPath(topic) + adminPath`/subscription/${subscription}`, {
      ...call,
      query: { replicated },
      body: position === 'earliest' ? EARLIEST : undefined,
    });
    if (replicated) await this.setReplicatedSubscriptionStatus(topic, subscription, true, call);
  }

  /** 412 while it has consumers, unless `force`. */
  async deleteSubscription(topic: string, subscription: string, options: DeleteTopicOptions = {}): Promise<void> {
    const { force, ...call } = options;
    return this.#http.delete(topicPath(topic) + adminPath`/subscription/${subscription}`, { ...call, query: { force } });
  }

  /** Whether the subscription is replicated, per topic (one entry per partition of a partitioned topic). */
  async getReplicatedSubscriptionStatus(topic: string, subscription: string, options?: CallOptions): Promise<Record<string, boolean>> {
    const path = topicPath(topic) + adminPath`/subscription/${subscription}/replicatedSubscriptionStatus`;
    return (await this.#http.get<Record<string, boolean> | undefined>(path, options)) ?? {};
  }

  async setReplicatedSubscriptionStatus(topic: string, subscription: string, replicated: boolean, options?: CallOptions): Promise<void> {
    const path = topicPath(topic) + adminPath`/subscription/${subscription}/replicatedSubscriptionStatus`;
    return this.#http.post(path, { ...options, body: replicated });
  }

  /**
   * Creates the partitioned topic, or grows an existing one to `partitions`. Fails with
   * PRECONDITION_FAILED when it has more partitions than asked (Pulsar cannot shrink), and with
   * CONFLICT when a non-partitioned topic holds the name.
   */
  async ensurePartitioned(topic: string, partitions: number, options: PartitionedTopicOptions = {}): Promise<EnsureResult> {
    if (await createUnlessExists(() => this.createPartitioned(topic, partitions, options))) return { created: true, changed: [] };
    const { localOnly: _localOnly, ...call } = options;
    const current = (await this.getPartitionedMetadata(topic, call)).partitions;
    const name = topicToString(parseTopic(topic));
    if (current === partitions) return { created: false, changed: [] };
    if (current === 0) {
      throw new PulsarAdminError({ code: PulsarAdminErrorCode.CONFLICT, message: `${name} exists as a non-partitioned topic` });
    }
    if (current > partitions) {
      throw new PulsarAdminError({
        code: PulsarAdminErrorCode.PRECONDITION_FAILED,
        message: `${name} has ${current} partitions; Pulsar cannot reduce them to ${partitions}`,
      });
    }
    await this.updatePartitions(topic, partitions, options);
    return { created: false, changed: ['partitions'] };
  }
}

function checkPartitions(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new PulsarAdminError({ code: PulsarAdminErrorCode.BAD_REQUEST, message: `partitions must be a positive integer, got ${partitions}` });
  }
}

// Listing covers persistent topics: the only kind Lodestar creates.
function domainPath(namespace: string): string {
  const { tenant, namespace: local } = parseNamespace(namespace);
  return adminPath`/admin/v2/persistent/${tenant}/${local}`;
}

function topicPath(topic: string): string {
  const name = parseTopic(topic);
  return `/admin/v2/${name.domain}` + adminPath`/${name.tenant}/${name.namespace}/${name.local}`;
}
