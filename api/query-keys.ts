import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERR_BAD_REQUEST } from '../core/errors/index.ts';

/**
 * Refuses query parameters a route does not take, with 400 naming the parameter and the ones the
 * route takes. Without it a misspelt filter (`?domian=…`, `?domain[]=…`, `?severity=high&sevrity=…`)
 * is dropped and the answer silently covers everything: a wrong answer, not an error. Applies to
 * every route that declares a querystring schema (a TypeBox object); routes without one take none
 * they read. Checked after access (preValidation), so only callers allowed on the route learn its
 * parameters. Call before registering routes.
 */
export function installQueryKeyCheck(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const properties = (route.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties;
    if (!properties) return;
    const known = new Set(Object.keys(properties));
    const hook = async (request: FastifyRequest) => {
      const query = request.query as Record<string, unknown> | null;
      if (!query || typeof query !== 'object') return;
      for (const key of Object.keys(query)) {
        if (known.has(key)) continue;
        throw ERR_BAD_REQUEST(
          `Unknown query parameter ${JSON.stringify(key.slice(0, 100))} for ${request.method} ${route.url}; it takes ${[...known].join(', ') || 'none'}.`,
        );
      }
    };
    route.preValidation = [hook, ...[route.preValidation ?? []].flat()];
  });
}
