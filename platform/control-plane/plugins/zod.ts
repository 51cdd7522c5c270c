// Our own fastify type provider for zod 4: routes declare zod schemas; requests are parsed by
// zod (strict objects refuse unknown fields, issues keep their paths); the OpenAPI document gets
// the same schemas as JSON Schema through z.toJSONSchema. One source of truth, no ajv in between.
import type { FastifyInstance, FastifySchema, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { ControlPlaneError, ErrorCode } from '../errors.ts';

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

const isZod = (value: unknown): value is z.ZodType => value instanceof z.ZodType;

/** zod issue path → `body.inputs.0.partitions` (the prefix says which part of the request). */
export function issuesToDetails(part: string, error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => ({
      path: [part, ...issue.path.map(String), ...(key === undefined ? [] : [key])].join('.'),
      message: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
    }));
  }).flat();
}

export function installZod(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZod(schema)) throw new Error(`route schema for ${httpPart} must be a zod schema`);
    return (data: unknown) => {
      const result = schema.safeParse(data);
      if (result.success) return { value: result.data };
      const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
      // A missing expected version is its own answer (428), not a malformed request.
      if (part === 'headers' && (data as Record<string, unknown>)['if-match'] === undefined && result.error.issues.every((i) => i.path[0] === 'if-match')) {
        return { error: new ControlPlaneError(ErrorCode.PRECONDITION_REQUIRED) };
      }
      return { error: new ControlPlaneError(ErrorCode.VALIDATION_FAILED, undefined, { details: issuesToDetails(part, result.error) }) };
    };
  });
  // Responses are built by our handlers from typed records; response schemas are documentation.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

type JsonSchema = Record<string, unknown>;

/**
 * Converts a zod schema to JSON Schema for OpenAPI 3.1. Named schemas (`.meta({ id })`) become
 * `#/components/schemas/<id>` references; their definitions are collected into `components`.
 */
function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  const json = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
  for (const [id, def] of Object.entries(defs)) components[id] ??= def;
  delete json.$defs;
  delete json.$schema;
  return json;
}

/** @fastify/swagger `transform`: zod route schemas → JSON Schema, collecting components. */
export function swaggerTransform(components: Record<string, JsonSchema>) {
  return ({ schema, url }: { schema: FastifySchema; url: string }): { schema: JsonSchema; url: string } => {
    if (!schema) return { schema: schema as JsonSchema, url };
    const out: JsonSchema = { ...schema };
    for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
      const value = schema[part];
      if (isZod(value)) out[part] = toOpenApiSchema(value, 'input', components);
    }
    if (schema.response && typeof schema.response === 'object') {
      const response: JsonSchema = {};
      for (const [status, value] of Object.entries(schema.response as Record<string, unknown>)) {
        response[status] = isZod(value) ? toOpenApiSchema(value, 'output', components) : value;
      }
      out.response = response;
    }
    return { schema: out, url };
  };
}
