// Authentication (bearer: the platform-admin token, or a tenant API key) and authorization by the
// `access` rule every /v1 route must declare in its config. Checked in onRequest, before the body
// is read. A tenant key addressing another tenant's id gets the same 404 as an unknown tenant, so
// ids of other tenants cannot be probed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../schemas/index.ts';
import { ControlPlaneError, ErrorCode } from '../errors.ts';
import type { ApiKeyService } from '../services/api-keys.ts';

export type Access =
  /** No credentials needed (health, docs). */
  | { kind: 'public' }
  /** The platform-admin token only. */
  | { kind: 'operator' }
  /** Any valid caller. */
  | { kind: 'authenticated' }
  /** The operator, or a key of the tenant in `:tenantId` holding at least `role`. */
  | { kind: 'tenant'; role: Role };

export type Principal = { kind: 'operator' } | { kind: 'key'; tenant: string; role: Role; keyId: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

const ROLE_RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

export interface AuthOptions {
  adminToken: string;
  apiKeys: ApiKeyService;
}

/** Refuses to register a /v1 route without an access rule: the server will not start. */
export function requireAccessRules(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1') && !route.config?.access) throw new Error(`route ${route.method} ${route.url} has no access rule`);
  });
}

export function installAuth(app: FastifyInstance, { adminToken, apiKeys }: AuthOptions): void {
  const admin = digest(adminToken);
  const authenticate = (request: FastifyRequest): Principal | undefined => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return undefined;
    const token = match[1]!;
    if (adminToken !== '' && timingSafeEqual(digest(token), admin)) return { kind: 'operator' };
    const key = apiKeys.authenticate(token);
    return key ? { kind: 'key', ...key } : undefined;
  };

  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? { kind: 'public' };
    if (access.kind === 'public') return;
    const principal = authenticate(request);
    if (!principal) throw new ControlPlaneError(ErrorCode.UNAUTHENTICATED);
    request.principal = principal;
    if (principal.kind === 'operator' || access.kind === 'authenticated') return;
    if (access.kind === 'operator') throw new ControlPlaneError(ErrorCode.FORBIDDEN, 'only the platform operator may do this');
    const tenantId = (request.params as { tenantId?: string }).tenantId;
    if (tenantId !== principal.tenant) throw new ControlPlaneError(ErrorCode.NOT_FOUND, `tenant ${String(tenantId)} not found`);
    if (ROLE_RANK[principal.role] < ROLE_RANK[access.role]) throw new ControlPlaneError(ErrorCode.FORBIDDEN, `this needs the ${access.role} role`);
  });
}
