import type { FastifyInstance } from 'fastify';
import { Region, ReplicationStatus } from '../schemas/index.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';
import type { Services } from '../services/index.ts';
import { errors, listOf, security, TenantParams } from './params.ts';

export default async function regionRoutes(root: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['regions'];

  app.get('/v1/regions', {
    config: { access: { kind: 'authenticated' } },
    schema: { tags, security, summary: 'Regions and their health', response: { 200: listOf(Region), ...errors } },
  }, async () => ({ items: await services.regions.list() }));

  app.get('/v1/tenants/:tenantId/replication', {
    config: { access: { kind: 'tenant', role: 'viewer' } },
    schema: { tags, security, summary: 'Provisioning per region and geo-replication of the tenant\'s topics', params: TenantParams, response: { 200: ReplicationStatus, ...errors } },
  }, async (request) => services.regions.replication(services.tenants.record(request.params.tenantId).value));
}
