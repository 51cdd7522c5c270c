import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FunctionBundle, FunctionSummary, FunctionVersion, FunctionVersionWithFiles } from '../schemas/index.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';
import type { Services } from '../services/index.ts';
import { versionView } from '../services/index.ts';
import { notFound } from '../errors.ts';
import { errors, FunctionParams, listOf, security, TenantParams } from './params.ts';

export default async function functionRoutes(root: FastifyInstance, { services, bundleBodyLimitBytes }: { services: Services; bundleBodyLimitBytes: number }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['functions'];
  const read = { kind: 'tenant', role: 'viewer' } as const;

  const summary = (tenant: string, name: string) => {
    const versions = services.functions.versions(tenant, name);
    if (versions.length === 0) throw notFound(`function ${name}`);
    return { name, latest: versions.at(-1)!.version, versions: versions.map((v) => { const { files: _files, ...rest } = versionView(v); return rest; }) };
  };

  app.post('/v1/tenants/:tenantId/functions/:functionName/versions', {
    bodyLimit: bundleBodyLimitBytes,
    config: { access: { kind: 'tenant', role: 'deployer' } },
    schema: { tags, security, summary: 'Upload a bundle (manifest + files): a new version, or 200 with the latest if identical', params: FunctionParams, body: FunctionBundle, response: { 200: FunctionVersion, 201: FunctionVersion, ...errors } },
  }, async (request, reply) => {
    const tenant = services.tenants.record(request.params.tenantId).value;
    const { created, version } = await services.functions.upload(tenant, request.params.functionName, request.body);
    return reply.code(created ? 201 : 200).send(versionView(version));
  });

  app.get('/v1/tenants/:tenantId/functions', {
    config: { access: read },
    schema: { tags, security, summary: 'List functions and their versions', params: TenantParams, response: { 200: listOf(FunctionSummary), ...errors } },
  }, async (request) => {
    const { tenantId } = request.params;
    services.tenants.record(tenantId);
    return { items: services.functions.names(tenantId).map((name) => summary(tenantId, name)) };
  });

  app.get('/v1/tenants/:tenantId/functions/:functionName', {
    config: { access: read },
    schema: { tags, security, summary: 'A function\'s versions', params: FunctionParams, response: { 200: FunctionSummary, ...errors } },
  }, async (request) => {
    services.tenants.record(request.params.tenantId);
    return summary(request.params.tenantId, request.params.functionName);
  });

  app.get('/v1/tenants/:tenantId/functions/:functionName/versions/:version', {
    config: { access: read },
    schema: { tags, security, summary: 'One version with its files', params: FunctionParams.extend({ version: z.coerce.number().int().min(1).max(99_999_999) }), response: { 200: FunctionVersionWithFiles, ...errors } },
  }, async (request) => {
    const { tenantId, functionName, version } = request.params;
    services.tenants.record(tenantId);
    const record = services.functions.version(tenantId, functionName, version);
    return { ...versionView(record), content: record.content };
  });
}
