import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderStandaloneConf, standaloneOverrides } from './standalone-config.ts';
import { stackLayout } from '../stack/regions.ts';

function fakeHome(stock: string): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'pulsar-home-'));
  mkdirSync(path.join(home, 'conf'));
  writeFileSync(path.join(home, 'conf', 'standalone.conf'), stock);
  return home;
}

describe('renderStandaloneConf', () => {
  it('replaces keys in place, keeps the rest, and appends keys the stock file lacks', () => {
    const home = fakeHome('# comment\nclusterName=standalone\nbrokerServicePort=6650\nkeepMe=1\n');
    const out = renderStandaloneConf(home, { clusterName: 'east', brokerServicePort: '16650', newKey: 'x' });
    const lines = out.split('\n');
    expect(lines.slice(0, 4)).toEqual(['# comment', 'clusterName=east', 'brokerServicePort=16650', 'keepMe=1']);
    expect(lines).toContain('newKey=x');
    expect(lines.filter((l) => l.startsWith('clusterName='))).toHaveLength(1);
  });

  it('turns on token auth, transactions and dedup, and points the broker client at the superuser token', () => {
    const layout = stackLayout('/state', 5);
    const o = standaloneOverrides(layout.regions[1]!, layout);
    expect(o).toMatchObject({
      clusterName: 'west',
      brokerServicePort: '26655',
      brokerServicePortTls: '26656',
      tlsCertificateFilePath: '/state/tls/broker.crt',
      tlsKeyFilePath: '/state/tls/broker.key',
      tlsTrustCertsFilePath: '/state/tls/ca.crt',
      webServicePort: '28085',
      authenticationEnabled: 'true',
      authorizationEnabled: 'true',
      superUserRoles: 'lodestar-admin',
      transactionCoordinatorEnabled: 'true',
      journalFlushWhenQueueEmpty: 'true',
      brokerDeduplicationEnabled: 'true',
      brokerDeleteInactiveTopicsEnabled: 'false',
      tokenSecretKey: 'file:///state/auth/secret.key',
      brokerClientAuthenticationParameters: 'file:///state/auth/superuser.token',
    });
  });
});
