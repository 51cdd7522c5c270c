import type { FastifyInstance } from 'fastify';
import { ActivateBody, DryRunQuery, IfMatchHeaders, IfMatchRequiredHeaders, Pipeline, PipelineSpec, PipelineWriteResult, RollbackBody } from '../schemas/index.ts';
import type { ZodTypeProvider } from '../plugins/zod.ts';
import type { Services } from '../services/index.ts';
import { expectedVersion } from '../services/index.ts';
import { DeploymentParams, errors, listOf, PipelineParams, security, TenantParams } from './params.ts';

export default async function pipelineRoutes(root: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const tags = ['pipelines'];
  const read = { kind: 'tenant', role: 'viewer' } as const;
  const write = { kind: 'tenant', role: 'deployer' } as const;
  const tenant = (id: string) => services.tenants.record(id).value;

  app.post('/v1/tenants/:tenantId/pipelines', {
    config: { access: write },
    schema: { tags, security, summary: 'Create a pipeline and provision it in every region (dryRun: show, write nothing)', params: TenantParams, querystring: DryRunQuery, body: PipelineSpec, response: { 200: PipelineWriteResult, 201: PipelineWriteResult, ...errors } },
  }, async (request, reply) => {
    const result = await services.pipelines.create(tenant(request.params.tenantId), request.body, request.query.dryRun === 'true');
    return reply.code(result.dryRun ? 200 : 201).header('etag', `"${result.version}"`).send(result);
  });

  app.get('/v1/tenants/:tenantId/pipelines', {
    config: { access: read },
    schema: { tags, security, summary: 'List pipelines', params: TenantParams, response: { 200: listOf(Pipeline), ...errors } },
  }, async (request) => {
    tenant(request.params.tenantId);
    return { items: services.pipelines.list(request.params.tenantId) };
  });

  app.get('/v1/tenants/:tenantId/pipelines/:pipeline', {
    config: { access: read },
    schema: { tags, security, summary: 'Read a pipeline: spec, active function versions, provisioning per region', params: PipelineParams, response: { 200: Pipeline, ...errors } },
  }, async (request, reply) => {
    tenant(request.params.tenantId);
    const pipeline = services.pipelines.get(request.params.tenantId, request.params.pipeline);
    return reply.header('etag', `"${pipeline.version}"`).send(pipeline);
  });

  app.put('/v1/tenants/:tenantId/pipelines/:pipeline', {
    config: { access: write },
    schema: { tags, security, summary: 'Replace the spec: diffs, writes (If-Match required) and converges every region', params: PipelineParams, querystring: DryRunQuery, headers: IfMatchRequiredHeaders, body: PipelineSpec, response: { 200: PipelineWriteResult, ...errors } },
  }, async (request, reply) => {
    const expected = expectedVersion(request.headers['if-match']);
    const result = await services.pipelines.update(tenant(request.params.tenantId), request.params.pipeline, request.body, expected, request.query.dryRun === 'true');
    return reply.header('etag', `"${result.version}"`).send(result);
  });

  app.delete('/v1/tenants/:tenantId/pipelines/:pipeline', {
    config: { access: write },
    schema: { tags, security, summary: 'Delete a pipeline and its topics and namespace in every region', params: PipelineParams, headers: IfMatchHeaders, response: { 204: { type: 'null', description: 'deleted' }, ...errors } },
  }, async (request, reply) => {
    const ifMatch = request.headers['if-match'];
    await services.pipelines.delete(tenant(request.params.tenantId), request.params.pipeline, ifMatch === undefined ? undefined : expectedVersion(ifMatch));
    return reply.code(204).send();
  });

  app.put('/v1/tenants/:tenantId/pipelines/:pipeline/functions/:functionName/active', {
    config: { access: write },
    schema: { tags: ['pipelines', 'functions'], security, summary: 'Make a bundle version the one this pipeline runs (If-Match: the pipeline version)', params: DeploymentParams, headers: IfMatchRequiredHeaders, body: ActivateBody, response: { 200: Pipeline, ...errors } },
  }, async (request, reply) => {
    const { tenantId, pipeline, functionName } = request.params;
    tenant(tenantId);
    const result = await services.pipelines.activate(tenantId, pipeline, functionName, request.body.version, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${result.version}"`).send(result);
  });

  app.post('/v1/tenants/:tenantId/pipelines/:pipeline/functions/:functionName/rollback', {
    config: { access: write },
    schema: { tags: ['pipelines', 'functions'], security, summary: 'Go back to the previous active version, or to toVersion', params: DeploymentParams, headers: IfMatchRequiredHeaders, body: RollbackBody, response: { 200: Pipeline, ...errors } },
  }, async (request, reply) => {
    const { tenantId, pipeline, functionName } = request.params;
    tenant(tenantId);
    const result = await services.pipelines.rollback(tenantId, pipeline, functionName, request.body.toVersion, expectedVersion(request.headers['if-match']));
    return reply.header('etag', `"${result.version}"`).send(result);
  });
}
