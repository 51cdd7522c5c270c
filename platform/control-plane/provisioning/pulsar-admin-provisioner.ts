// The Provisioner on real Pulsar, through platform/pulsar-admin: one admin client per region,
// each region its own Pulsar instance (own configuration store), so everything is applied in
// each region separately. Topics are created `localOnly`: by default the broker would also call
// the other regions' admin APIs, which would make one region's create fail while another is down.
import type { NamespaceSpec, TokenProvider } from '../../pulsar-admin/index.ts';
import { isPulsarAdminError, mintToken, PulsarAdmin, PulsarAdminErrorCode } from '../../pulsar-admin/index.ts';
import type { NamespacePlan, PipelinePlan, TenantPlan } from './plan.ts';
import type { Provisioner, RegionCallOptions, RegionHealth, ReplicationLinkStatus } from './provisioner.ts';

export interface RegionEndpoint {
  name: string;
  /** The region's broker web service, http://host:port. */
  webUrl: string;
}

export interface PulsarAdminProvisionerOptions {
  regions: readonly RegionEndpoint[];
  /** Superuser token (or provider) for the admin API of every region. */
  token: string | TokenProvider;
  /** The brokers' HS256 secret key, to mint tenant tokens; without it tenants get no token. */
  secretKey?: Buffer;
  timeoutMs?: number;
}

export function namespaceSpec(ns: NamespacePlan): NamespaceSpec {
  return {
    replicationClusters: ns.replicationClusters,
    retention: { retentionTimeInMinutes: ns.retention.minutes, retentionSizeInMB: ns.retention.sizeMb },
    // Hold producers rather than drop data: the runtime's transactions then time out and retry.
    backlogQuotas: { destination_storage: { limitSize: ns.backlogQuotaBytes, policy: 'producer_request_hold' } },
    messageTtlSeconds: ns.messageTtlSeconds,
    deduplication: ns.deduplication,
    publishRate: { publishThrottlingRateInMsg: ns.publishRate.msgPerSec, publishThrottlingRateInByte: ns.publishRate.bytesPerSec },
    dispatchRate: { dispatchThrottlingRateInMsg: ns.dispatchRate.msgPerSec, dispatchThrottlingRateInByte: ns.dispatchRate.bytesPerSec, ratePeriodInSecond: 1 },
    permissions: ns.grants,
  };
}

const ignoreMissing = (error: unknown): void => {
  if (!isPulsarAdminError(error, PulsarAdminErrorCode.NOT_FOUND)) throw error;
};

export class PulsarAdminProvisioner implements Provisioner {
  readonly regions: readonly string[];
  readonly #admins: ReadonlyMap<string, PulsarAdmin>;
  readonly #secretKey: Buffer | undefined;

  constructor(options: PulsarAdminProvisionerOptions) {
    this.regions = options.regions.map((r) => r.name);
    const auth = typeof options.token === 'string' ? { token: options.token } : { tokenProvider: options.token };
    this.#admins = new Map(options.regions.map((r) => [r.name, new PulsarAdmin({ webUrl: r.webUrl, timeoutMs: options.timeoutMs, ...auth })]));
    this.#secretKey = options.secretKey;
  }

  admin(region: string): PulsarAdmin {
    const admin = this.#admins.get(region);
    if (!admin) throw new Error(`unknown region ${region}`);
    return admin;
  }

  /** Policies and grants as planned; any other role's grant on the namespace is revoked. */
  async #namespace(admin: PulsarAdmin, ns: NamespacePlan, call: RegionCallOptions): Promise<void> {
    await admin.namespaces.ensure(ns.name, namespaceSpec(ns), call);
    const granted = await admin.namespaces.getPermissions(ns.name, call);
    for (const role of Object.keys(granted)) if (!(role in ns.grants)) await admin.namespaces.revokePermission(ns.name, role, call);
  }

  async applyTenant(region: string, plan: TenantPlan, call: RegionCallOptions = {}): Promise<void> {
    const admin = this.admin(region);
    // No admin roles: the tenant's role produces and consumes, it does not administer.
    await admin.tenants.ensure(plan.tenant, { adminRoles: [], allowedClusters: plan.allowedClusters }, call);
    for (const ns of plan.namespaces) await this.#namespace(admin, ns, call);
  }

  async removeTenant(region: string, plan: TenantPlan, call: RegionCallOptions = {}): Promise<void> {
    await this.admin(region).deleteTenantInCluster(plan.tenant, region, call).catch(ignoreMissing);
  }

  async applyPipeline(region: string, plan: PipelinePlan, call: RegionCallOptions = {}): Promise<void> {
    const admin = this.admin(region);
    await this.#namespace(admin, plan.namespace, call);
    for (const topic of plan.topics) await admin.topics.ensurePartitioned(topic.name, topic.partitions, { localOnly: true, ...call });
    const wanted = new Set(plan.topics.map((t) => t.name));
    for (const existing of await admin.topics.listPartitioned(plan.namespace.name, call)) {
      if (!wanted.has(existing)) await admin.deleteTopic(existing, call).catch(ignoreMissing);
    }
  }

  async removePipeline(region: string, plan: PipelinePlan, call: RegionCallOptions = {}): Promise<void> {
    await this.admin(region).deleteNamespaceInCluster(plan.namespace.name, region, { force: true, ...call }).catch(ignoreMissing);
  }

  async tenantExists(region: string, tenant: string, call: RegionCallOptions = {}): Promise<boolean> {
    return (await this.admin(region).tenants.list(call)).includes(tenant);
  }

  async health(region: string): Promise<RegionHealth> {
    try {
      await this.admin(region).brokers.health();
      return { healthy: true };
    } catch (error) {
      return { healthy: false, error: isPulsarAdminError(error) ? error.code : 'unreachable' };
    }
  }

  async replication(region: string, topics: readonly string[]): Promise<ReplicationLinkStatus[]> {
    const admin = this.admin(region);
    const links: ReplicationLinkStatus[] = [];
    for (const topic of topics) {
      const stats = await admin.topics.partitionedStats(topic).catch((error: unknown) => {
        ignoreMissing(error);
        return undefined;
      });
      for (const [to, r] of Object.entries(stats?.replication ?? {})) {
        links.push({ topic, from: region, to, connected: r.connected, backlog: r.replicationBacklog });
      }
    }
    return links;
  }

  mintToken(role: string): string | undefined {
    return this.#secretKey ? mintToken(this.#secretKey, role) : undefined;
  }
}
