// /admin/v2/namespaces/<tenant>/<namespace> and its policies (admin/v2/Namespaces.java,
// impl/NamespacesBase.java). Namespaces are named `tenant/namespace`. Each policy has GET, POST
// (set) and, for most, DELETE (back to the broker default); a GET of an unset policy answers 204
// with no body, which we return as undefined. Rates set here apply to the local cluster only.
import type { AdminHttp, CallOptions, QueryValue } from './http.ts';
import { adminPath } from './http.ts';
import type { EnsureResult } from './ensure.ts';
import { createUnlessExists, matches, sameSet } from './ensure.ts';
import { isPulsarAdminError, PulsarAdminErrorCode } from './errors.ts';
import { parseNamespace } from './names.ts';

/** -1 means unlimited for either field. */
export interface RetentionPolicies {
  retentionTimeInMinutes: number;
  retentionSizeInMB: number;
}

export type BacklogQuotaType = 'destination_storage' | 'message_age';
export type BacklogQuotaPolicy = 'producer_request_hold' | 'producer_exception' | 'consumer_backlog_eviction';

/**
 * A destination_storage quota sets limitSize (bytes), a message_age quota limitTime (seconds).
 * The broker refuses (412) a size quota at or above the retention size.
 */
export interface BacklogQuota {
  limitSize?: number;
  limitTime?: number;
  policy: BacklogQuotaPolicy;
}

/** -1 (or 0 for some brokers) disables a limit. */
export interface DispatchRate {
  dispatchThrottlingRateInMsg: number;
  dispatchThrottlingRateInByte: number;
  relativeToPublishRate?: boolean;
  ratePeriodInSecond?: number;
}

export interface PublishRate {
  publishThrottlingRateInMsg: number;
  publishThrottlingRateInByte: number;
}

export const AuthAction = {
  produce: 'produce',
  consume: 'consume',
  functions: 'functions',
  sources: 'sources',
  sinks: 'sinks',
  packages: 'packages',
} as const;
export type AuthAction = (typeof AuthAction)[keyof typeof AuthAction];

/** The Policies document (pulsar-common Policies.java): the fields we use; others pass through. */
export interface NamespacePolicies {
  replication_clusters?: string[];
  allowed_clusters?: string[];
  retention_policies?: RetentionPolicies | null;
  backlog_quota_map?: Partial<Record<BacklogQuotaType, BacklogQuota>>;
  message_ttl_in_seconds?: number | null;
  deduplicationEnabled?: boolean | null;
  auth_policies?: {
    namespace_auth?: Record<string, AuthAction[]>;
    destination_auth?: Record<string, Record<string, AuthAction[]>>;
    subscription_auth_roles?: Record<string, string[]>;
  };
  /** Keyed by cluster name. */
  clusterDispatchRate?: Record<string, DispatchRate>;
  subscriptionDispatchRate?: Record<string, DispatchRate>;
  publishMaxMessageRate?: Record<string, PublishRate>;
  deleted?: boolean;
  [field: string]: unknown;
}

export interface DeleteNamespaceOptions extends CallOptions {
  /** Delete its topics too (broker needs forceDeleteNamespaceAllowed, else 405). */
  force?: boolean;
}

/** Desired state for ensure(); fields left out are not touched. */
export interface NamespaceSpec {
  replicationClusters?: string[];
  retention?: RetentionPolicies;
  backlogQuotas?: Partial<Record<BacklogQuotaType, BacklogQuota>>;
  messageTtlSeconds?: number;
  deduplication?: boolean;
  dispatchRate?: DispatchRate;
  subscriptionDispatchRate?: DispatchRate;
  publishRate?: PublishRate;
  /** Exactly these actions for each role listed; roles not listed keep what they have. */
  permissions?: Record<string, AuthAction[]>;
}

type RatePolicy = 'dispatchRate' | 'subscriptionDispatchRate' | 'publishRate';

export class Namespaces {
  readonly #http: AdminHttp;

  constructor(http: AdminHttp) {
    this.#http = http;
  }

  /** Namespaces of a tenant, as `tenant/namespace`. */
  async list(tenant: string, options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>(adminPath`/admin/v2/namespaces/${tenant}`, options);
  }

  /** 409 CONFLICT if it exists; 412 if the tenant is not allowed on the local cluster. */
  async create(namespace: string, policies?: NamespacePolicies, options?: CallOptions): Promise<void> {
    return this.#http.put(nsPath(namespace), { ...options, body: policies });
  }

  /**
   * 409 while it holds topics (unless `force`); 412 while replicated to more than one cluster;
   * a 307 to the other region when that region is its only replication cluster. See
   * PulsarAdmin.deleteNamespaceInCluster.
   */
  async delete(namespace: string, options: DeleteNamespaceOptions = {}): Promise<void> {
    const { force, ...call } = options;
    return this.#http.delete(nsPath(namespace), { ...call, query: { force } });
  }

  async getPolicies(namespace: string, options?: CallOptions): Promise<NamespacePolicies> {
    return this.#http.get<NamespacePolicies>(nsPath(namespace), options);
  }

  async getReplicationClusters(namespace: string, options?: CallOptions): Promise<string[]> {
    return (await this.#get<string[]>(namespace, 'replication', options)) ?? [];
  }

  /** Every cluster must exist locally and be in the tenant's allowedClusters (else 403/412). */
  async setReplicationClusters(namespace: string, clusters: string[], options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'replication', clusters, options);
  }

  async getRetention(namespace: string, options?: CallOptions): Promise<RetentionPolicies | undefined> {
    return this.#get(namespace, 'retention', options);
  }

  async setRetention(namespace: string, retention: RetentionPolicies, options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'retention', retention, options);
  }

  async removeRetention(namespace: string, options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'retention', options);
  }

  async getBacklogQuotas(namespace: string, options?: CallOptions): Promise<Partial<Record<BacklogQuotaType, BacklogQuota>>> {
    return (await this.#get<Partial<Record<BacklogQuotaType, BacklogQuota>>>(namespace, 'backlogQuotaMap', options)) ?? {};
  }

  async setBacklogQuota(namespace: string, quota: BacklogQuota, type: BacklogQuotaType = 'destination_storage', options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'backlogQuota', quota, options, { backlogQuotaType: type });
  }

  async removeBacklogQuota(namespace: string, type: BacklogQuotaType = 'destination_storage', options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'backlogQuota', options, { backlogQuotaType: type });
  }

  async getMessageTtl(namespace: string, options?: CallOptions): Promise<number | undefined> {
    return this.#get(namespace, 'messageTTL', options);
  }

  async setMessageTtl(namespace: string, seconds: number, options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'messageTTL', seconds, options);
  }

  async removeMessageTtl(namespace: string, options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'messageTTL', options);
  }

  async getDeduplication(namespace: string, options?: CallOptions): Promise<boolean | undefined> {
    return this.#get(namespace, 'deduplication', options);
  }

  async setDeduplication(namespace: string, enabled: boolean, options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'deduplication', enabled, options);
  }

  async removeDeduplication(namespace: string, options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'deduplication', options);
  }

  async getDispatchRate(namespace: string, options?: CallOptions): Promise<DispatchRate | undefined> {
    return this.#get(namespace, 'dispatchRate', options);
  }

  async setDispatchRate(namespace: string, rate: DispatchRate, options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'dispatchRate', rate, options);
  }

  async removeDispatchRate(namespace: string, options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'dispatchRate', options);
  }

  async getSubscriptionDispatchRate(namespace: string, options?: CallOptions): Promise<DispatchRate | undefined> {
    return this.#get(namespace, 'subscriptionDispatchRate', options);
  }

  async setSubscriptionDispatchRate(namespace: string, rate: DispatchRate, options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'subscriptionDispatchRate', rate, options);
  }

  async removeSubscriptionDispatchRate(namespace: string, options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'subscriptionDispatchRate', options);
  }

  async getPublishRate(namespace: string, options?: CallOptions): Promise<PublishRate | undefined> {
    return this.#get(namespace, 'publishRate', options);
  }

  async setPublishRate(namespace: string, rate: PublishRate, options?: CallOptions): Promise<void> {
    return this.#set(namespace, 'publishRate', rate, options);
  }

  async removePublishRate(namespace: string, options?: CallOptions): Promise<void> {
    return this.#remove(namespace, 'publishRate', options);
  }

  /** Role → actions granted on the whole namespace. */
  async getPermissions(namespace: string, options?: CallOptions): Promise<Record<string, AuthAction[]>> {
    return (await this.#get<Record<string, AuthAction[]>>(namespace, 'permissions', options)) ?? {};
  }

  /** Replaces the role's actions with `actions`. 501 when the broker runs without authorization. */
  async grantPermission(namespace: string, role: string, actions: AuthAction[], options?: CallOptions): Promise<void> {
    return this.#http.post(nsPath(namespace) + adminPath`/permissions/${role}`, { ...options, body: actions });
  }

  async revokePermission(namespace: string, role: string, options?: CallOptions): Promise<void> {
    return this.#http.delete(nsPath(namespace) + adminPath`/permissions/${role}`, options);
  }

  /**
   * Creates the namespace (409 counts as present), then sets each policy in `spec` whose current
   * value differs. Reports what it changed, so a second run with the same spec changes nothing.
   */
  async ensure(namespace: string, spec: NamespaceSpec = {}, options?: CallOptions): Promise<EnsureResult> {
    const created = await createUnlessExists(() => this.create(namespace, undefined, options));
    const changed: string[] = [];
    const converge = async (name: string, same: () => Promise<boolean>, apply: () => Promise<void>): Promise<void> => {
      if (await same()) return;
      await apply();
      changed.push(name);
    };

    if (spec.replicationClusters) {
      const want = spec.replicationClusters;
      await converge('replicationClusters', async () => sameSet(await this.getReplicationClusters(namespace, options), want),
        () => this.setReplicationClusters(namespace, want, options));
    }
    await this.#ensureRetentionAndQuotas(namespace, spec, options, converge);
    if (spec.messageTtlSeconds !== undefined) {
      const want = spec.messageTtlSeconds;
      await converge('messageTtlSeconds', async () => (await this.getMessageTtl(namespace, options)) === want,
        () => this.setMessageTtl(namespace, want, options));
    }
    if (spec.deduplication !== undefined) {
      const want = spec.deduplication;
      await converge('deduplication', async () => (await this.getDeduplication(namespace, options)) === want,
        () => this.setDeduplication(namespace, want, options));
    }
    const rates: [RatePolicy, DispatchRate | PublishRate | undefined][] = [
      ['dispatchRate', spec.dispatchRate],
      ['subscriptionDispatchRate', spec.subscriptionDispatchRate],
      ['publishRate', spec.publishRate],
    ];
    for (const [policy, want] of rates) {
      if (want === undefined) continue;
      await converge(policy, async () => matches(want, await this.#get<object>(namespace, policy, options)),
        () => this.#set(namespace, policy, want, options));
    }
    if (spec.permissions) {
      const current = await this.getPermissions(namespace, options);
      for (const [role, actions] of Object.entries(spec.permissions)) {
        await converge(`permissions:${role}`, async () => role in current && sameSet(current[role], actions),
          () => this.grantPermission(namespace, role, actions, options));
      }
    }
    return { created, changed };
  }

  // The broker keeps a size quota below the retention size (412 otherwise), checking whichever is
  // set second: raising both must set retention first, lowering both the quota first.
  async #ensureRetentionAndQuotas(
    namespace: string,
    spec: NamespaceSpec,
    options: CallOptions | undefined,
    converge: (name: string, same: () => Promise<boolean>, apply: () => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const retention = async (): Promise<void> => {
      const want = spec.retention;
      if (want) await converge('retention', async () => matches(want, await this.getRetention(namespace, options)), () => this.setRetention(namespace, want, options));
    };
    const quotas = async (): Promise<void> => {
      const current = await this.getBacklogQuotas(namespace, options);
      for (const [type, want] of Object.entries(spec.backlogQuotas ?? {}) as [BacklogQuotaType, BacklogQuota][]) {
        await converge(`backlogQuota:${type}`, async () => matches(want, current[type]), () => this.setBacklogQuota(namespace, want, type, options));
      }
    };
    try {
      await retention();
    } catch (error) {
      if (!isPulsarAdminError(error, PulsarAdminErrorCode.PRECONDITION_FAILED) || !spec.backlogQuotas) throw error;
      await quotas();
      await retention();
      return;
    }
    await quotas();
  }

  async #get<T>(namespace: string, policy: string, options?: CallOptions): Promise<T | undefined> {
    return this.#http.get<T | undefined>(`${nsPath(namespace)}/${policy}`, options);
  }

  async #set(namespace: string, policy: string, body: unknown, options?: CallOptions, query?: Record<string, QueryValue>): Promise<void> {
    return this.#http.post(`${nsPath(namespace)}/${policy}`, { ...options, body, query });
  }

  async #remove(namespace: string, policy: string, options?: CallOptions, query?: Record<string, QueryValue>): Promise<void> {
    return this.#http.delete(`${nsPath(namespace)}/${policy}`, { ...options, query });
  }
}

function nsPath(namespace: string): string {
  const { tenant, namespace: local } = parseNamespace(namespace);
  return adminPath`/admin/v2/namespaces/${tenant}/${local}`;
}
