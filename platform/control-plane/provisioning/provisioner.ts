// Applies plans to one region's Pulsar. Every method is idempotent and converging: called again
// with the same plan it changes nothing; called with a new plan it changes what differs. A
// region that cannot be reached makes the call reject; the caller records the region pending.
import type { PipelinePlan, TenantPlan } from './plan.ts';

export interface RegionHealth {
  healthy: boolean;
  error?: string;
}

export interface ReplicationLinkStatus {
  topic: string;
  from: string;
  to: string;
  connected: boolean;
  backlog: number;
}

export interface RegionCallOptions {
  /**
   * Aborted when the caller gives up (the per-region timeout): the remaining admin calls of the
   * operation are not made, so a late region does not go on changing Pulsar behind a newer attempt.
   */
  signal?: AbortSignal;
  /** Limit per admin request, when the provisioner's own default is too short (removals). */
  timeoutMs?: number;
}

export interface Provisioner {
  /** Region (Pulsar cluster) names, in a stable order. */
  readonly regions: readonly string[];
  applyTenant(region: string, plan: TenantPlan, options?: RegionCallOptions): Promise<void>;
  /** Removes the tenant's namespaces and topics, then the tenant. */
  removeTenant(region: string, plan: TenantPlan, options?: RegionCallOptions): Promise<void>;
  /** Namespace, policies, grants and partitioned topics; deletes topics of the namespace the plan no longer lists. */
  applyPipeline(region: string, plan: PipelinePlan, options?: RegionCallOptions): Promise<void>;
  removePipeline(region: string, plan: PipelinePlan, options?: RegionCallOptions): Promise<void>;
  /** Whether Pulsar in `region` already has a tenant named `tenant` (any owner). */
  tenantExists(region: string, tenant: string, options?: RegionCallOptions): Promise<boolean>;
  health(region: string): Promise<RegionHealth>;
  /** Outbound replication of these topics from `region`. */
  replication(region: string, topics: readonly string[]): Promise<ReplicationLinkStatus[]>;
  /** A Pulsar token for `role`, or undefined when this deployment cannot mint tokens. */
  mintToken(role: string): string | undefined;
}
