// Pulsar loads a transaction coordinator lazily, on the first TC_CLIENT_CONNECT a client sends
// for it (TransactionMetadataStoreService.handleTcClientConnect); a broker lookup alone does not.
// `up` promises a ready coordinator, so it connects one transactional client per region: the
// Java perf tool, which opens one transaction and ends. (Switch to platform/pulsar's own
// transaction client once it lands, saving the JVM start.)
import { runPerf } from '../pulsar/perf.ts';

export async function warmUpTransactionCoordinator(regionName: string): Promise<void> {
  const result = await runPerf(
    regionName,
    ['produce', '-txn', '-nmt', '1', '-m', '1', '-r', '10', 'persistent://pulsar/system/lodestar-txn-warmup'],
    { timeoutMs: 120_000 },
  );
  if (result.code !== 0) throw new Error(`perf tool exited ${result.code}: ${result.output.split('\n').slice(-5).join('\n')}`);
}
