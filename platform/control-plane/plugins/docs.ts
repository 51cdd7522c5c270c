// The OpenAPI document (built from the zod route schemas) at /docs/json and its UI at /docs.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { swaggerTransform } from './zod.ts';

const TAGS = [
  { name: 'tenants', description: 'Tenants and their quotas (platform operator)' },
  { name: 'api-keys', description: 'Tenant API keys (tenant admin)' },
  { name: 'pipelines', description: 'Declarative pipelines, provisioned in every region' },
  { name: 'functions', description: 'Function bundles, versions, activation and rollback' },
  { name: 'regions', description: 'Region health and replication' },
  { name: 'removals', description: 'Deleted tenants and pipelines still being removed from a region (platform operator)' },
];

export async function installDocs(app: FastifyInstance, version: string): Promise<void> {
  const components: Record<string, Record<string, unknown>> = {};
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Lodestar control plane', version, description: 'Tenants, pipelines and functions across regions. Errors: `{ error: { code, message, details? } }`.' },
      tags: TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'platform-admin token or tenant API key (lsk_...)' } } },
    },
    transform: swaggerTransform(components),
    // Runs after every route went through `transform`, so `components` is complete by then.
    transformObject: (documents) => {
      if (!('openapiObject' in documents)) return documents.swaggerObject;
      const document = documents.openapiObject;
      document.components = { ...document.components, schemas: { ...document.components?.schemas, ...components } as never };
      return document;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
