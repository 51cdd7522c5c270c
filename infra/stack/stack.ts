// The local two-region stack: `up`, `down`, `status`, `logs`. Each region is one standalone
// Pulsar JVM (broker + bookie + RocksDB metadata) and one Redis, all on loopback, all under one
// state directory. `up` is idempotent: live processes are reused, dead ones restarted on their
// existing data (unless `fresh`), and it returns only once every region is healthy.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSecretKey, mintToken } from '../../platform/pulsar-admin/index.ts';
import { checkJava, ensurePulsarDistribution, javaExecutable } from '../pulsar/distribution.ts';
import { renderStandaloneConf, standaloneArgs, standaloneJvmArgs, standaloneOverrides } from '../pulsar/standalone-config.ts';
import { diskSpace, diskWarning } from './disk.ts';
import { configureGeoReplication } from './geo-replication.ts';
import { PULSAR_MARKER, REDIS_MARKER, regionHealth, type RegionHealth } from './health.ts';
import { withLock } from './lock.ts';
import { assertPortFree, livePid, spawnDetached, stopProcess, waitForPortsReleased } from './processes.ts';
import { ensureRedisServer, redisArgs } from './redis.ts';
import { warmUpTransactionCoordinator } from './transactions-warmup.ts';
import { brokerTlsUrl, brokerUrl, redisUrl, stackLayout, webUrl, type RegionLayout, type StackLayout } from './regions.ts';
import { ensureTlsFiles } from './tls.ts';
import { defaultStateDir, type RegionInfo, type StackInfo } from '../../platform/regions/index.ts';

export type Log = (line: string) => void;

export interface UpOptions {
  /** Wipe the selected regions' data before starting them. */
  fresh?: boolean;
  /** Regions to bring up; all when empty. Geo-replication is configured once all are healthy. */
  regions?: string[];
  readyTimeoutMs?: number;
  log?: Log;
}

export interface UpResult {
  info: StackInfo;
  /** What this call started (`east:pulsar`, `west:redis`, ...), so a caller can stop only that. */
  started: string[];
}

function currentLayout(env: NodeJS.ProcessEnv = process.env): StackLayout {
  return stackLayout(defaultStateDir(env), Number(env.LODESTAR_PORT_OFFSET ?? 0));
}

function selectRegions(layout: StackLayout, names: string[] | undefined): RegionLayout[] {
  if (!names || names.length === 0) return layout.regions;
  return names.map((name) => {
    const region = layout.regions.find((r) => r.name === name);
    if (!region) throw new Error(`unknown region "${name}"; the local stack has ${layout.regions.map((r) => r.name).join(', ')}`);
    return region;
  });
}

/** The secret key and superuser token are made once per state dir and kept across `--fresh`. */
function ensureAuthFiles(layout: StackLayout): string {
  mkdirSync(path.dirname(layout.tokenSecretKeyFile), { recursive: true, mode: 0o700 });
  if (!existsSync(layout.tokenSecretKeyFile)) writeFileSync(layout.tokenSecretKeyFile, createSecretKey(), { mode: 0o600 });
  const key = readFileSync(layout.tokenSecretKeyFile);
  if (!existsSync(layout.superuserTokenFile)) {
    writeFileSync(layout.superuserTokenFile, mintToken(key, layout.superuserRole), { mode: 0o600 });
  }
  return readFileSync(layout.superuserTokenFile, 'utf8').trim();
}

async function startPulsar(region: RegionLayout, layout: StackLayout, home: string, fresh: boolean): Promise<void> {
  if (fresh) rmSync(region.dataDir, { recursive: true, force: true });
  for (const dir of [region.dataDir, region.logDir, path.join(region.dir, 'tmp')]) mkdirSync(dir, { recursive: true });
  await waitForPortsReleased(region.pulsarPidFile, [region.brokerPort, region.brokerTlsPort, region.webPort]);
  await assertPortFree(region.brokerPort, `${region.name} Pulsar broker`);
  await assertPortFree(region.brokerTlsPort, `${region.name} Pulsar broker TLS`);
  await assertPortFree(region.webPort, `${region.name} Pulsar web service`);
  writeFileSync(region.confFile, renderStandaloneConf(home, standaloneOverrides(region, layout)));
  // BookKeeper looks for conf/*rocksdb.conf relative to its working directory.
  const confLink = path.join(region.dir, 'conf');
  if (!existsSync(confLink)) symlinkSync(path.join(home, 'conf'), confLink);
  spawnDetached({
    command: javaExecutable(),
    args: [...standaloneJvmArgs(region), '-cp', `${path.join(home, 'conf')}:${path.join(home, 'lib', '*')}`, ...standaloneArgs(region)],
    cwd: region.dir,
    logFile: path.join(region.logDir, 'pulsar.out'),
    pidFile: region.pulsarPidFile,
  });
}

async function startRedis(region: RegionLayout, redisServer: string, fresh: boolean): Promise<void> {
  if (fresh) rmSync(region.redisDir, { recursive: true, force: true });
  mkdirSync(region.redisDir, { recursive: true });
  mkdirSync(region.logDir, { recursive: true });
  await waitForPortsReleased(region.redisPidFile, [region.redisPort]);
  await assertPortFree(region.redisPort, `${region.name} Redis`);
  spawnDetached({
    command: redisServer,
    args: redisArgs(region.redisPort, region.redisDir, region.redisPidFile),
    cwd: region.redisDir,
    logFile: path.join(region.logDir, 'redis.log'),
    pidFile: region.redisPidFile,
  });
}

function describeWait(health: RegionHealth): string {
  if (health.pulsarPid === undefined) return 'pulsar process exited';
  if (!health.brokerReady) return 'broker starting';
  if (!health.transactionsReady) return 'transaction coordinator starting';
  if (!health.redisReady) return 'redis starting';
  return 'ready';
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

async function waitHealthy(regions: RegionLayout[], token: string, timeoutMs: number, log: Log): Promise<void> {
  const started = Date.now();
  let lastReport = 0;
  const pending = new Set(regions.map((r) => r.name));
  const warming = new Map<string, Promise<void>>();
  while (pending.size > 0) {
    const states: string[] = [];
    for (const region of regions.filter((r) => pending.has(r.name))) {
      const health = await regionHealth(region, token);
      if (health.healthy) {
        pending.delete(region.name);
        log(`  ${region.name}: healthy after ${((Date.now() - started) / 1000).toFixed(1)}s`);
        continue;
      }
      if (health.pulsarPid === undefined) {
        throw new Error(`${region.name}: Pulsar exited while starting. Last lines of ${path.join(region.logDir, 'pulsar.log')}:\n${tail(path.join(region.logDir, 'pulsar.log'))}\n${tail(path.join(region.logDir, 'pulsar.out'), 10)}`);
      }
      // A coordinator loads only when a client first connects to it: do that once the broker is up.
      // A fresh standalone reports ready a moment before it has created pulsar/system (the
      // coordinator's namespace), so a failed warm-up is forgotten and tried again next round.
      if (health.brokerReady && !health.transactionsReady && !warming.has(region.name)) {
        warming.set(
          region.name,
          warmUpTransactionCoordinator(region.name).catch((error: Error) => {
            log(`  ${region.name}: coordinator warm-up failed (${error.message}); retrying`);
            warming.delete(region.name);
          }),
        );
      }
      states.push(`${region.name}: ${describeWait(health)}`);
    }
    if (pending.size === 0) break;
    const elapsed = Date.now() - started;
    if (elapsed > timeoutMs) throw new Error(`regions not healthy after ${timeoutMs / 1000}s (${states.join('; ')}); see \`npm run stack -- logs\``);
    if (elapsed - lastReport >= 5_000) {
      lastReport = elapsed;
      log(`  waiting (${Math.round(elapsed / 1000)}s): ${states.join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export async function up(options: UpOptions = {}): Promise<UpResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const layout = currentLayout();
  const regions = selectRegions(layout, options.regions);
  mkdirSync(layout.stateDir, { recursive: true });
  const lowDisk = diskWarning(diskSpace(layout.stateDir));
  if (lowDisk) log(`warning: ${lowDisk}`);
  return withLock(layout.lockFile, log, async () => {
    // Every prerequisite is checked before anything starts, so a failure leaves nothing behind.
    await checkJava();
    const home = await ensurePulsarDistribution(log);
    const redisServer = await ensureRedisServer(log);
    const token = ensureAuthFiles(layout);
    await ensureTlsFiles(layout);

    const started: string[] = [];
    try {
      for (const region of regions) {
        const pulsarAlive = livePid(region.pulsarPidFile, PULSAR_MARKER) !== undefined;
        if (options.fresh && pulsarAlive) await stopProcess(region.pulsarPidFile, PULSAR_MARKER);
        if (!pulsarAlive || options.fresh) {
          log(`${region.name}: starting Pulsar ${path.basename(home)} (broker ${brokerUrl(region)}, web ${webUrl(region)})`);
          await startPulsar(region, layout, home, options.fresh ?? false);
          started.push(`${region.name}:pulsar`);
        } else {
          log(`${region.name}: Pulsar already running (pid ${livePid(region.pulsarPidFile, PULSAR_MARKER)})`);
        }
        const redisAlive = livePid(region.redisPidFile, REDIS_MARKER) !== undefined;
        if (options.fresh && redisAlive) await stopProcess(region.redisPidFile, REDIS_MARKER);
        if (!redisAlive || options.fresh) {
          log(`${region.name}: starting Redis (${redisUrl(region)})`);
          await startRedis(region, redisServer, options.fresh ?? false);
          started.push(`${region.name}:redis`);
        }
      }
      // Written before the wait so tools that read it (the perf tool in the warm-up) find the regions.
      await writeStackFile(layout, token);
      log(`waiting for ${regions.map((r) => r.name).join(' and ')} to become healthy (logs: ${path.join(layout.stateDir, 'regions', '<region>', 'logs')})`);
      await waitHealthy(regions, token, options.readyTimeoutMs ?? 240_000, log);

      const all = await statusOf(layout, token);
      if (all.every((r) => r.healthy)) {
        await configureGeoReplication(layout, token, log);
      } else {
        log(`geo-replication not (re)configured: ${all.filter((r) => !r.healthy).map((r) => r.name).join(', ')} not running`);
      }
    } catch (error) {
      // Leave nothing half-started: stop what this call started, keep what was already running.
      for (const item of started) {
        const [name, what] = item.split(':');
        const region = layout.regions.find((r) => r.name === name)!;
        if (what === 'pulsar') await stopProcess(region.pulsarPidFile, PULSAR_MARKER, 10_000);
        else await stopProcess(region.redisPidFile, REDIS_MARKER, 5_000);
      }
      await writeStackFile(layout, token);
      throw error;
    }
    const info = await writeStackFile(layout, token);
    return { info, started };
  });
}

async function statusOf(layout: StackLayout, token: string): Promise<RegionInfo[]> {
  return Promise.all(
    layout.regions.map(async (region) => {
      const health = await regionHealth(region, token);
      return {
        name: region.name,
        brokerUrl: brokerUrl(region),
        brokerTlsUrl: brokerTlsUrl(region),
        webUrl: webUrl(region),
        redisUrl: redisUrl(region),
        healthy: health.healthy,
        pids: { pulsar: health.pulsarPid, redis: health.redisPid },
      };
    }),
  );
}

function superuserToken(layout: StackLayout): string {
  return existsSync(layout.superuserTokenFile) ? readFileSync(layout.superuserTokenFile, 'utf8').trim() : '';
}

async function writeStackFile(layout: StackLayout, token = superuserToken(layout)): Promise<StackInfo> {
  const info: StackInfo = {
    mode: 'local',
    stateDir: layout.stateDir,
    superuserTokenFile: layout.superuserTokenFile,
    superuserRole: layout.superuserRole,
    tokenSecretKeyFile: layout.tokenSecretKeyFile,
    tlsCaFile: layout.tlsCaFile,
    regions: await statusOf(layout, token),
  };
  mkdirSync(layout.stateDir, { recursive: true });
  writeFileSync(layout.stackFile, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

export async function status(): Promise<StackInfo> {
  return writeStackFile(currentLayout());
}

export interface DownOptions {
  regions?: string[];
  /** Only these parts (`east:pulsar`, `west:redis`, ...); everything in the selected regions when absent. */
  only?: string[];
  log?: Log;
}

export async function down(options: DownOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const layout = currentLayout();
  const regions = selectRegions(layout, options.regions);
  const wanted = (region: RegionLayout, what: string) => !options.only || options.only.includes(`${region.name}:${what}`);
  await Promise.all(
    regions.map(async (region) => {
      if (wanted(region, 'pulsar') && (await stopProcess(region.pulsarPidFile, PULSAR_MARKER))) log(`${region.name}: Pulsar stopped`);
      if (wanted(region, 'redis') && (await stopProcess(region.redisPidFile, REDIS_MARKER, 5_000))) log(`${region.name}: Redis stopped`);
    }),
  );
  if (existsSync(layout.stateDir)) await writeStackFile(layout);
}

export function logFiles(regionName?: string): string[] {
  const layout = currentLayout();
  return selectRegions(layout, regionName ? [regionName] : undefined).flatMap((r) => [
    path.join(r.logDir, 'pulsar.log'),
    path.join(r.logDir, 'pulsar.out'),
    path.join(r.logDir, 'gc.log'),
    path.join(r.logDir, 'redis.log'),
  ]);
}

