// Tenant API keys: `lsk_<id>_<secret>`. The secret is 256 random bits, so a plain sha256 of it is
// as strong as a slow KDF here (nothing to brute-force) and costs nothing per request. The id
// finds the record; the hash is compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKey, Role } from '../schemas/index.ts';
import type { ControlStore } from '../store/index.ts';
import { notFound } from '../errors.ts';
import type { ApiKeyRecord, TenantRecord } from './records.ts';
import { guarded, keys, now } from './records.ts';

const KEY_PATTERN = /^lsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

export interface KeyPrincipal {
  tenant: string;
  role: Role;
  keyId: string;
}

export class ApiKeyService {
  readonly #store: ControlStore;

  constructor(store: ControlStore) {
    this.#store = store;
  }

  async create(tenant: string, name: string, role: Role): Promise<ApiKey & { secret: string }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = { id, tenant, name, role, createdAt: now(), secretHash: sha256(secret).toString('hex') };
    await guarded(() => this.#store.put(keys.apiKey(id), record, 0), `api key ${id}`);
    return { ...view(record), secret: `lsk_${id}_${secret}` };
  }

  list(tenant: string): ApiKey[] {
    return this.#store.list<ApiKeyRecord>(keys.apiKeys()).filter((r) => r.value.tenant === tenant).map((r) => view(r.value));
  }

  async revoke(tenant: string, id: string): Promise<void> {
    const record = this.#store.get<ApiKeyRecord>(keys.apiKey(id));
    if (!record || record.value.tenant !== tenant) throw notFound(`api key ${id}`);
    await guarded(() => this.#store.delete(record.key, record.version), `api key ${id}`);
  }

  /** The key's tenant and role, or undefined for anything that is not a live key of a live tenant. */
  authenticate(token: string): KeyPrincipal | undefined {
    const match = KEY_PATTERN.exec(token);
    if (!match) return undefined;
    const record = this.#store.get<ApiKeyRecord>(keys.apiKey(match[1]!));
    if (!record) return undefined;
    const ok = timingSafeEqual(Buffer.from(record.value.secretHash, 'hex'), sha256(match[2]!));
    if (!ok || !this.#store.get<TenantRecord>(keys.tenant(record.value.tenant))) return undefined;
    return { tenant: record.value.tenant, role: record.value.role, keyId: record.value.id };
  }
}

function view(r: ApiKeyRecord): ApiKey {
  return { id: r.id, tenant: r.tenant, name: r.name, role: r.role, createdAt: r.createdAt };
}
