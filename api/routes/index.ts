import type { FastifyPluginAsync } from 'fastify';
import type { RoutePluginOptions } from '../services.ts';
import { healthRoutes } from './health.ts';

/** Every route plugin under /api/v1; a feature adds one entry. */
export const routePlugins: FastifyPluginAsync<RoutePluginOptions>[] = [healthRoutes as FastifyPluginAsync<RoutePluginOptions>];
