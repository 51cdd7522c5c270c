// Geo-replication between the local regions. Each standalone cluster has its own configuration
// store, so every region must be told about every other one (PUT /admin/v2/clusters/<peer>).
// The replicator authenticates to the peer with the superuser token: both regions share the
// stack's secret key.
import type { StackLayout } from './regions.ts';
import { brokerUrl, webUrl } from './regions.ts';

export async function configureGeoReplication(layout: StackLayout, token: string, log: (line: string) => void): Promise<void> {
  for (const local of layout.regions) {
    for (const peer of layout.regions.filter((r) => r.name !== local.name)) {
      const body = JSON.stringify({
        serviceUrl: webUrl(peer),
        brokerServiceUrl: brokerUrl(peer),
        authenticationPlugin: 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
        authenticationParameters: `token:${token}`,
      });
      const url = `${webUrl(local)}/admin/v2/clusters/${peer.name}`;
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      let response = await fetch(url, { method: 'PUT', headers, body });
      // 409: already registered; POST updates it so a changed port or token takes effect.
      if (response.status === 409) response = await fetch(url, { method: 'POST', headers, body });
      if (!response.ok) throw new Error(`registering ${peer.name} in ${local.name} failed: HTTP ${response.status} ${await response.text()}`);
    }
  }
  log(`geo-replication: ${layout.regions.map((r) => r.name).join(' <-> ')} registered in each other`);
}
