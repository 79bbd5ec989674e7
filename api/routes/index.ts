import type { FastifyPluginAsync } from 'fastify';
import type { RoutePluginOptions } from '../services.ts';
import { alertRoutes } from './alerts.ts';
import { accessRoutes } from './access.ts';
import { auditRoutes } from './audit.ts';
import { catalogRoutes } from './catalog.ts';
import { driftRoutes } from './drift.ts';
import { findingRoutes } from './findings.ts';
import { flowRoutes } from './flows.ts';
import { graphRoutes } from './graph.ts';
import { healthRoutes } from './health.ts';
import { hopRoutes } from './hops.ts';
import { inventoryRoutes } from './inventory.ts';
import { lineageRoutes } from './lineage.ts';
import { probeRoutes } from './probes.ts';
import { reconciliationRoutes } from './reconciliations.ts';
import { traceRoutes } from './traces.ts';
import { reportRoutes } from './reports.ts';

/** Every route plugin under /api/v1; a feature adds one entry. */
export const routePlugins: FastifyPluginAsync<RoutePluginOptions>[] = [
  healthRoutes as FastifyPluginAsync<RoutePluginOptions>,
  inventoryRoutes as FastifyPluginAsync<RoutePluginOptions>,
  graphRoutes as FastifyPluginAsync<RoutePluginOptions>,
  flowRoutes as FastifyPluginAsync<RoutePluginOptions>,
  findingRoutes as FastifyPluginAsync<RoutePluginOptions>,
  catalogRoutes as FastifyPluginAsync<RoutePluginOptions>,
  probeRoutes as FastifyPluginAsync<RoutePluginOptions>,
  driftRoutes as FastifyPluginAsync<RoutePluginOptions>,
  reconciliationRoutes as FastifyPluginAsync<RoutePluginOptions>,
  auditRoutes as FastifyPluginAsync<RoutePluginOptions>,
  alertRoutes as FastifyPluginAsync<RoutePluginOptions>,
  traceRoutes as FastifyPluginAsync<RoutePluginOptions>,
  reportRoutes as FastifyPluginAsync<RoutePluginOptions>,
  accessRoutes as FastifyPluginAsync<RoutePluginOptions>,
  lineageRoutes as FastifyPluginAsync<RoutePluginOptions>,
  hopRoutes as FastifyPluginAsync<RoutePluginOptions>,
];
