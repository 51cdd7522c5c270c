// Authentication providers. Token auth sends auth_method_name "token" and the JWT's UTF-8
// bytes in CONNECT, and again in AUTH_RESPONSE when the broker challenges for a refresh
// (PROTOCOL.md §3.3). A function source lets callers rotate tokens without reconnecting.
export interface AuthProvider {
  readonly methodName: string;
  authData(): Uint8Array | Promise<Uint8Array>;
}

export function tokenAuth(token: string | (() => string | Promise<string>)): AuthProvider {
  return {
    methodName: 'token',
    async authData() {
      const value = typeof token === 'function' ? await token() : token;
      return Buffer.from(value.trim(), 'utf8');
    },
  };
}
