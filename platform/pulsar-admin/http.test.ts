import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminHttp, adminPath, extractReason } from './http.ts';
import { PulsarAdminError } from './errors.ts';
import type { PulsarAdminErrorCode } from './errors.ts';
import { startFakeAdminServer } from './fake-admin-server.test-support.ts';
import type { FakeAdminServer } from './fake-admin-server.test-support.ts';

let broker: FakeAdminServer;
beforeEach(async () => {
  broker = await startFakeAdminServer();
});
afterEach(async () => {
  await broker.close();
});

async function failure(promise: Promise<unknown>): Promise<PulsarAdminError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PulsarAdminError);
  return error as PulsarAdminError;
}

describe('requests', () => {
  it('sends the bearer token, JSON body and query', async () => {
    broker.on('POST /admin/v2/x', { body: { ok: true } });
    const http = new AdminHttp({ webUrl: `${broker.url}/`, token: 'tok-1' });
    const result = await http.post<{ ok: boolean }>('/admin/v2/x', { body: ['a', 'b'], query: { force: true, skip: undefined } });
    expect(result).toEqual({ ok: true });
    const [request] = broker.requests;
    expect(request?.headers.authorization).toBe('Bearer tok-1');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.json).toEqual(['a', 'b']);
    expect(request?.url).toBe('/admin/v2/x?force=true');
  });

  it('sends no Authorization header without a token, and no body when none is given', async () => {
    broker.on('GET /admin/v2/x', { body: [] });
    await new AdminHttp({ webUrl: broker.url }).get('/admin/v2/x');
    expect(broker.requests[0]?.headers.authorization).toBeUndefined();
    expect(broker.requests[0]?.headers['content-type']).toBeUndefined();
  });

  it('asks the token provider on every request', async () => {
    broker.on('GET /admin/v2/x', { body: 1 });
    let n = 0;
    const http = new AdminHttp({ webUrl: broker.url, tokenProvider: async () => `t${++n}` });
    await http.get('/admin/v2/x');
    await http.get('/admin/v2/x');
    expect(broker.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('reads 204 as undefined and text when asked', async () => {
    broker.on('PUT /admin/v2/x', {}).on('GET /admin/v2/health', { body: 'ok' });
    const http = new AdminHttp({ webUrl: broker.url });
    expect(await http.put('/admin/v2/x')).toBeUndefined();
    expect(await http.get('/admin/v2/health', { expect: 'text' })).toBe('ok');
  });

  it('refuses a 2xx body that is not JSON', async () => {
    broker.on('GET /admin/v2/x', { body: 'not json' });
    const error = await failure(new AdminHttp({ webUrl: broker.url }).get('/admin/v2/x'));
    expect(error.code).toBe('INVALID_RESPONSE');
  });

  it('follows a 307 to another origin and keeps the token and body', async () => {
    const owner = await startFakeAdminServer();
    try {
      owner.on('PUT /admin/v2/t', {});
      broker.on('PUT /admin/v2/t', { status: 307, headers: { location: `${owner.url}/admin/v2/t?authoritative=true` } });
      await new AdminHttp({ webUrl: broker.url, token: 'tok' }).put('/admin/v2/t', { body: 3 });
      expect(owner.requests[0]?.headers.authorization).toBe('Bearer tok');
      expect(owner.requests[0]?.json).toBe(3);
      expect(owner.requests[0]?.query.get('authoritative')).toBe('true');
    } finally {
      await owner.close();
    }
  });

  it('stops after maxRedirects', async () => {
    broker.on('GET /admin/v2/loop', { status: 307, headers: { location: '/admin/v2/loop' } });
    const error = await failure(new AdminHttp({ webUrl: broker.url, maxRedirects: 2 }).get('/admin/v2/loop'));
    expect(error.message).toMatch(/more than 2 redirects/);
    expect(broker.requests).toHaveLength(3);
  });
});

describe('error mapping', () => {
  const cases: [string, number, unknown, PulsarAdminErrorCode, boolean, string | undefined][] = [
    ['JSON reason', 404, { reason: 'Tenant does not exist' }, 'NOT_FOUND', false, 'Tenant does not exist'],
    ['exists', 409, { reason: 'Tenant already exist' }, 'CONFLICT', false, 'Tenant already exist'],
    ['lost a metadata race', 409, { reason: 'Concurrent modification' }, 'CONCURRENT_MODIFICATION', true, 'Concurrent modification'],
    ['authentication filter', 401, '<html><head><title>Error 401 Authentication required</title></head></html>', 'UNAUTHORIZED', false, 'Authentication required'],
    ['authentication filter, JSON', 401, { servlet: 'jersey', message: 'Authentication required', url: '/admin/v2/x', status: '401' }, 'UNAUTHORIZED', false, 'Authentication required'],
    ['handler refusing a role', 401, { reason: 'This operation requires super-user access' }, 'FORBIDDEN', false, 'This operation requires super-user access'],
    ['namespace denial', 403, { reason: 'Unauthorized to validateNamespaceOperation' }, 'FORBIDDEN', false, 'Unauthorized to validateNamespaceOperation'],
    ['forced delete disabled', 405, { reason: "Broker doesn't allow forced deletion of tenants" }, 'NOT_ALLOWED', false, "Broker doesn't allow forced deletion of tenants"],
    ['precondition', 412, { reason: 'Clusters do not exist' }, 'PRECONDITION_FAILED', false, 'Clusters do not exist'],
    ['authorization disabled', 501, { reason: 'Authorization is not enabled' }, 'NOT_IMPLEMENTED', false, 'Authorization is not enabled'],
    ['starting', 503, '', 'UNAVAILABLE', true, undefined],
    ['gateway timeout', 504, '', 'TIMEOUT', true, undefined],
    ['rate limited', 429, { reason: 'Too many requests' }, 'RATE_LIMITED', true, 'Too many requests'],
  ];
  it.each(cases)('%s: %i → %s', async (_name, status, body, code, retriable, reason) => {
    broker.on('DELETE /admin/v2/x', { status, body: body === '' ? undefined : body });
    const error = await failure(new AdminHttp({ webUrl: broker.url, token: 'secret-token' }).delete('/admin/v2/x'));
    expect(error).toMatchObject({ code, status, retriable, reason, method: 'DELETE', path: '/admin/v2/x' });
    expect(error.message).toContain(`${status}`);
    expect(error.message).not.toContain('secret-token');
  });

  it('keeps the Message line of a 500 stack-trace page and drops the trace', async () => {
    const page = '\n --- An unexpected error occurred in the server ---\n\nMessage: Metadata store timed out\n\nStacktrace:\n\njava.util.concurrent.TimeoutException\n\tat org.apache.X\n';
    broker.on('GET /admin/v2/x', { status: 500, body: page });
    const error = await failure(new AdminHttp({ webUrl: broker.url }).get('/admin/v2/x'));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 500, retriable: false, reason: 'Metadata store timed out' });
    expect(error.message).not.toContain('Stacktrace');
  });

  it('reads a 500 "Not enough non-faulty bookies" page (storage not back yet) as UNAVAILABLE, retriable', async () => {
    const page = '\n --- An unexpected error occurred in the server ---\n\nMessage: org.apache.bookkeeper.mledger.ManagedLedgerException: Not enough non-faulty bookies available error code: -6\n\nStacktrace:\n';
    broker.on('GET /admin/v2/x', { status: 500, body: page });
    const error = await failure(new AdminHttp({ webUrl: broker.url }).get('/admin/v2/x'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 500, retriable: true });
    expect(error.reason).toContain('Not enough non-faulty bookies available');
  });

  it('reads a 500 "Topic is already fenced" page (a delete still running) as FENCED, retriable', async () => {
    const page = '\n --- An unexpected error occurred in the server ---\n\nMessage: Topic is already fenced\n\nStacktrace:\n\norg.apache.pulsar.broker.service.BrokerServiceException$TopicFencedException: Topic is already fenced\n';
    broker.on('DELETE /admin/v2/x', { status: 500, body: page });
    const error = await failure(new AdminHttp({ webUrl: broker.url }).delete('/admin/v2/x'));
    expect(error).toMatchObject({ code: 'FENCED', status: 500, retriable: true, reason: 'Topic is already fenced' });
  });

  // The slow routes below answer after a minute: only our timeout or abort can end the call
  // before the test's own time limit, so no elapsed time needs asserting.
  const never = 60_000;

  it('times out with TIMEOUT, retriable', async () => {
    broker.on('GET /admin/v2/slow', { delayMs: never, body: [] });
    const error = await failure(new AdminHttp({ webUrl: broker.url, timeoutMs: 100 }).get('/admin/v2/slow'));
    expect(error).toMatchObject({ code: 'TIMEOUT', retriable: true, status: undefined });
    expect(broker.requests).toHaveLength(1);
  });

  it('lets one call override the timeout', async () => {
    broker.on('GET /admin/v2/slow', { delayMs: 300, body: [] });
    const http = new AdminHttp({ webUrl: broker.url, timeoutMs: 50 });
    expect(await http.get('/admin/v2/slow', { timeoutMs: never })).toEqual([]);
    await expect(http.get('/admin/v2/slow')).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('reports a caller abort as ABORTED, not retriable', async () => {
    const controller = new AbortController();
    // Aborted once the broker holds the request, which it never answers.
    broker.on('GET /admin/v2/slow', () => {
      controller.abort();
      return { delayMs: never, body: [] };
    });
    const pending = new AdminHttp({ webUrl: broker.url }).get('/admin/v2/slow', { signal: controller.signal });
    expect(await failure(pending)).toMatchObject({ code: 'ABORTED', retriable: false });
  });

  it('maps a refused connection to UNAVAILABLE, retriable', async () => {
    const url = broker.url;
    await broker.close();
    broker = await startFakeAdminServer();
    const error = await failure(new AdminHttp({ webUrl: url }).get('/admin/v2/x'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('wraps a failing token provider', async () => {
    const http = new AdminHttp({ webUrl: broker.url, tokenProvider: () => { throw new Error('no key file'); } });
    const error = await failure(http.get('/admin/v2/x'));
    expect(error.code).toBe('UNAUTHORIZED');
    expect((error.cause as Error).message).toBe('no key file');
    expect(broker.requests).toHaveLength(0);
  });
});

describe('construction and paths', () => {
  it('validates options', () => {
    expect(() => new AdminHttp({ webUrl: 'not a url' })).toThrow(/not a URL/);
    expect(() => new AdminHttp({ webUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => new AdminHttp({ webUrl: 'http://x', token: 'a', tokenProvider: () => 'b' })).toThrow(/not both/);
    expect(() => new AdminHttp({ webUrl: 'http://x', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('encodes each interpolated value as one segment', () => {
    expect(adminPath`/admin/v2/tenants/${'a/b?c'}`).toBe('/admin/v2/tenants/a%2Fb%3Fc');
    expect(() => adminPath`/admin/v2/tenants/${'..'}`).toThrow(PulsarAdminError);
    expect(() => adminPath`/admin/v2/tenants/${''}`).toThrow(PulsarAdminError);
  });

  it('extracts reasons from each body form', () => {
    expect(extractReason('{"reason":"x"}')).toEqual({ reason: 'x', fromHandler: true });
    expect(extractReason('{"other":1}')).toEqual({ reason: '{"other":1}', fromHandler: false });
    expect(extractReason('')).toEqual({ reason: undefined, fromHandler: false });
    expect(extractReason('first\nsecond')).toEqual({ reason: 'first', fromHandler: false });
  });
});
