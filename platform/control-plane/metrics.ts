// The control plane's metrics, in a registry of its own (one per app, so tests can build many
// apps in one process). Names follow lodestar_<area>_<what>_<unit>; label values are bounded:
// routes are templates (`/v1/tenants/:tenantId`), never raw URLs.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ControlPlaneMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  provisioning: Counter<'resource' | 'operation' | 'region' | 'outcome'>;
}

export function createMetrics({ defaultMetrics }: { defaultMetrics: boolean }): ControlPlaneMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'lodestar_control_plane_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    provisioning: new Counter({
      name: 'lodestar_control_plane_provisioning_total',
      help: 'Provisioning attempts per region by outcome (ready, pending, failed)',
      labelNames: ['resource', 'operation', 'region', 'outcome'],
      registers: [registry],
    }),
  };
}
