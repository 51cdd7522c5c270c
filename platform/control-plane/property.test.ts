// Requests generated from the OpenAPI document itself (fast-check): valid-looking, half-valid and
// garbage bodies, params, queries and headers for every operation, sent as the operator (so
// they get past auth into validation and the services). Whatever comes in, no 5xx comes out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TestApp } from './testing.ts';
import { seedTenant, testApp } from './testing.ts';

type Schema = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
}

let t: TestApp;
let operations: Operation[] = [];
let components: Record<string, Schema> = {};

beforeAll(async () => {
  t = await testApp({ config: { bodyLimitBytes: 64 * 1024 } });
  await seedTenant(t, 'acme');
  const doc = (await t.call({ method: 'GET', url: '/docs/json', token: null })).json();
  components = doc.components.schemas;
  operations = Object.entries(doc.paths as Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })));
});
afterAll(() => t.app.close());

const junk = fc.jsonValue({ maxDepth: 2 });
const text = fc.string({ unit: 'grapheme-ascii', maxLength: 12 });

/** Strings for a pattern; fast-check cannot generate from lookaheads, so those get plain text. */
function matching(pattern: string): fc.Arbitrary<string> {
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= 40);
  } catch {
    return fc.constantFrom('index.ts', 'lib/util.ts', '../x', '/abs');
  }
}

/** An arbitrary for values of a JSON Schema, mostly valid, sometimes not. */
function arb(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return arb(components[schema.$ref.split('/').at(-1)!] ?? {}, depth);
  if (depth > 6) return junk;
  const variants = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (variants) return fc.oneof(...variants.map((s) => arb(s, depth + 1)));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return typeof schema.pattern === 'string' ? fc.oneof({ weight: 4, arbitrary: matching(schema.pattern) }, { weight: 1, arbitrary: text }) : text;
    case 'integer': {
      const min = Math.max(Number(schema.minimum ?? -1000), -1000);
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max: Math.min(Number(schema.maximum ?? 1000), Math.max(min, 1000)) }) }, { weight: 1, arbitrary: fc.integer() });
    }
    case 'number':
      return fc.double({ noNaN: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arb((schema.items as Schema) ?? {}, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      if (Object.keys(properties).length === 0) return fc.dictionary(text, junk, { maxKeys: 3 });
      const record = fc.record(Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, arb(s, depth + 1)])), { requiredKeys: required });
      // Now and then an unknown field, which strict schemas must refuse with 400.
      return fc.tuple(record, fc.option(fc.tuple(text, junk), { freq: 5 })).map(([value, extra]) => (extra ? { ...value, [`x${extra[0]}`]: extra[1] } : value));
    }
    default:
      return junk;
  }
}

const paramValue = (schema: Schema) => arb(schema).map((v) => encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v)));

describe('generated requests', () => {
  it('never get a 5xx', async () => {
    const requests = fc.constantFrom(...operations).chain((op) => {
      const params = op.parameters ?? [];
      const pick = (where: string) => params.filter((p) => p.in === where);
      const known: Record<string, fc.Arbitrary<string>> = {
        tenantId: fc.constantFrom('acme', 'other', 'nobody'),
        pipeline: fc.constantFrom('main', 'nope'),
        functionName: fc.constantFrom('counter', 'nope'),
      };
      return fc.record({
        op: fc.constant(op),
        path: fc.record(Object.fromEntries(pick('path').map((p) => [p.name, fc.oneof(known[p.name] ?? paramValue(p.schema), paramValue(p.schema))]))),
        query: fc.record(Object.fromEntries(pick('query').map((p) => [p.name, paramValue(p.schema)])), { requiredKeys: [] }),
        ifMatch: fc.option(fc.oneof(fc.constantFrom('"1"', '"2"', '3'), fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))), { nil: undefined }),
        body: op.requestBody ? fc.oneof({ weight: 5, arbitrary: arb(op.requestBody.content['application/json'].schema) }, { weight: 1, arbitrary: junk }) : fc.constant(undefined),
      });
    });
    await fc.assert(
      fc.asyncProperty(requests, async ({ op, path, query, ifMatch, body }) => {
        const url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => String((path as Record<string, string>)[name] ?? 'x'));
        const search = new URLSearchParams(Object.entries(query as Record<string, string>).map(([k, v]): [string, string] => [k, decodeURIComponent(v)])).toString();
        const response = await t.call({
          method: op.method as 'GET',
          url: search ? `${url}?${search}` : url,
          headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
          ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) } }),
        });
        if (response.statusCode >= 500) throw new Error(`${op.method} ${url} → ${response.statusCode} ${response.body}`);
        if (response.statusCode >= 400) expect(response.json().error.code).toEqual(expect.any(String));
      }),
      { numRuns: 400 },
    );
  }, 120_000);
});
