import { describe, expect, it } from 'vitest';
import { toSchemaData } from './schema.ts';

describe('toSchemaData', () => {
  it('sends nothing for BYTES, the type number and definition bytes otherwise', () => {
    expect(toSchemaData({ type: 'BYTES' })).toBeUndefined();
    expect(toSchemaData({ type: 'STRING' })).toMatchObject({ type: 1, name: '' });
    const avro = toSchemaData({ type: 'AVRO', definition: '{"type":"string"}', name: 'n', properties: { a: 'b' } })!;
    expect(avro).toMatchObject({ type: 4, name: 'n', properties: [{ key: 'a', value: 'b' }] });
    expect(Buffer.from(avro.schemaData).toString()).toBe('{"type":"string"}');
    expect(toSchemaData({ type: 'PROTOBUF_NATIVE', definition: '{}' })!.type).toBe(20);
  });

  it('refuses a structured schema without a JSON definition, naming the type', () => {
    expect(() => toSchemaData({ type: 'JSON' })).toThrow(/JSON schema needs its definition/);
    expect(() => toSchemaData({ type: 'AVRO', definition: 'not json' })).toThrow(/AVRO schema definition is not JSON/);
  });
});
