// Secrets never reach the log: the admin token, API key secrets and minted Pulsar tokens, even
// at trace level and in error paths.
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, seedTenant, testApp } from './testing.ts';

describe('logging', () => {
  it('never writes tokens or key secrets', async () => {
    const lines: string[] = [];
    const t = await testApp({ config: { logLevel: 'trace' }, logStream: { write: (line) => void lines.push(line) } });
    const keys = await seedTenant(t, 'acme');
    const token = (await t.call({ method: 'POST', url: '/v1/tenants/acme/pulsar-token', token: keys.admin.secret })).json().token as string;
    await t.call({ method: 'GET', url: '/v1/tenants/acme', token: 'lsk_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro' });
    await t.call({ method: 'GET', url: '/v1/tenants', token: keys.viewer.secret });
    t.app.log.info({ headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, secret: keys.admin.secret, pulsarToken: token }, 'a careless log call');
    await t.app.close();
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of [ADMIN_TOKEN, keys.admin.secret, keys.viewer.secret, keys.admin.secret.slice(21), token]) expect(log).not.toContain(secret);
    expect(log).toContain('[redacted]');
  });
});
