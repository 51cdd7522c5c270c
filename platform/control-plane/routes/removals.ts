// What deletes left behind: resources deleted through the API that a region still holds. Removal
// goes on in the background (the reconciler retries until Pulsar no longer lists them); this is
// where an operator sees it, per region, with the last error and the next try.
import type { FastifyInstance } from 'fastify';
import { PendingRemoval } from '../schemas/index.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';
import type { Services } from '../services/index.ts';
import { errors, listOf, security } from './params.ts';

export default async function removalRoutes(root: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();

  app.get('/v1/removals', {
    config: { access: { kind: 'operator' } },
    schema: { tags: ['removals'], security, summary: 'Deleted tenants and pipelines not yet removed from every region', response: { 200: listOf(PendingRemoval), ...errors } },
  }, async () => ({ items: services.provisioning.removals() }));
}
