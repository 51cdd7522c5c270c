import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiKey, ApiKeyCreated, ApiKeySpec } from '../schemas/index.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';
import type { Services } from '../services/index.ts';
import { errors, listOf, security, TenantParams } from './params.ts';

export default async function apiKeyRoutes(root: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['api-keys'];
  const access = { kind: 'tenant', role: 'admin' } as const;

  app.post('/v1/tenants/:tenantId/api-keys', {
    config: { access },
    schema: { tags, security, summary: 'Create an API key; the secret is in this response only', params: TenantParams, body: ApiKeySpec, response: { 201: ApiKeyCreated, ...errors } },
  }, async (request, reply) => {
    services.tenants.record(request.params.tenantId);
    return reply.code(201).send(await services.apiKeys.create(request.params.tenantId, request.body.name, request.body.role));
  });

  app.get('/v1/tenants/:tenantId/api-keys', {
    config: { access },
    schema: { tags, security, summary: 'List API keys (never their secrets)', params: TenantParams, response: { 200: listOf(ApiKey), ...errors } },
  }, async (request) => {
    services.tenants.record(request.params.tenantId);
    return { items: services.apiKeys.list(request.params.tenantId) };
  });

  app.delete('/v1/tenants/:tenantId/api-keys/:keyId', {
    config: { access },
    schema: { tags, security, summary: 'Revoke an API key', params: TenantParams.extend({ keyId: z.string().regex(/^[0-9a-f]{16}$/) }), response: { 204: { type: 'null', description: 'revoked' }, ...errors } },
  }, async (request, reply) => {
    await services.apiKeys.revoke(request.params.tenantId, request.params.keyId);
    return reply.code(204).send();
  });
}
