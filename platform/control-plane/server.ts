// The control plane process: parse the configuration once, pick the store and the provisioner,
// register the app, listen, and close through app.close() on SIGINT/SIGTERM. The regions and the
// platform credentials come from the stack description (platform/regions): the local
// stack's .lodestar/stack.json, or LODESTAR_REGIONS & co. for external clusters.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { loadStackInfo, regionByName } from '../regions/index.ts';
import type { StackInfo } from '../regions/index.ts';
import { PulsarClient } from '../pulsar/index.ts';
import controlPlane, { serverOptions } from './app.ts';
import { parseConfig } from './config.ts';
import type { ControlPlaneConfig } from './config.ts';
import { PulsarAdminProvisioner } from './provisioning/index.ts';
import { CONTROL_LOG_TOPIC, ensureControlLogNamespace, FileStore, MemoryStore, PulsarControlStore } from './store/index.ts';
import type { ControlStore } from './store/index.ts';

export interface RunningControlPlane {
  app: FastifyInstance;
  /** http://host:port */
  address: string;
}

/** Builds and listens; the caller owns shutdown (app.close()). For main() and `npm start`. */
export async function startControlPlane(env: NodeJS.ProcessEnv = process.env): Promise<RunningControlPlane> {
  const stack = loadStackInfo(env);
  const config = parseConfig(env, { stateDir: stack.stateDir, adminTokenFile: stack.superuserTokenFile });
  if (!config.adminTokenFile) throw new Error('no platform-admin token file: set LODESTAR_CP_ADMIN_TOKEN_FILE');
  const adminToken = readFileSync(config.adminTokenFile, 'utf8').trim();
  const store = await openStore(config, stack);
  const provisioner = new PulsarAdminProvisioner({
    regions: stack.regions.map((r) => ({ name: r.name, webUrl: r.webUrl })),
    // Re-read on every call, so a rotated superuser token takes effect without a restart.
    token: () => readFileSync(stack.superuserTokenFile, 'utf8').trim(),
    secretKey: stack.tokenSecretKeyFile ? readFileSync(stack.tokenSecretKeyFile) : undefined,
    timeoutMs: config.regionTimeoutMs,
  });

  const app = Fastify(serverOptions(config));
  await app.register(controlPlane, { config, store, provisioner, adminToken });
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(`control plane at ${address}; OpenAPI at ${address}/docs`);
  return { app, address };
}

async function openStore(config: ControlPlaneConfig, stack: StackInfo): Promise<ControlStore> {
  if (config.store === 'memory') return new MemoryStore();
  if (config.store === 'file') return new FileStore(path.join(config.stateDir, 'control-plane', 'control-log.jsonl'));
  const token = (): string => readFileSync(stack.superuserTokenFile, 'utf8').trim();
  const { failed } = await ensureControlLogNamespace({ regions: stack.regions, token, timeoutMs: config.regionTimeoutMs });
  // Not fatal: with a region down the namespace is still there from an earlier start.
  for (const [name, message] of Object.entries(failed)) process.emitWarning(`control log namespace not ensured in ${name}: ${message}`);
  const region = config.storeRegion ? regionByName(stack, config.storeRegion) : stack.regions[0];
  if (!region) throw new Error('LODESTAR_CP_STORE=pulsar needs at least one region');
  const client = new PulsarClient({ serviceUrl: region.brokerUrl, token });
  return new PulsarControlStore({ client, ownsClient: true, topic: CONTROL_LOG_TOPIC });
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { app } = await startControlPlane(env);
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'closing');
      app.close().then(() => process.exit(0), (error: unknown) => {
        app.log.error({ err: error }, 'close failed');
        process.exit(1);
      });
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
