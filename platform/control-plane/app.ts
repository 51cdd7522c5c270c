// The control plane as a fastify plugin: server.ts registers it to serve, tests register it to
// inject requests. Order: error handling and validation → auth → metrics → docs → routes, so
// every route inherits all of them. The store and provisioner are passed in: server.ts picks the
// real ones, unit tests a MemoryStore and a RecordingProvisioner.
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { ControlPlaneConfig } from './config.ts';
import { createMetrics } from './metrics.ts';
import { installAuth, requireAccessRules } from './plugins/auth.ts';
import { installDocs } from './plugins/docs.ts';
import { installErrorHandlers } from './plugins/error-handler.ts';
import { installMetrics } from './plugins/metrics.ts';
import { installZod } from './plugins/zod.ts';
import type { Provisioner } from './provisioning/index.ts';
import type { ControlStore } from './store/index.ts';
import { createServices } from './services/index.ts';
import apiKeyRoutes from './routes/api-keys.ts';
import functionRoutes from './routes/functions.ts';
import healthRoutes from './routes/health.ts';
import pipelineRoutes from './routes/pipelines.ts';
import regionRoutes from './routes/regions.ts';
import removalRoutes from './routes/removals.ts';
import tenantRoutes from './routes/tenants.ts';

export const API_VERSION = '0.1.0';

export interface AppOptions {
  config: Readonly<ControlPlaneConfig>;
  store: ControlStore;
  provisioner: Provisioner;
  /** The platform-admin bearer token (the Pulsar superuser token of the stack). */
  adminToken: string;
}

/** Secrets that must never reach a log line, wherever they appear. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.authorization',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'pulsarToken',
  '*.pulsarToken',
  'adminToken',
  '*.adminToken',
];

/** `logStream`: where log lines go instead of stdout (tests read them). */
export function serverOptions(config: Readonly<ControlPlaneConfig>, logStream?: { write(line: string): void }): FastifyServerOptions {
  return {
    logger: { level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, ...(logStream ? { stream: logStream } : {}) },
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
  };
}

export default async function controlPlane(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { config, store, provisioner, adminToken } = options;
  let ready = false;

  installZod(app);
  installErrorHandlers(app);
  requireAccessRules(app);

  await store.open();
  const metrics = createMetrics({ defaultMetrics: config.defaultMetrics });
  const services = createServices({ store, provisioner, metrics, log: app.log, regionTimeoutMs: config.regionTimeoutMs, removalTimeoutMs: config.removalTimeoutMs, reconcileMaxBackoffMs: config.reconcileMaxBackoffMs });

  installAuth(app, { adminToken, apiKeys: services.apiKeys });
  await installDocs(app, API_VERSION);
  installMetrics(app, metrics);

  await app.register(healthRoutes, { isReady: () => ready, backing: store.backing });
  await app.register(tenantRoutes, { services });
  await app.register(apiKeyRoutes, { services });
  await app.register(pipelineRoutes, { services });
  await app.register(functionRoutes, { services, bundleBodyLimitBytes: config.bundleBodyLimitBytes });
  await app.register(regionRoutes, { services });
  await app.register(removalRoutes, { services });

  app.addHook('onReady', async () => {
    if (config.reconcileIntervalMs > 0) services.provisioning.start(config.reconcileIntervalMs);
    ready = true;
  });
  app.addHook('preClose', async () => {
    ready = false;
  });
  app.addHook('onClose', async () => {
    await services.provisioning.stop();
    await store.close();
  });
  app.log.info({ store: store.backing, regions: provisioner.regions }, 'control plane loaded');
}

/** Exactly what server.ts runs, without listening: for tests and tools. */
export async function buildApp(options: AppOptions, logStream?: { write(line: string): void }): Promise<FastifyInstance> {
  const app = Fastify(serverOptions(options.config, logStream));
  await app.register(controlPlane, options);
  await app.ready();
  return app;
}
