// For unit tests only (never exported from index.ts): a fake of the broker's admin REST API, a
// node:http server on 127.0.0.1 that records each request and answers from a route table, so
// tests check paths, bodies, headers and error mapping over a real socket. Integration tests use
// the real brokers instead.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Raw body text; `json` holds it parsed when it was JSON. */
  body: string;
  json: unknown;
}

export interface FakeResponse {
  status?: number;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (to exercise timeouts). */
  delayMs?: number;
}

export type Route = FakeResponse | ((request: RecordedRequest) => FakeResponse);

export interface FakeAdminServer {
  url: string;
  requests: RecordedRequest[];
  /** Keyed by `METHOD /path` (no query); unmatched requests get 404 with a JSON reason. */
  routes: Map<string, Route>;
  on(key: string, route: Route): FakeAdminServer;
  close(): Promise<void>;
}

export async function startFakeAdminServer(): Promise<FakeAdminServer> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Route>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = new URL(req.url ?? '/', 'http://fake');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', path: parsed.pathname, query: parsed.searchParams, headers: req.headers, body, json };
      requests.push(recorded);
      const route = routes.get(`${recorded.method} ${recorded.path}`);
      const answer: FakeResponse = route === undefined
        ? { status: 404, body: { reason: `no fake route for ${recorded.method} ${recorded.path}` } }
        : typeof route === 'function' ? route(recorded) : route;
      const send = (): void => {
        const status = answer.status ?? (answer.body === undefined ? 204 : 200);
        const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        const headers: Record<string, string> = { ...answer.headers };
        if (text !== '' && !headers['content-type']) headers['content-type'] = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
        res.writeHead(status, headers).end(text);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const broker: FakeAdminServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    on(key, route) {
      routes.set(key, route);
      return broker;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return broker;
}
