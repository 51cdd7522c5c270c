// Pulsar token authentication (AuthenticationProviderToken) accepts HS256 JWTs signed with the
// cluster's secret key; the `sub` claim is the role. Minting them here avoids shelling out to
// `pulsar tokens create` and lets the control plane issue per-tenant tokens.
import { createHmac, randomBytes } from 'node:crypto';

const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

export interface TokenOptions {
  /** Seconds since the epoch after which the broker refuses the token. Omit for no expiry. */
  expiresAt?: number;
}

/** Signs a token for `role` with the raw secret key bytes the broker reads from `tokenSecretKey`. */
export function mintToken(secretKey: Buffer, role: string, options: TokenOptions = {}): string {
  if (secretKey.length < 32) throw new Error('secret key must be at least 256 bits for HS256');
  if (role.length === 0) throw new Error('role must not be empty');
  const header = base64url(JSON.stringify({ alg: 'HS256' }));
  const claims: Record<string, unknown> = { sub: role };
  if (options.expiresAt !== undefined) claims.exp = options.expiresAt;
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secretKey).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A new random 256-bit secret key, as Pulsar's `tokens create-secret-key` makes. */
export function createSecretKey(): Buffer {
  return randomBytes(32);
}
