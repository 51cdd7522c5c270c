// Schemas: what producers and consumers declare (PRODUCER/SUBSCRIBE `schema`), and the
// registry's GET_SCHEMA / GET_OR_CREATE_SCHEMA. The broker checks a new schema against the
// topic's versions under the namespace's compatibility strategy and refuses an incompatible one
// with the IncompatibleSchema error code (not retriable).
import type { ClientContext } from './context.ts';
import { ClientErrorCode, PulsarError } from './errors.ts';
import { CommandType, type SchemaData } from './protocol/index.ts';

export const SchemaType = { BYTES: 0, STRING: 1, JSON: 2, PROTOBUF: 3, AVRO: 4, PROTOBUF_NATIVE: 20 } as const;
export type SchemaType = keyof typeof SchemaType;

export interface SchemaInfo {
  /**
   * BYTES (no schema: nothing is sent, as Java's Schema.BYTES), STRING, JSON and AVRO (with an
   * Avro schema definition in JSON, which Java's JSON schema uses too), PROTOBUF (Avro-style
   * definition of the message) or PROTOBUF_NATIVE (Java's JSON of a base64 FileDescriptorSet,
   * root message and file names).
   */
  type: SchemaType;
  /** The definition (schema_data); empty for STRING. */
  definition?: string | Uint8Array;
  name?: string;
  properties?: Record<string, string>;
}

export interface RegisteredSchema extends Required<Omit<SchemaInfo, 'definition'>> {
  definition: Buffer;
  /** The registry's version id (opaque bytes: a big-endian int64 on Pulsar's broker). */
  version: Buffer;
}

const NEEDS_DEFINITION: readonly SchemaType[] = ['JSON', 'AVRO', 'PROTOBUF', 'PROTOBUF_NATIVE'];

/** The protocol's Schema message for `info`, or undefined for BYTES; checks the definition is there (and JSON where it must be). */
export function toSchemaData(info: SchemaInfo | undefined): SchemaData | undefined {
  if (!info || info.type === 'BYTES') return undefined;
  const type = SchemaType[info.type];
  if (type === undefined) throw new PulsarError(ClientErrorCode.InvalidConfiguration, `unknown schema type ${String(info.type)}`);
  const definition = typeof info.definition === 'string' ? Buffer.from(info.definition, 'utf8') : Buffer.from(info.definition ?? []);
  if (NEEDS_DEFINITION.includes(info.type)) {
    if (definition.length === 0) throw new PulsarError(ClientErrorCode.InvalidConfiguration, `a ${info.type} schema needs its definition`);
    try {
      JSON.parse(definition.toString('utf8'));
    } catch (err) {
      throw new PulsarError(ClientErrorCode.InvalidConfiguration, `the ${info.type} schema definition is not JSON`, { cause: err });
    }
  }
  const data: SchemaData = { name: info.name ?? '', schemaData: definition, type };
  if (info.properties) data.properties = Object.entries(info.properties).map(([key, value]) => ({ key, value }));
  return data;
}

function fromSchemaData(data: SchemaData, version: Uint8Array | undefined): RegisteredSchema {
  const type = (Object.keys(SchemaType) as SchemaType[]).find((k) => SchemaType[k] === data.type);
  if (type === undefined) throw new PulsarError(ClientErrorCode.Protocol, `schema of unknown type ${data.type}`);
  return {
    type,
    name: data.name,
    definition: Buffer.from(data.schemaData ?? []),
    properties: Object.fromEntries((data.properties ?? []).map((kv) => [kv.key, kv.value])),
    version: Buffer.from(version ?? []),
  };
}

async function ownerConnection(ctx: ClientContext, topic: string) {
  const { logical, physical } = await ctx.lookup.lookup(topic);
  return ctx.pool.get(logical, physical);
}

/** The topic's latest schema, or the given version; undefined when the topic has none. */
export async function getSchema(ctx: ClientContext, topic: string, version?: Uint8Array): Promise<RegisteredSchema | undefined> {
  const cnx = await ownerConnection(ctx, topic);
  let res;
  try {
    res = await cnx.request({ type: CommandType.GET_SCHEMA, getSchema: { requestId: 0, topic, ...(version ? { schemaVersion: version } : {}) } });
  } catch (err) {
    // The broker answers TopicNotFound for a topic without a schema.
    if (err instanceof PulsarError && err.code === 'TopicNotFound') return undefined;
    throw err;
  }
  const body = res.getSchemaResponse!;
  return body.schema ? fromSchemaData(body.schema, body.schemaVersion) : undefined;
}

/** Register `info` on the topic (or find it already there); returns its version. IncompatibleSchema when the registry refuses it. */
export async function getOrCreateSchema(ctx: ClientContext, topic: string, info: SchemaInfo): Promise<Buffer> {
  const schema = toSchemaData(info);
  if (!schema) throw new PulsarError(ClientErrorCode.InvalidConfiguration, 'a BYTES schema is not registered');
  const cnx = await ownerConnection(ctx, topic);
  const res = await cnx.request({ type: CommandType.GET_OR_CREATE_SCHEMA, getOrCreateSchema: { requestId: 0, topic, schema } });
  return Buffer.from(res.getOrCreateSchemaResponse!.schemaVersion ?? []);
}
