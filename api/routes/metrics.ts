import type { FastifyInstance } from 'fastify';
import { renderMetrics } from '../../alerting/index.ts';
import type { Role } from '../../core/config/index.ts';
import { authHook } from '../auth.ts';
import type { ApiServices } from '../services.ts';

/**
 * Prometheus `/metrics` beside the UI (outside /api/v1, where scrapers look): open findings, firing
 * alerts, per-flow p95 and error rate. Guarded by the API's tokens when there are any.
 */
export function registerMetricsRoute(app: FastifyInstance, services: ApiServices, tokens: Record<string, Role>): void {
  app.get('/metrics', { onRequest: authHook(tokens), schema: { hide: true } }, async (_request, reply) => {
    const findings = services.findings ? await services.findings.list({ status: ['open', 'acknowledged'], limit: 100_000 }) : [];
    const alerts = services.alerting ? await services.alerting.alertStore.listAlerts(['firing'], 5000) : [];
    const catalog = services.analyzer?.catalog();
    const text = catalog ? renderMetrics({ findings, alerts, catalog, observations: services.alerting?.lastObservations() ?? null }) : renderMetrics({ findings, alerts, catalog: { flows: [] } as never, observations: null });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
}
