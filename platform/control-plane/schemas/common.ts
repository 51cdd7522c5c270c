// Building blocks shared by every resource schema. Names become Pulsar tenant, namespace and
// topic segments, so they keep to a charset all of those accept (pulsar-admin names.ts allows
// [-=:.\w]; we allow less so names also work as metric labels and file names).
import { z } from 'zod';

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

export const ResourceName = z
  .string()
  .regex(NAME_PATTERN, 'use 2-40 lower-case letters, digits and dashes, starting with a letter')
  .describe('2-40 characters: a-z, 0-9 and -, starting with a letter, not ending with -');

/** Tenant ids that would collide with Pulsar's own tenants or ours. */
export const RESERVED_TENANT_IDS: ReadonlySet<string> = new Set(['public', 'pulsar', 'system', 'lodestar', 'sample']);

export const TenantId = ResourceName.refine((id) => !RESERVED_TENANT_IDS.has(id), 'this tenant id is reserved');

export const RegionName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a region name such as east').describe('a region (Pulsar cluster) name');

export const Timestamp = z.string().describe('ISO 8601 time');

/** A record's version: each write adds one. Sent back in If-Match to update. */
export const Version = z.number().int().min(1).describe('the record version; send it back in If-Match to update');

export const ProvisioningState = z.enum(['ready', 'pending', 'failed']);

export const RegionProvisioning = z.strictObject({
  state: ProvisioningState.describe('ready: applied; pending: not yet (region unreachable); failed: refused by Pulsar, retried'),
  /** Which version of the resource the state refers to. */
  appliedVersion: z.number().int().min(0),
  error: z.string().optional(),
  attempts: z.number().int().min(0),
  updatedAt: Timestamp,
});

export const Provisioning = z.record(RegionName, RegionProvisioning).describe('per region: has the resource been applied there');

/** An entity tag carrying a record version: `"3"` (also accepted: `3`, `W/"3"`). */
export const IF_MATCH_PATTERN = /^(?:W\/)?"?\d{1,15}"?$/;
const IfMatch = z.string().regex(IF_MATCH_PATTERN, 'a version such as "3"');

/** Optional expected version (deletes). */
export const IfMatchHeaders = z.looseObject({
  'if-match': IfMatch.optional().describe('the version you read, e.g. "3": the delete fails with 409 if it changed'),
});

/** Required expected version (updates): missing → 428, stale → 409. */
export const IfMatchRequiredHeaders = z.looseObject({
  'if-match': IfMatch.describe('the version you read, e.g. "3" (the ETag of the resource)'),
});

export const ForceQuery = z.strictObject({
  force: z.enum(['true', 'false']).optional().describe('true: delete even when dependents exist'),
});

export const ErrorDetailSchema = z.strictObject({ path: z.string(), message: z.string() });

export const ErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('stable code from the control plane error table'),
      message: z.string(),
      details: z.array(ErrorDetailSchema).optional(),
    }),
  })
  .meta({ id: 'Error' });
