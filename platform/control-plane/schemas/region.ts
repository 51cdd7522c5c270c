import { z } from 'zod';
import { Provisioning, RegionName, Timestamp } from './common.ts';

export const Region = z
  .strictObject({
    name: RegionName,
    healthy: z.boolean(),
    error: z.string().optional(),
    checkedAt: Timestamp,
  })
  .meta({ id: 'Region' });
export type Region = z.infer<typeof Region>;

export const ReplicationLink = z.strictObject({
  topic: z.string(),
  from: RegionName,
  to: RegionName,
  connected: z.boolean(),
  backlog: z.number().int(),
});
export type ReplicationLink = z.infer<typeof ReplicationLink>;

export const ReplicationStatus = z
  .strictObject({
    tenant: z.string(),
    provisioning: Provisioning.describe('the tenant itself'),
    pipelines: z.record(z.string(), Provisioning),
    links: z.array(ReplicationLink),
    unreachable: z.array(RegionName),
  })
  .meta({ id: 'ReplicationStatus' });
