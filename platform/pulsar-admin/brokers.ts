// /admin/v2/brokers (admin/v2/Brokers.java, impl/BrokersBase.java). `health` produces and consumes
// a message on the broker's heartbeat topic and checks for deadlocked threads, so it proves the
// data path, and it needs a superuser token; `ready` only says the broker finished starting.
// Both answer the text `ok` on success.
import type { AdminHttp, CallOptions } from './http.ts';
import { adminPath } from './http.ts';
import { PulsarAdminError, PulsarAdminErrorCode } from './errors.ts';

export interface HealthCheckOptions extends CallOptions {
  /** Heartbeat topic naming scheme; the broker's default is V1. */
  topicVersion?: 'V1' | 'V2';
}

export class Brokers {
  readonly #http: AdminHttp;

  constructor(http: AdminHttp) {
    this.#http = http;
  }

  /** Resolves when the broker is healthy; throws PulsarAdminError otherwise. */
  async health(options: HealthCheckOptions = {}): Promise<void> {
    const { topicVersion, ...call } = options;
    const path = '/admin/v2/brokers/health';
    expectOk('GET', path, await this.#http.get<string>(path, { ...call, query: { topicVersion }, expect: 'text' }));
  }

  /** Resolves once the broker has started (500 while it is still starting). */
  async ready(options?: CallOptions): Promise<void> {
    const path = '/admin/v2/brokers/ready';
    expectOk('GET', path, await this.#http.get<string>(path, { ...options, expect: 'text' }));
  }

  /** The broker's Pulsar version, e.g. `4.0.8`. */
  async version(options?: CallOptions): Promise<string> {
    return (await this.#http.get<string>('/admin/v2/brokers/version', { ...options, expect: 'text' })).trim();
  }

  /** Active brokers of a cluster, as host:port of their web service. Superuser only. */
  async list(cluster: string, options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>(adminPath`/admin/v2/brokers/${cluster}`, options);
  }
}

function expectOk(method: string, path: string, text: string): void {
  if (text.trim().replace(/^"|"$/g, '') === 'ok') return;
  throw new PulsarAdminError({
    code: PulsarAdminErrorCode.INVALID_RESPONSE,
    message: `Pulsar admin ${method} ${path}: expected "ok", got ${JSON.stringify(text.slice(0, 200))}`,
    method,
    path,
  });
}
