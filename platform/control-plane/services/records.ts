// What the control store holds, per resource id (the control log's key), and the helpers every
// service shares: version preconditions and store conflicts mapped to the error table.
import type { ApiKey, FunctionManifest, PipelineSpec, RegionProvisioning, Role, TenantQuotas } from '../schemas/index.ts';
import type { z } from 'zod';
import type { PipelinePlan, TenantPlan } from '../provisioning/index.ts';
import type { StoredRecord } from '../store/index.ts';
import { StoreConflictError } from '../store/index.ts';
import { ControlPlaneError, ErrorCode } from '../errors.ts';

export const keys = {
  tenant: (t: string) => `tenant/${t}`,
  tenants: () => 'tenant/',
  apiKey: (id: string) => `apikey/${id}`,
  apiKeys: () => 'apikey/',
  pipeline: (t: string, p: string) => `pipeline/${t}/${p}`,
  pipelines: (t: string) => `pipeline/${t}/`,
  // Zero-padded so the store's key order is version order.
  functionVersion: (t: string, f: string, v: number) => `function/${t}/${f}/${String(v).padStart(8, '0')}`,
  functionVersions: (t: string, f?: string) => (f === undefined ? `function/${t}/` : `function/${t}/${f}/`),
  status: (kind: 'tenant' | 'pipeline', id: string) => `status/${kind}/${id}`,
  statuses: () => 'status/',
};

export interface TenantRecord {
  id: string;
  displayName?: string;
  regions: string[];
  quotas: TenantQuotas;
  createdAt: string;
}

export interface ApiKeyRecord extends ApiKey {
  /** sha256 of the secret, hex. The secret itself is never stored. */
  secretHash: string;
  role: Role;
}

export interface Deployment {
  active: number | null;
  history: number[];
}

export interface PipelineRecord {
  tenant: string;
  name: string;
  spec: PipelineSpec;
  deployments: Record<string, Deployment>;
  createdAt: string;
}

export interface FunctionVersionRecord {
  tenant: string;
  name: string;
  version: number;
  manifest: FunctionManifest;
  content: Record<string, string>;
  sha256: string;
  sizeBytes: number;
  createdAt: string;
}

export type StatusPlan = { kind: 'tenant'; plan: TenantPlan } | { kind: 'pipeline'; plan: PipelinePlan };

export type StatusRecord = StatusPlan & {
  /** absent: the resource was deleted and must be removed from every region. */
  desired: 'present' | 'absent';
  /** The version of the resource record this plan was made from. */
  resourceVersion: number;
  regions: Record<string, z.infer<typeof RegionProvisioning>>;
};

/** `If-Match: "3"` (or 3, or W/"3") → 3. Required on updates: DESIGN.md, writes carry an expected version. */
export function expectedVersion(ifMatch: string | undefined): number {
  if (ifMatch === undefined) throw new ControlPlaneError(ErrorCode.PRECONDITION_REQUIRED);
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(ifMatch.trim());
  if (!match) throw new ControlPlaneError(ErrorCode.VALIDATION_FAILED, 'If-Match must be a version such as "3"', { details: [{ path: 'headers.if-match', message: 'expected a version number' }] });
  return Number(match[1]);
}

/** Runs a store write; a lost compare-and-set becomes 409 (ALREADY_EXISTS when creating). */
export async function guarded<T>(write: () => Promise<T>, what: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof StoreConflictError) {
      if (error.expected === 0) throw new ControlPlaneError(ErrorCode.ALREADY_EXISTS, `${what} already exists`);
      throw new ControlPlaneError(ErrorCode.VERSION_CONFLICT, `${what} is at version ${error.actual}, not ${error.expected}`);
    }
    throw error;
  }
}

export const now = (): string => new Date().toISOString();

export type Stored<T> = StoredRecord<T>;
