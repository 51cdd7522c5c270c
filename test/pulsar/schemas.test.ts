// Schemas against the real broker's registry (east, default compatibility strategy): a producer
// registers an Avro schema, GET_SCHEMA returns it, a compatible evolution is accepted as a new
// version, an incompatible one is refused with IncompatibleSchema both at producer creation and
// through GET_OR_CREATE_SCHEMA, and a consumer subscribes and reads with the schema. JSON too.
import { describe, expect, it } from 'vitest';
import { PulsarError } from '../../platform/pulsar/index.ts';
import { clientsClosedAfterAll, take, topicName } from './helpers.ts';

const client = clientsClosedAfterAll();
const record = (fields: object[]) => JSON.stringify({ type: 'record', name: 'User', namespace: 'lodestar', fields });
const v1 = record([{ name: 'name', type: 'string' }]);
const v2 = record([{ name: 'name', type: 'string' }, { name: 'age', type: ['null', 'int'], default: null }]);
const incompatible = record([{ name: 'name', type: 'int' }]);

describe('schemas', () => {
  it('registers, reads back, evolves compatibly and refuses an incompatible Avro schema with IncompatibleSchema', async () => {
    const topic = topicName('schema-avro');
    const c = client();
    expect(await c.getSchema(topic)).toBeUndefined();
    const producer = await c.createProducer({ topic, schema: { type: 'AVRO', definition: v1 } });
    const first = await c.getSchema(topic);
    expect(first?.type).toBe('AVRO');
    expect(JSON.parse(first!.definition.toString())).toEqual(JSON.parse(v1));
    const consumer = await c.subscribe({ topic, subscription: 's', initialPosition: 'Earliest', schema: { type: 'AVRO', definition: v1 } });
    await producer.send({ value: 'avro-bytes' });
    expect((await take(consumer, 1))[0]!.value.toString()).toBe('avro-bytes');

    const v2Version = await c.getOrCreateSchema(topic, { type: 'AVRO', definition: v2 });
    expect(v2Version.equals(first!.version)).toBe(false);
    expect(JSON.parse((await c.getSchema(topic, v2Version))!.definition.toString())).toEqual(JSON.parse(v2));
    expect((await c.getOrCreateSchema(topic, { type: 'AVRO', definition: v2 })).equals(v2Version)).toBe(true);

    const refused = await c.createProducer({ topic, schema: { type: 'AVRO', definition: incompatible } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PulsarError);
    expect((refused as PulsarError).code).toBe('IncompatibleSchema');
    expect((refused as PulsarError).retriable).toBe(false);
    await expect(c.getOrCreateSchema(topic, { type: 'AVRO', definition: incompatible })).rejects.toMatchObject({ code: 'IncompatibleSchema' });
    expect((await c.getSchema(topic))!.version.equals(v2Version)).toBe(true);
  }, 60_000);

  it('registers a JSON schema and a STRING schema on their topics, and refuses a STRING producer on the JSON topic', async () => {
    const c = client();
    const jsonTopic = topicName('schema-json');
    await c.createProducer({ topic: jsonTopic, schema: { type: 'JSON', definition: v1, properties: { owner: 'lodestar' } } });
    const json = await c.getSchema(jsonTopic);
    expect(json?.type).toBe('JSON');
    expect(json?.properties).toEqual({ owner: 'lodestar' });
    const stringTopic = topicName('schema-string');
    await c.createProducer({ topic: stringTopic, schema: { type: 'STRING' } });
    expect((await c.getSchema(stringTopic))?.type).toBe('STRING');
    await expect(c.createProducer({ topic: jsonTopic, schema: { type: 'STRING' } })).rejects.toMatchObject({ code: 'IncompatibleSchema' });
  }, 60_000);
});
