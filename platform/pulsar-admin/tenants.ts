// /admin/v2/tenants (TenantsBase): PUT creates (409 if present), POST replaces the TenantInfo,
// DELETE refuses with 409 while namespaces remain unless `force`, which the broker allows only
// with forceDeleteTenantAllowed=true (else 405). Every call here needs a superuser token.
import type { AdminHttp, CallOptions } from './http.ts';
import { adminPath } from './http.ts';
import type { EnsureResult } from './ensure.ts';
import { createUnlessExists, sameSet } from './ensure.ts';

export interface TenantInfo {
  /** Roles that administer the tenant's namespaces and topics (not the tenant itself). */
  adminRoles: string[];
  /** Clusters the tenant's namespaces may live in or replicate to; must exist and be non-empty. */
  allowedClusters: string[];
}

export interface DeleteTenantOptions extends CallOptions {
  /** Delete its namespaces and topics too (broker needs forceDeleteTenantAllowed). */
  force?: boolean;
}

export class Tenants {
  readonly #http: AdminHttp;

  constructor(http: AdminHttp) {
    this.#http = http;
  }

  async list(options?: CallOptions): Promise<string[]> {
    return this.#http.get<string[]>('/admin/v2/tenants', options);
  }

  async get(tenant: string, options?: CallOptions): Promise<TenantInfo> {
    const info = await this.#http.get<Partial<TenantInfo>>(adminPath`/admin/v2/tenants/${tenant}`, options);
    return { adminRoles: info.adminRoles ?? [], allowedClusters: info.allowedClusters ?? [] };
  }

  async create(tenant: string, info: TenantInfo, options?: CallOptions): Promise<void> {
    return this.#http.put(adminPath`/admin/v2/tenants/${tenant}`, { ...options, body: info });
  }

  /** Replaces both lists. 412 if a cluster it drops still holds namespaces of the tenant. */
  async update(tenant: string, info: TenantInfo, options?: CallOptions): Promise<void> {
    return this.#http.post(adminPath`/admin/v2/tenants/${tenant}`, { ...options, body: info });
  }

  async delete(tenant: string, options: DeleteTenantOptions = {}): Promise<void> {
    const { force, ...call } = options;
    return this.#http.delete(adminPath`/admin/v2/tenants/${tenant}`, { ...call, query: { force } });
  }

  /** Creates the tenant, or makes an existing one's roles and clusters exactly `info`. */
  async ensure(tenant: string, info: TenantInfo, options?: CallOptions): Promise<EnsureResult> {
    if (await createUnlessExists(() => this.create(tenant, info, options))) return { created: true, changed: [] };
    const current = await this.get(tenant, options);
    const changed: string[] = [];
    if (!sameSet(current.adminRoles, info.adminRoles)) changed.push('adminRoles');
    if (!sameSet(current.allowedClusters, info.allowedClusters)) changed.push('allowedClusters');
    if (changed.length > 0) await this.update(tenant, info, options);
    return { created: false, changed };
  }
}
