// Deleted tenants and pipelines that some region still holds: what the reconciler is removing.
import { z } from 'zod';
import { RegionName, RegionProvisioning, Timestamp } from './common.ts';

export const RemovalRegion = RegionProvisioning.extend({
  nextAttemptAt: Timestamp.optional().describe('when the reconciler tries this region again (absent: done, running now, waiting, or the reconciler is off)'),
  waitingForPipelines: z.boolean().optional().describe('true: the tenant is removed from this region once its pipelines are'),
});

export const PendingRemoval = z
  .strictObject({
    kind: z.enum(['tenant', 'pipeline']),
    tenant: z.string(),
    pipeline: z.string().optional(),
    inProgress: z.boolean().describe('an attempt is running now'),
    regions: z.record(RegionName, RemovalRegion).describe('per region: ready = removed there; pending or failed = still there, retried'),
  })
  .meta({ id: 'PendingRemoval' });
export type PendingRemoval = z.infer<typeof PendingRemoval>;
