import type { FastifyPluginAsync } from 'fastify';
import type { RoutePluginOptions } from '../services.ts';
import { catalogRoutes } from './catalog.ts';
import { findingRoutes } from './findings.ts';
import { graphRoutes } from './graph.ts';
import { healthRoutes } from './health.ts';
import { inventoryRoutes } from './inventory.ts';

/** Every route plugin under /api/v1; a feature adds one entry. */
export const routePlugins: FastifyPluginAsync<RoutePluginOptions>[] = [
  healthRoutes as FastifyPluginAsync<RoutePluginOptions>,
  inventoryRoutes as FastifyPluginAsync<RoutePluginOptions>,
  graphRoutes as FastifyPluginAsync<RoutePluginOptions>,
  findingRoutes as FastifyPluginAsync<RoutePluginOptions>,
  catalogRoutes as FastifyPluginAsync<RoutePluginOptions>,
];
