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

/** Whether `promise` has settled, without waiting for it. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.then(() => { done = true; }, () => { done = true; });
  return () => done;
}

// No upper bound on how long anything takes (a loaded CI host makes every step slower): these
// check what the wait waits for, by order. The one bound left, in the timeout case, is a lower
// one that the function's own deadline guarantees.
describe('waitForPortsReleased', () => {
  it('waits, after an unclean stop, until the old process lets go of its port', async () => {
    const { port, server } = await listen();
    const waiting = waitForPortsReleased(pidFile(), [port], 600_000);
    const isSettled = settled(waiting);
    // Let it poll the held port a few times (100 ms apart): it must still be waiting.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(isSettled()).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    await waiting;
    expect(isSettled()).toBe(true);
  });

  it('does not wait without a pid file (a clean stop removes it)', async () => {
    const { port, server } = await listen();
    // The port stays held and the timeout is far beyond the test's own: only not waiting returns.
    await waitForPortsReleased(path.join(os.tmpdir(), 'no-such.pid'), [port], 3_600_000);
    expect(server.listening).toBe(true);
    server.close();
  });

  it('gives up at the timeout, leaving the port check to report the holder', async () => {
    const { port, server } = await listen();
    const t0 = Date.now();
    await waitForPortsReleased(pidFile(), [port], 500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(server.listening).toBe(true);
    server.close();
  });
});
