import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForPortsReleased } from './processes.ts';

const pidFile = (): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pid-')), 'x.pid');
  writeFileSync(file, '12345');
  return file;
};

async function listen(): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  return { port: (server.address() as net.AddressInfo).port, server };
}

describe('waitForPortsReleased', () => {
  it('waits, after an unclean stop, until the old process lets go of its port', async () => {
    const { port, server } = await listen();
    const t0 = Date.now();
    setTimeout(() => server.close(), 400);
    await waitForPortsReleased(pidFile(), [port], 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('does not wait without a pid file (a clean stop removes it)', async () => {
    const { port, server } = await listen();
    const t0 = Date.now();
    await waitForPortsReleased(path.join(os.tmpdir(), 'no-such.pid'), [port], 10_000);
    expect(Date.now() - t0).toBeLessThan(300);
    server.close();
  });

  it('gives up at the timeout, leaving the port check to report the holder', async () => {
    const { port, server } = await listen();
    const t0 = Date.now();
    await waitForPortsReleased(pidFile(), [port], 500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    server.close();
  });
});
