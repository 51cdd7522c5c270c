// Tenant API keys. The secret is returned once at creation; the store keeps only its hash.
import { z } from 'zod';
import { TenantId, Timestamp } from './common.ts';

export const Role = z.enum(['admin', 'deployer', 'viewer']).describe('admin: keys and everything; deployer: pipelines and functions; viewer: read');
export type Role = z.infer<typeof Role>;

export const ApiKeySpec = z
  .strictObject({
    name: z.string().min(1).max(64),
    role: Role.default('viewer').describe('left out: viewer, the least a key can do'),
  })
  .meta({ id: 'ApiKeySpec' });

export const ApiKey = z
  .strictObject({
    id: z.string(),
    tenant: TenantId,
    name: z.string(),
    role: Role,
    createdAt: Timestamp,
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyCreated = ApiKey.extend({
  secret: z.string().describe('the bearer token for this key; shown once, never again'),
}).meta({ id: 'ApiKeyCreated' });
