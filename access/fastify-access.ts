import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERR_UNAUTHORIZED } from '../core/errors/index.ts';
import type { Identity } from './credentials.ts';
import type { ListenerGuard } from './guard.ts';
import { rolesText, type AccessLevel } from './roles.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (access/roles.ts); a route without one is closed to everyone. */
    access?: AccessLevel;
  }
  interface FastifyRequest {
    /** Who is asking: set by the access hook on every route but public ones without a token. */
    identity: Identity | null;
  }
}

/** A route as registered, with the access level it declared. */
export interface RouteAccess {
  method: string;
  url: string;
  access: AccessLevel | undefined;
}

export interface AccessOptions {
  /**
   * Levels for routes a third-party plugin registers without one, by URL prefix: e.g.
   * `[['/api/docs', 'public']]` for the OpenAPI browser. Routes of Weft's own declare theirs.
   */
  prefixLevels?: ReadonlyArray<readonly [prefix: string, level: AccessLevel]>;
}

const registered = new WeakMap<FastifyInstance, RouteAccess[]>();

/** The routes of an app built with installAccess, each with its access level (the role-matrix test walks them). */
export function routeAccessOf(app: FastifyInstance): readonly RouteAccess[] {
  return registered.get(app) ?? [];
}

/**
 * Puts the guard in front of every route of `app`: the level comes from the route that matched
 * (`config: { access }`), after the router decoded and normalised the path, so no spelling of a
 * path reaches a handler unchecked. Requests that match no route are checked as public (Host and
 * nothing else), then go to the not-found handler (404, no data). Call before registering routes.
 */
export function installAccess(app: FastifyInstance, guard: ListenerGuard, options: AccessOptions = {}): void {
  const routes: RouteAccess[] = [];
  registered.set(app, routes);
  app.decorateRequest('identity', null);
  app.addHook('onRoute', (route) => {
    let access = (route.config as { access?: AccessLevel } | undefined)?.access;
    const url = route.url ?? route.path;
    const prefixed = access === undefined ? options.prefixLevels?.find(([p]) => url === p || url.startsWith(`${p}/`)) : undefined;
    if (prefixed) {
      access = prefixed[1];
      route.config = { ...route.config, access };
    }
    for (const method of [route.method].flat()) routes.push({ method, url, access });
    if (access === undefined) app.log.error({ route: url }, 'route declares no access level (config.access): it is closed to everyone');
    else if (access !== 'public' && route.schema) {
      // OpenAPI says who may call it.
      const schema = route.schema as { description?: string; security?: unknown };
      const who = `Access: \`${access}\` (${rolesText(access)}).`;
      route.schema = { ...route.schema, security: [{ bearer: [] }], description: schema.description ? `${schema.description}\n\n${who}` : who };
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    // A path that matches no route still answers only to this listener's names: a foreign Host gets
    // 403 there too (no data either way, but a DNS-rebinding probe learns nothing from the status).
    const level = accessLevelOf(request);
    const decision = await guard.check(
      {
        method: request.method,
        headers: request.headers,
        localPort: request.raw.socket?.localPort,
        rawHeaders: request.raw.rawHeaders,
        remoteAddress: request.raw.socket?.remoteAddress,
      },
      level,
      request.routeOptions.url ?? '',
    );
    if (!decision.ok) {
      if (decision.error.code === ERR_UNAUTHORIZED.code) reply.header('www-authenticate', 'Bearer');
      throw decision.error;
    }
    if (!request.is404) request.identity = decision.identity;
  });
}

/**
 * The access level of the route that matched `request` (`public` for a request that matched none); undefined for a
 * route that declares none. What a route behind a token answers (the catalog, findings, the audit log, a report's
 * bundle, a new token) must not outlive the token in a browser's or a proxy's cache: `installSecurityHeaders` is given
 * `(r) => accessLevelOf(r) !== 'public'` as its `noStore`.
 */
export function accessLevelOf(request: FastifyRequest): AccessLevel | undefined {
  return request.is404 ? 'public' : request.routeOptions.config.access;
}

/** The identity of a request on a non-public route (the hook guarantees one). */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw ERR_UNAUTHORIZED();
  return request.identity;
}
