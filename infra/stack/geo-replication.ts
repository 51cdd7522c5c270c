// Geo-replication between the local regions (infra/CLUSTERS.md §5). Each standalone cluster has
// its own configuration store, so every region must be told about every other one. The replicator
// authenticates to the peer with the superuser token: both regions share the stack's secret key.
import { PulsarAdmin } from '../../platform/pulsar-admin/index.ts';
import type { StackLayout } from './regions.ts';
import { brokerUrl, webUrl } from './regions.ts';

export async function configureGeoReplication(layout: StackLayout, token: string, log: (line: string) => void): Promise<void> {
  for (const local of layout.regions) {
    const admin = new PulsarAdmin({ webUrl: webUrl(local), token });
    for (const peer of layout.regions.filter((r) => r.name !== local.name)) {
      await admin.clusters.ensure(peer.name, {
        serviceUrl: webUrl(peer),
        brokerServiceUrl: brokerUrl(peer),
        authenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
        authenticationParameters: `token:${token}`,
      });
    }
  }
  log(`geo-replication: ${layout.regions.map((r) => r.name).join(' <-> ')} registered in each other`);
}
