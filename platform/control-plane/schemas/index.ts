// Every resource schema, for the routes (validation and OpenAPI), the tenant spec files and the CLI.
export * from './common.ts';
export * from './tenant.ts';
export * from './api-key.ts';
export * from './pipeline.ts';
export * from './function.ts';
export * from './region.ts';
export * from './removal.ts';
