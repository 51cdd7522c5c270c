// `npm start` as a developer runs it: a real process that reuses the stack, serves the control
// plane with its OpenAPI document, applies the demo tenants, and on SIGINT (Ctrl-C) stops what it
// started while leaving the already running stack alone.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { isExternalMode, repoRoot } from '../../platform/regions/index.ts';
import { status } from '../../infra/stack/stack.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(isExternalMode())('npm start', () => {
  it('serves the control plane, applies the demo tenants, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['infra/start.ts'], {
      cwd: repoRoot,
      env: { ...process.env, LODESTAR_CP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 150_000;
      while (!output.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(output, output).toContain('Lodestar is running.');
      expect(output).toContain(`control plane: http://127.0.0.1:${port}`);
      expect(output).toMatch(/demo tenant clickstream: (up to date|\d+ change\(s\) applied)/);
      expect(output).toMatch(/demo tenant fraud: (up to date|\d+ change\(s\) applied)/);

      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      const openapi = (await (await fetch(`http://127.0.0.1:${port}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toContain('/v1/tenants');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    // The stack was already running (the global setup started or reused it): still healthy.
    expect((await status()).regions.every((r) => r.healthy)).toBe(true);
  });
});
