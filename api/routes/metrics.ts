import type { FastifyInstance } from 'fastify';
import { renderMetrics } from '../../alerting/index.ts';
import type { ApiServices } from '../services.ts';

/**
 * Prometheus `/metrics` beside the UI (outside /api/v1, where scrapers look): open findings, firing
 * alerts, per-flow p95 and error rate, receivers whose deliveries fail. Access level `read` (a viewer token when tokens are required).
 */
export function registerMetricsRoute(app: FastifyInstance, services: ApiServices): void {
  app.get('/metrics', { config: { access: 'read' }, schema: { hide: true } }, async (_request, reply) => {
    const findings = services.findings ? await services.findings.list({ status: ['open', 'acknowledged'], limit: 100_000 }) : [];
    const alerts = services.alerting ? await services.alerting.alertStore.listAlerts(['firing'], 5000) : [];
    const catalog = services.analyzer?.catalog();
    const text = renderMetrics({
      findings,
      alerts,
      catalog: catalog ?? ({ flows: [] } as never),
      observations: catalog ? (services.alerting?.lastObservations() ?? null) : null,
      receivers: services.alerting ? await services.alerting.alertStore.receiverHealth() : [],
    });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
