import type { FastifyInstance } from 'fastify';
import { ForceQuery, IfMatchHeaders, IfMatchRequiredHeaders, PulsarToken, Tenant, TenantCreated, TenantPatch, TenantSpec } from '../schemas/index.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';
import type { Services } from '../services/index.ts';
import { expectedVersion } from '../services/index.ts';
import { errors, listOf, security, TenantParams } from './params.ts';

export default async function tenantRoutes(root: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['tenants'];

  app.post('/v1/tenants', {
    config: { access: { kind: 'operator' } },
    schema: { tags, security, summary: 'Create a tenant and provision it in every region', body: TenantSpec, response: { 201: TenantCreated, ...errors } },
  }, async (request, reply) => {
    const tenant = await services.tenants.create(request.body);
    return reply.code(201).header('etag', `"${tenant.version}"`).send(tenant);
  });

  app.get('/v1/tenants', {
    config: { access: { kind: 'operator' } },
    schema: { tags, security, summary: 'List tenants', response: { 200: listOf(Tenant), ...errors } },
  }, async () => ({ items: services.tenants.list() }));

  app.get('/v1/tenants/:tenantId', {
    config: { access: { kind: 'tenant', role: 'viewer' } },
    schema: { tags, security, summary: 'Read a tenant, with its provisioning state per region', params: TenantParams, response: { 200: Tenant, ...errors } },
  }, async (request, reply) => {
    const tenant = services.tenants.get(request.params.tenantId);
    return reply.header('etag', `"${tenant.version}"`).send(tenant);
  });

  app.patch('/v1/tenants/:tenantId', {
    config: { access: { kind: 'operator' } },
    schema: { tags, security, summary: 'Change quotas or display name (If-Match required)', params: TenantParams, headers: IfMatchRequiredHeaders, body: TenantPatch, response: { 200: Tenant, ...errors } },
  }, async (request, reply) => {
    const tenant = await services.tenants.update(request.params.tenantId, request.body, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${tenant.version}"`).send(tenant);
  });

  app.delete('/v1/tenants/:tenantId', {
    config: { access: { kind: 'operator' } },
    schema: { tags, security, summary: 'Delete a tenant (refused while it has pipelines unless force=true)', params: TenantParams, querystring: ForceQuery, headers: IfMatchHeaders, response: { 204: { type: 'null', description: 'deleted' }, ...errors } },
  }, async (request, reply) => {
    const ifMatch = request.headers['if-match'];
    await services.tenants.delete(request.params.tenantId, request.query.force === 'true', ifMatch === undefined ? undefined : expectedVersion(ifMatch));
    return reply.code(204).send();
  });

  app.post('/v1/tenants/:tenantId/pulsar-token', {
    config: { access: { kind: 'tenant', role: 'admin' } },
    schema: { tags, security, summary: 'A token for the tenant\'s Pulsar role (produce and consume on its namespaces only)', params: TenantParams, response: { 200: PulsarToken, ...errors } },
  }, async (request) => services.tenants.pulsarToken(request.params.tenantId));
}
