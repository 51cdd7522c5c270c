// Transport for the admin REST API: one fetch per call with bearer-token auth, a per-request
// timeout, redirect following that keeps the token, and mapping of every failure to
// PulsarAdminError. Resource modules (clusters.ts, tenants.ts, ...) speak only through this.
import { PulsarAdminError, PulsarAdminErrorCode, codeForStatus } from './errors.ts';

/** Called before every request, so a rotated token takes effect without a new client. */
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface PulsarAdminOptions {
  /** The broker's web service URL, e.g. http://127.0.0.1:18080 (no /admin suffix). */
  webUrl: string;
  /** Bearer token (a JWT whose `sub` is the role). Omit both token options for anonymous calls. */
  token?: string;
  tokenProvider?: TokenProvider;
  /** Per-request limit covering connect, redirects and reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Injected for tests or custom agents; defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Redirects to follow (the broker answers 307 to send a call to the owner of a topic). Default 5. */
  maxRedirects?: number;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Serialized as JSON. Numbers, booleans and arrays are valid bodies for Pulsar. */
  body?: unknown;
  /** `json` (default): parse the body, empty means undefined. `text`: return it as is. */
  expect?: 'json' | 'text';
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REASON_LENGTH = 500;

/**
 * Builds a request path, percent-encoding each interpolated value as one path segment, so a name
 * can never add segments or a query. Rejects values that are empty or `.`/`..`.
 */
export function adminPath(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (value === '' || value === '.' || value === '..') {
      throw new PulsarAdminError({ code: PulsarAdminErrorCode.BAD_REQUEST, message: `invalid path segment ${JSON.stringify(value)}` });
    }
    out += encodeURIComponent(value) + (strings[i + 1] ?? '');
  });
  return out;
}

export class AdminHttp {
  readonly webUrl: string;
  readonly #token: TokenProvider;
  readonly #timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch;
  readonly #maxRedirects: number;

  constructor(options: PulsarAdminOptions) {
    let url: URL;
    try {
      url = new URL(options.webUrl);
    } catch (cause) {
      throw new TypeError(`webUrl is not a URL: ${options.webUrl}`, { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`webUrl must be http(s): ${options.webUrl}`);
    if (options.token !== undefined && options.tokenProvider !== undefined) throw new TypeError('pass token or tokenProvider, not both');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    this.webUrl = url.origin + url.pathname.replace(/\/+$/, '');
    const token = options.token;
    this.#token = options.tokenProvider ?? (() => token);
    this.#timeoutMs = timeoutMs;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#maxRedirects = options.maxRedirects ?? 5;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  put<T = void>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, options);
  }

  post<T = void>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  delete<T = void>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const fail = (code: PulsarAdminErrorCode, detail: string, cause?: unknown): PulsarAdminError =>
      new PulsarAdminError({ code, message: `Pulsar admin ${method} ${path}: ${detail}`, method, path, cause });

    let token: string | undefined;
    try {
      token = await this.#token();
    } catch (cause) {
      throw fail(PulsarAdminErrorCode.UNAUTHORIZED, 'token provider failed', cause);
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }

    let url = this.webUrl + path + queryString(options.query);
    try {
      let response: Response;
      for (let hops = 0; ; hops++) {
        // Followed by hand: fetch drops Authorization when a redirect changes origin, and the
        // broker redirects admin calls to the broker that owns the topic or namespace.
        response = await this.#fetch(url, { method, headers, body, signal, redirect: 'manual' });
        const location = response.headers.get('location');
        if (!REDIRECT_STATUSES.has(response.status) || location === null) break;
        await response.body?.cancel();
        if (hops >= this.#maxRedirects) throw fail(PulsarAdminErrorCode.SERVER_ERROR, `more than ${this.#maxRedirects} redirects`);
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fail(PulsarAdminErrorCode.SERVER_ERROR, `redirect to unsupported URL ${next.protocol}`);
        url = next.toString();
      }
      const text = await response.text();
      if (!response.ok) throw httpError(method, path, response, text);
      if (options.expect === 'text') return text as T;
      if (text.trim() === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (cause) {
        throw fail(PulsarAdminErrorCode.INVALID_RESPONSE, `HTTP ${response.status} with a body that is not JSON: ${firstLine(text)}`, cause);
      }
    } catch (error) {
      if (error instanceof PulsarAdminError) throw error;
      if (options.signal?.aborted) throw fail(PulsarAdminErrorCode.ABORTED, 'aborted by caller', options.signal.reason);
      if (timeout.aborted) throw fail(PulsarAdminErrorCode.TIMEOUT, `no answer within ${timeoutMs} ms`, error);
      // fetch rejects with TypeError('fetch failed') whose cause is the socket error.
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      const detail = cause instanceof Error ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}` : String(cause);
      throw fail(PulsarAdminErrorCode.UNAVAILABLE, `cannot reach ${this.webUrl} (${detail})`, error);
    }
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function httpError(method: string, path: string, response: Response, text: string): PulsarAdminError {
  const { reason, fromHandler } = extractReason(text);
  const code = codeForStatus(response.status, reason, fromHandler);
  const label = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return new PulsarAdminError({
    code,
    status: response.status,
    reason,
    method,
    path,
    message: `Pulsar admin ${method} ${path} failed: ${label} (${code})${reason ? `: ${reason}` : ''}`,
  });
}

/**
 * Pulsar's explanation from an error body: the `reason` of its JSON ErrorData; else the
 * `message` of Jetty's JSON error page; else the "Message:" line of its text/plain 500 page (never the stack trace that follows); else the title
 * of Jetty's HTML error page; else the first line of the text.
 */
export function extractReason(text: string): { reason: string | undefined; fromHandler: boolean } {
  const trimmed = text.trim();
  if (trimmed === '') return { reason: undefined, fromHandler: false };
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed !== null && typeof parsed === 'object') {
      const { reason, message } = parsed as { reason?: unknown; message?: unknown };
      if (typeof reason === 'string') return { reason: clip(reason), fromHandler: true };
      // Jetty's own error page, in JSON when the request accepts JSON (e.g. the auth filter's 401).
      if (typeof message === 'string') return { reason: clip(message), fromHandler: false };
    }
  } catch {
    // not JSON: fall through to the text forms
  }
  const message = /^Message: (.*)$/m.exec(trimmed);
  if (message?.[1]) return { reason: clip(message[1]), fromHandler: false };
  const title = /<title>([^<]*)<\/title>/i.exec(trimmed);
  if (title?.[1]) return { reason: clip(title[1].replace(/^Error \d+\s*/, '')), fromHandler: false };
  return { reason: firstLine(trimmed), fromHandler: false };
}

function firstLine(text: string): string {
  return clip(text.trim().split('\n', 1)[0] ?? '');
}

function clip(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text;
}
