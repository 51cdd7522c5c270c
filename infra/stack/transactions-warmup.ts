// Pulsar loads a transaction coordinator lazily, on the first TC_CLIENT_CONNECT a client sends
// for it (TransactionMetadataStoreService.handleTcClientConnect); a broker lookup alone does not.
// `up` promises a ready coordinator, so it connects our own client's coordinator client to every
// coordinator of the region: no transaction, no JVM start. `up` writes stack.json before it
// waits, so the region's address and the superuser token are found there.
import { PulsarClient } from '../../platform/pulsar/index.ts';
import { loadStackInfo, readSuperuserToken, regionByName } from '../../platform/regions/index.ts';

export async function warmUpTransactionCoordinator(regionName: string): Promise<void> {
  const info = loadStackInfo();
  const client = new PulsarClient({
    serviceUrl: regionByName(info, regionName).brokerUrl,
    token: readSuperuserToken(info),
    operationTimeoutMs: 120_000,
  });
  try {
    await client.connectTransactionCoordinators();
  } finally {
    await client.close();
  }
}
