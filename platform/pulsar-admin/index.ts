// Public face of platform/pulsar-admin: a typed client for Pulsar's admin REST API, one per
// region (web service URL), plus the JWT minting that Pulsar token auth needs.
import { AdminHttp } from './http.ts';
import type { PulsarAdminOptions } from './http.ts';
import { Clusters } from './clusters.ts';
import { Tenants } from './tenants.ts';
import { Namespaces } from './namespaces.ts';
import { Topics } from './topics.ts';
import { Transactions } from './transactions.ts';
import { Brokers } from './brokers.ts';
import { callOptions, narrowReplication, removeUntilGone, unlessMissing } from './removal.ts';
import { parseNamespace, parseTopic, topicToString } from './names.ts';
import type { RemovalOptions } from './removal.ts';

export class PulsarAdmin {
  readonly webUrl: string;
  readonly clusters: Clusters;
  readonly tenants: Tenants;
  readonly namespaces: Namespaces;
  readonly topics: Topics;
  readonly transactions: Transactions;
  readonly brokers: Brokers;

  constructor(options: PulsarAdminOptions) {
    const http = new AdminHttp(options);
    this.webUrl = http.webUrl;
    this.clusters = new Clusters(http);
    this.tenants = new Tenants(http);
    this.namespaces = new Namespaces(http);
    this.topics = new Topics(http);
    this.transactions = new Transactions(http);
    this.brokers = new Brokers(http);
  }

  /**
   * Replication of `namespace` narrowed to `cluster` (the one this client talks to), then waits
   * (up to `replicatorsGoneWithinMs`, default 10 s) until its topics here have no replicator to
   * another cluster; true when they were all gone in time. See removal.ts for why deletes wait.
   */
  narrowReplication(namespace: string, cluster: string, options?: RemovalOptions): Promise<boolean> {
    return narrowReplication(this.namespaces, this.topics, namespace, cluster, options);
  }

  /**
   * Deletes a tenant, its namespaces and topics from the cluster this client talks to. Each
   * namespace's replication is narrowed to `cluster` first: the broker refuses (412) to delete a
   * namespace replicated to several clusters, even with force. Needs forceDeleteTenantAllowed and
   * forceDeleteNamespaceAllowed on the broker. Retried until the tenant list no longer holds it
   * (`retryForMs`, default 90 s). NOT_FOUND when the tenant did not exist.
   */
  async deleteTenantInCluster(tenant: string, cluster: string, options: RemovalOptions = {}): Promise<void> {
    const call = callOptions(options);
    // A namespace (or the whole tenant) that an earlier delete removes meanwhile needs no narrowing.
    for (const namespace of (await unlessMissing(() => this.namespaces.list(tenant, call))) ?? []) {
      await unlessMissing(() => this.narrowReplication(namespace, cluster, options));
    }
    const gone = async (): Promise<boolean> => !(await this.tenants.list(call)).includes(tenant);
    await removeUntilGone(() => this.tenants.delete(tenant, { ...call, force: true }), gone, options);
  }

  /**
   * Deletes a namespace and its topics from the cluster this client talks to, narrowing its
   * replication to `cluster` first (see deleteTenantInCluster). `force` deletes it with its
   * topics; without, the broker refuses (409) while it holds any. Retried until its tenant no
   * longer lists it. NOT_FOUND when it did not exist.
   */
  async deleteNamespaceInCluster(namespace: string, cluster: string, options: RemovalOptions & { force?: boolean } = {}): Promise<void> {
    const { force, ...removal } = options;
    const call = callOptions(removal);
    const { tenant } = parseNamespace(namespace);
    await unlessMissing(() => this.narrowReplication(namespace, cluster, removal));
    const gone = async (): Promise<boolean> => !((await unlessMissing(() => this.namespaces.list(tenant, call))) ?? []).includes(namespace);
    await removeUntilGone(() => this.namespaces.delete(namespace, { ...call, force }), gone, removal);
  }

  /**
   * Force-deletes a topic, partitioned (all partitions) or not, in this cluster, retried until its
   * namespace no longer lists it. In a replicated namespace, narrow its replication first, or a
   * peer's replicator recreates the topic. NOT_FOUND when no topic has the name.
   */
  async deleteTopic(topic: string, options: RemovalOptions = {}): Promise<void> {
    const call = callOptions(options);
    const name = parseTopic(topic);
    const namespace = `${name.tenant}/${name.namespace}`;
    const { partitions } = await this.topics.getPartitionedMetadata(topic, call);
    const forced = { ...call, force: true };
    const listed = (): Promise<string[]> => (partitions > 0 ? this.topics.listPartitioned(namespace, call) : this.topics.list(namespace, call));
    const gone = async (): Promise<boolean> => !((await unlessMissing(listed)) ?? []).includes(topicToString(name));
    await removeUntilGone(() => (partitions > 0 ? this.topics.deletePartitioned(topic, forced) : this.topics.delete(topic, forced)), gone, options);
  }
}

export type { PulsarAdminOptions, CallOptions, TokenProvider } from './http.ts';
export { PulsarAdminError, PulsarAdminErrorCode, isPulsarAdminError } from './errors.ts';
export type { PulsarAdminErrorOptions } from './errors.ts';
export type { EnsureResult } from './ensure.ts';
export type { RemovalOptions } from './removal.ts';
export type { NamespaceName, TopicName, TopicDomain } from './names.ts';
export { parseNamespace, parseTopic, topicToString } from './names.ts';
export type { Clusters, ClusterData } from './clusters.ts';
export type { Tenants, TenantInfo, DeleteTenantOptions } from './tenants.ts';
export { AuthAction } from './namespaces.ts';
export type {
  Namespaces,
  NamespacePolicies,
  NamespaceSpec,
  DeleteNamespaceOptions,
  RetentionPolicies,
  BacklogQuota,
  BacklogQuotaType,
  BacklogQuotaPolicy,
  DispatchRate,
  PublishRate,
} from './namespaces.ts';
export type {
  Topics,
  TopicStats,
  PartitionedTopicStats,
  PartitionedTopicMetadata,
  CompactionStatus,
  PublisherStats,
  ConsumerStats,
  SubscriptionStats,
  ReplicatorStats,
  TopicStatsOptions,
  PartitionedTopicStatsOptions,
  DeleteTopicOptions,
  CreateSubscriptionOptions,
  PartitionedTopicOptions,
} from './topics.ts';
export type { Transactions, TransactionCoordinatorInfo, TransactionCoordinatorStats } from './transactions.ts';
export type { Brokers, HealthCheckOptions } from './brokers.ts';
export { mintToken, createSecretKey } from './tokens.ts';
export type { TokenOptions } from './tokens.ts';
