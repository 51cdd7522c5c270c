// Tenants and their quotas. Quotas bound what a tenant's pipelines may ask for; the provisioner
// turns them into Pulsar namespace policies (rates, retention, backlog quota, TTL).
import { z } from 'zod';
import { Provisioning, RegionName, TenantId, Timestamp, Version } from './common.ts';

const count = (max: number) => z.number().int().min(1).max(max);

const quotaFields = {
  maxPipelines: count(1000),
  maxTopicsPerPipeline: count(100),
  maxPartitionsPerTopic: count(256),
  publishRateMsgPerSec: count(10_000_000).describe('per namespace and region'),
  publishRateBytesPerSec: count(10_000_000_000),
  dispatchRateMsgPerSec: count(10_000_000),
  dispatchRateBytesPerSec: count(10_000_000_000),
  retentionMinutes: z.number().int().min(0).max(525_600 * 10),
  retentionSizeMb: count(10_000_000),
  backlogQuotaMb: count(10_000_000).describe('must be below retentionSizeMb (Pulsar refuses otherwise)'),
  messageTtlSeconds: z.number().int().min(0).max(31_536_000),
  maxBundleBytes: count(64 * 1024 * 1024).describe('largest function bundle accepted'),
};

export const TenantQuotas = z.strictObject(quotaFields).meta({ id: 'TenantQuotas' });
export type TenantQuotas = z.infer<typeof TenantQuotas>;

/**
 * What a tenant created without (some of) its quotas gets: room for a few small pipelines, a
 * day of retention, rates a single producer on a laptop does not hit.
 */
export const DEFAULT_TENANT_QUOTAS: Readonly<TenantQuotas> = Object.freeze({
  maxPipelines: 10,
  maxTopicsPerPipeline: 10,
  maxPartitionsPerTopic: 16,
  publishRateMsgPerSec: 1_000,
  publishRateBytesPerSec: 1_048_576,
  dispatchRateMsgPerSec: 2_000,
  dispatchRateBytesPerSec: 2_097_152,
  retentionMinutes: 1_440,
  retentionSizeMb: 1_024,
  backlogQuotaMb: 512,
  messageTtlSeconds: 86_400,
  maxBundleBytes: 1_048_576,
});

type QuotaFields = typeof quotaFields;

/** Quotas on create: every field may be left out and takes its DEFAULT_TENANT_QUOTAS value. */
export const TenantQuotasWithDefaults = z
  .strictObject(Object.fromEntries(Object.entries(quotaFields).map(([key, field]) => [key, field.default(DEFAULT_TENANT_QUOTAS[key as keyof TenantQuotas])])) as { [K in keyof QuotaFields]: z.ZodDefault<QuotaFields[K]> })
  .meta({ id: 'TenantQuotasWithDefaults' });

/** Pulsar refuses a backlog quota at or above the retention size (HTTP 412). */
export function checkQuotas(quotas: Partial<TenantQuotas>, ctx: z.RefinementCtx, path: PropertyKey[] = []): void {
  if (quotas.backlogQuotaMb !== undefined && quotas.retentionSizeMb !== undefined && quotas.backlogQuotaMb >= quotas.retentionSizeMb) {
    ctx.addIssue({ code: 'custom', path: [...path, 'backlogQuotaMb'], message: 'backlogQuotaMb must be below retentionSizeMb' });
  }
}

export const TenantSpec = z
  .strictObject({
    id: TenantId,
    displayName: z.string().min(1).max(200).optional(),
    /** Regions the tenant may use; every configured region when left out. */
    regions: z.array(RegionName).min(1).max(16).optional(),
    quotas: TenantQuotasWithDefaults.prefault({}).describe('left out, or any field of it left out: the defaults shown'),
  })
  .superRefine((t, ctx) => checkQuotas(t.quotas, ctx, ['quotas']))
  .meta({ id: 'TenantSpec' });
export type TenantSpec = z.infer<typeof TenantSpec>;

export const TenantPatch = z
  .strictObject({
    displayName: z.string().min(1).max(200).optional(),
    quotas: TenantQuotas.partial().optional(),
  })
  .meta({ id: 'TenantPatch' });
export type TenantPatch = z.infer<typeof TenantPatch>;

export const Tenant = z
  .strictObject({
    id: TenantId,
    displayName: z.string().optional(),
    regions: z.array(RegionName),
    quotas: TenantQuotas,
    pulsarRole: z.string().describe('the Pulsar role this tenant\'s token carries'),
    version: Version,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    provisioning: Provisioning,
  })
  .meta({ id: 'Tenant' });
export type Tenant = z.infer<typeof Tenant>;

export const TenantCreated = Tenant.extend({
  pulsarToken: z.string().optional().describe('token for the tenant\'s Pulsar role (absent when this control plane cannot mint tokens)'),
}).meta({ id: 'TenantCreated' });

export const PulsarToken = z.strictObject({ role: z.string(), token: z.string() }).meta({ id: 'PulsarToken' });
