// The OpenAPI document is a contract: snapshot it, and hold every route to the conventions
// (tagged /v1 routes with bearer security and the error shape; untagged health and metrics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from './testing.ts';
import { testApp } from './testing.ts';

let t: TestApp;
let doc: { paths: Record<string, Record<string, { tags?: string[]; security?: unknown[]; responses: Record<string, unknown> }>> };
beforeAll(async () => {
  t = await testApp();
  doc = (await t.call({ method: 'GET', url: '/docs/json', token: null })).json();
});
afterAll(() => t.app.close());

describe('OpenAPI document', () => {
  it('matches the committed snapshot', async () => {
    await expect(`${JSON.stringify(doc, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/openapi.json');
  });

  it('tags and secures every /v1 operation and documents its error shape; leaves health and metrics untagged', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(15);
    for (const { path, method, op } of operations) {
      if (path.startsWith('/v1/')) {
        expect(op.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0);
        expect(op.security, `${method} ${path} security`).toEqual([{ bearer: [] }]);
        expect(op.responses['4XX'], `${method} ${path} errors`).toBeDefined();
      } else {
        expect(op.tags, `${method} ${path}`).toBeUndefined();
      }
    }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics']));
  });
});
