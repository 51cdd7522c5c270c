export * from './auth.ts';
export * from './backoff.ts';
export * from './connection.ts';
export * from './lookup.ts';
export * from './pool.ts';
export * from './service-url.ts';
export * from './reconnect.ts';
