// Where the regions are: the one place tests, `npm start` and tools learn broker, web and Redis
// addresses and the superuser token. In local mode `npm run stack -- up` writes
// .lodestar/stack.json; in external mode (LODESTAR_REGIONS set) the environment describes
// clusters someone else runs and nothing is started.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RegionInfo {
  name: string;
  /** pulsar://host:port of the broker's binary protocol. */
  brokerUrl: string;
  /** pulsar+ssl://host:port, when the region serves TLS (the local stack does; trust `tlsCaFile`). */
  brokerTlsUrl?: string;
  /** http://host:port of the broker's web service (admin REST, metrics). */
  webUrl: string;
  redisUrl: string;
  healthy: boolean;
  pids: { pulsar?: number; redis?: number };
}

export interface StackInfo {
  mode: 'local' | 'external';
  stateDir: string;
  /** File holding the superuser (platform) token, a JWT with role `superuserRole`. */
  superuserTokenFile: string;
  superuserRole: string;
  /** File holding the raw HS256 secret key, when this stack may mint tokens (local mode). */
  tokenSecretKeyFile?: string;
  /** PEM of the CA that signed the brokers' TLS certificates (local mode: the stack's own CA). */
  tlsCaFile?: string;
  regions: RegionInfo[];
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LODESTAR_STATE_DIR ?? path.join(repoRoot, '.lodestar'));
}

function stackFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultStateDir(env), 'stack.json');
}

export function isExternalMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.LODESTAR_REGIONS ?? '').trim() !== '';
}

/**
 * External mode: LODESTAR_REGIONS=east,west and, per region NAME (upper-cased),
 * LODESTAR_<NAME>_BROKER_URL, LODESTAR_<NAME>_WEB_URL, LODESTAR_<NAME>_REDIS_URL;
 * LODESTAR_SUPERUSER_TOKEN_FILE (required), LODESTAR_SUPERUSER_ROLE (default lodestar-admin),
 * LODESTAR_TOKEN_SECRET_KEY_FILE (optional: needed to mint tenant tokens),
 * LODESTAR_<NAME>_BROKER_TLS_URL and LODESTAR_TLS_CA_FILE (optional: TLS).
 */
export function externalStackInfo(env: NodeJS.ProcessEnv = process.env): StackInfo {
  const names = (env.LODESTAR_REGIONS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const need = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`external mode: ${key} is not set (LODESTAR_REGIONS=${names.join(',')})`);
    return value;
  };
  return {
    mode: 'external',
    stateDir: defaultStateDir(env),
    superuserTokenFile: need('LODESTAR_SUPERUSER_TOKEN_FILE'),
    superuserRole: env.LODESTAR_SUPERUSER_ROLE ?? 'lodestar-admin',
    tokenSecretKeyFile: env.LODESTAR_TOKEN_SECRET_KEY_FILE,
    tlsCaFile: env.LODESTAR_TLS_CA_FILE,
    regions: names.map((name) => {
      const prefix = `LODESTAR_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      return {
        name,
        brokerUrl: need(`${prefix}_BROKER_URL`),
        brokerTlsUrl: env[`${prefix}_BROKER_TLS_URL`],
        webUrl: need(`${prefix}_WEB_URL`),
        redisUrl: need(`${prefix}_REDIS_URL`),
        healthy: true,
        pids: {},
      };
    }),
  };
}

/** The stack as last written by `npm run stack -- up`, or as the environment describes it. */
export function loadStackInfo(env: NodeJS.ProcessEnv = process.env): StackInfo {
  if (isExternalMode(env)) return externalStackInfo(env);
  const file = stackFilePath(env);
  if (!existsSync(file)) {
    throw new Error(`no local stack found at ${file}: run \`npm run stack -- up\` first (or set LODESTAR_REGIONS for external mode)`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
}

export function readSuperuserToken(info: StackInfo): string {
  return readFileSync(info.superuserTokenFile, 'utf8').trim();
}

export function regionByName(info: StackInfo, name: string): RegionInfo {
  const region = info.regions.find((r) => r.name === name);
  if (!region) throw new Error(`unknown region ${name}; known: ${info.regions.map((r) => r.name).join(', ')}`);
  return region;
}
