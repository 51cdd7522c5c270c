// The worker's own small HTTP port: /health (200 while running, 503 otherwise, with the state of
// every partition loop) and /metrics (Prometheus text). Nothing else is served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport { healthy: boolean; body: unknown }

export async function startHttpServer(host: string, port: number, health: () => HealthReport, registry: Registry): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = req.url?.split('?')[0];
      if (req.method === 'GET' && url === '/health') {
        const report = health();
        res.writeHead(report.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report.body));
      } else if (req.method === 'GET' && url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      }
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export const boundPort = (server: http.Server): number => (server.address() as AddressInfo).port;
