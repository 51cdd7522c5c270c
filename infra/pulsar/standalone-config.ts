// Renders a region's standalone.conf: the distribution's own file with our keys replaced, so
// every key we don't name keeps Pulsar's standalone default. The bookie reads the same file.
// Why each key and flag: infra/CLUSTERS.md §2 (JVM and starter flags) and §3 (conf keys).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RegionLayout, StackLayout } from '../stack/regions.ts';

/** The stack-wide files every region's broker is configured with. */
export type AuthFiles = Pick<StackLayout, 'superuserRole' | 'superuserTokenFile' | 'tokenSecretKeyFile' | 'tlsCaFile' | 'tlsKeyFile' | 'tlsCertFile'>;

export function standaloneOverrides(region: RegionLayout, auth: AuthFiles): Record<string, string> {
  return {
    clusterName: region.name,
    brokerServicePort: String(region.brokerPort),
    // TLS beside plain TCP: clients may use either; the brokers' own clients stay on plain TCP.
    brokerServicePortTls: String(region.brokerTlsPort),
    tlsCertificateFilePath: auth.tlsCertFile,
    tlsKeyFilePath: auth.tlsKeyFile,
    tlsTrustCertsFilePath: auth.tlsCaFile,
    webServicePort: String(region.webPort),
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    // Tests and tenants expect topics to outlive a quiet minute.
    brokerDeleteInactiveTopicsEnabled: 'false',
    brokerDeduplicationEnabled: 'true',
    transactionCoordinatorEnabled: 'true',
    // Standalone's bookie does not fsync its journal (journalSyncData=false), so waiting
    // journalMaxGroupWaitMSec to group writes saves nothing and delays every write that finds the
    // queue empty. A transaction makes 4-5 such writes one after another (new, add partition,
    // pending ack, end): flushing at once cut a 100-message transaction from 22 to 17 ms.
    journalFlushWhenQueueEmpty: 'true',
    // Batch-index acks are what transactional acks of batched messages need.
    acknowledgmentAtBatchIndexLevelEnabled: 'true',
    webSocketServiceEnabled: 'false',
    forceDeleteTenantAllowed: 'true',
    forceDeleteNamespaceAllowed: 'true',
    authenticationEnabled: 'true',
    authenticationProviders: 'org.apache.pulsar.broker.authentication.AuthenticationProviderToken',
    authorizationEnabled: 'true',
    superUserRoles: auth.superuserRole,
    tokenSecretKey: `file://${auth.tokenSecretKeyFile}`,
    // The broker's own client (standalone bootstrap, replicators to the peer region) uses the
    // superuser token; the peer cluster shares the stack's secret key, so it accepts it too.
    brokerClientAuthenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
    brokerClientAuthenticationParameters: `file://${auth.superuserTokenFile}`,
    // Two brokers, two bookies and the tests share 2 cores and a few GiB: size caches explicitly
    // instead of letting them scale with direct memory.
    managedLedgerCacheSizeMB: '64',
    dbStorage_writeCacheMaxSizeMb: '32',
    dbStorage_readAheadCacheMaxSizeMb: '32',
    dbStorage_rocksDB_blockCacheSize: String(16 * 1024 * 1024),
    numIOThreads: '2',
    numHttpServerThreads: '8',
  };
}

export function renderStandaloneConf(pulsarHome: string, overrides: Record<string, string>): string {
  const stock = readFileSync(path.join(pulsarHome, 'conf', 'standalone.conf'), 'utf8');
  const pending = new Map(Object.entries(overrides));
  const lines = stock.split('\n').map((line) => {
    const match = /^([A-Za-z0-9_.]+)=/.exec(line);
    const key = match?.[1];
    if (key === undefined || !pending.has(key)) return line;
    const value = pending.get(key);
    pending.delete(key);
    return `${key}=${value}`;
  });
  const extra = [...pending].map(([key, value]) => `${key}=${value}`);
  return [...lines, '', '# Added by Lodestar (keys absent from the stock file)', ...extra, ''].join('\n');
}

/** JVM options for one standalone region: bin/pulsar's flags with a heap sized for two regions on one small host. */
export function standaloneJvmArgs(region: RegionLayout, env: NodeJS.ProcessEnv = process.env): string[] {
  const heap = env.LODESTAR_PULSAR_HEAP ?? '768m';
  const direct = env.LODESTAR_PULSAR_DIRECT_MEMORY ?? '768m';
  return [
    `-Xms256m`,
    `-Xmx${heap}`,
    `-XX:MaxDirectMemorySize=${direct}`,
    '-XX:+UseG1GC',
    // GC pauses with timestamps, to tell a broker stall from a client one when reading latency tails.
    `-Xlog:gc:file=${path.join(region.logDir, 'gc.log')}:time,uptime:filecount=3,filesize=10m`,
    '-XX:+PerfDisableSharedMem',
    '-Djava.net.preferIPv4Stack=true',
    '-Dpulsar.allocator.exit_on_oom=true',
    '-Dio.netty.recycler.maxCapacityPerThread=4096',
    '--add-opens', 'java.base/java.io=ALL-UNNAMED',
    '--add-opens', 'java.base/java.util.zip=ALL-UNNAMED',
    '--add-opens', 'java.management/sun.management=ALL-UNNAMED',
    '--add-opens', 'jdk.management/com.sun.management.internal=ALL-UNNAMED',
    '--add-opens', 'java.base/java.nio=ALL-UNNAMED',
    '--add-opens', 'java.base/jdk.internal.misc=ALL-UNNAMED',
    '--add-opens', 'java.base/jdk.internal.platform=ALL-UNNAMED',
    '--enable-native-access=ALL-UNNAMED',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Dorg.apache.pulsar.shade.io.netty.tryReflectionSetAccessible=true',
    '-Dlog4j.shutdownHookEnabled=false',
    '-Dlog4j2.is.webapp=false',
    '-Dlog4j.configurationFile=log4j2.yaml',
    `-Dpulsar.log.dir=${region.logDir}`,
    '-Dpulsar.log.file=pulsar.log',
    '-Dpulsar.log.appender=RollingFile',
    `-Dpulsar.config.file=${region.confFile}`,
    `-Djava.io.tmpdir=${path.join(region.dir, 'tmp')}`,
  ];
}

export function standaloneArgs(region: RegionLayout): string[] {
  return [
    'org.apache.pulsar.PulsarStandaloneStarter',
    '--config', region.confFile,
    // bin/pulsar standalone's worker ignores functionsWorkerEnabled=false; -nfw is what disables it.
    '-nfw',
    '-nss',
    '--metadata-dir', path.join(region.dataDir, 'metadata'),
    '--bookkeeper-dir', path.join(region.dataDir, 'bookkeeper'),
    '-a', '127.0.0.1',
  ];
}
