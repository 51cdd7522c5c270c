// HTTP request duration by route template and status, and the /metrics endpoint.
import type { FastifyInstance } from 'fastify';
import type { ControlPlaneMetrics } from '../metrics.ts';

export function installMetrics(app: FastifyInstance, metrics: ControlPlaneMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label value, so scanners cannot blow up the series count.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'] } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
