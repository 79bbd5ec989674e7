import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { ERR_BAD_REQUEST } from '../core/errors/index.ts';
import { count, didYouMean } from '../core/text/index.ts';

/** Most parameters one message names; the rest are counted ("and 3 more"). */
const MAX_NAMED = 10;
/** A parameter's name as a message shows it: quoted, at most 100 characters. */
const shown = (key: string) => JSON.stringify(key.slice(0, 100));

/** True when a property's schema takes a list (`?x=a&x=b` is then one value, not a mistake). */
function takesList(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as { type?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
  if (s.type === 'array' || (Array.isArray(s.type) && s.type.includes('array'))) return true;
  return [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(takesList);
}

/** `a, b and c`; past MAX_NAMED items, `…, j and 4 more`. */
function listed(items: readonly string[]): string {
  const all = items.length > MAX_NAMED ? [...items.slice(0, MAX_NAMED), `${items.length - MAX_NAMED} more`] : [...items];
  return all.length <= 1 ? all.join('') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/**
 * What is wrong with a request's query parameters for a route that takes `properties`: every
 * parameter it does not take, and every parameter it takes once that was given more than once, in
 * one message; undefined when nothing is. `query` is the parsed query string (a repeated key is an
 * array of its values, as fastify's parser gives it).
 */
export function queryKeyProblem(query: Record<string, unknown>, properties: Record<string, unknown>, route: string): string | undefined {
  const unknown: string[] = [];
  const repeated: string[] = [];
  for (const key of Object.keys(query)) {
    if (!Object.hasOwn(properties, key)) unknown.push(key);
    else if (Array.isArray(query[key]) && !takesList(properties[key])) repeated.push(key);
  }
  if (unknown.length === 0 && repeated.length === 0) return undefined;
  const takes = Object.keys(properties).join(', ') || 'none';
  const parts: string[] = [];
  if (unknown.length > 0)
    parts.push(
      `Unknown query parameter${unknown.length === 1 ? '' : 's'} ${listed(unknown.map((k) => `${shown(k)}${didYouMean(k.slice(0, 100), Object.keys(properties))}`))} for ${route}; it takes ${takes}.`,
    );
  if (repeated.length > 0) {
    const times = repeated.map((k) => `${shown(k)} (${count((query[k] as unknown[]).length, 'time')})`);
    parts.push(
      `Query parameter${repeated.length === 1 ? '' : 's'} ${listed(times)} given more than once for ${route}; ` +
        `give ${repeated.length === 1 ? 'it' : 'each'} once.`,
    );
  }
  return parts.join(' ');
}

/**
 * A number parameter written other than in decimal digits: the validator's coercion reads `?limit=0x10` as 16,
 * `?limit=1e2` as 100 and `?limit=%20` as 0. Undefined when every number parameter is plain decimal.
 */
export function queryNumberProblem(query: Record<string, unknown>, properties: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(query)) {
    const type = (properties[key] as { type?: unknown } | undefined)?.type;
    const value = query[key];
    if ((type !== 'integer' && type !== 'number') || typeof value !== 'string') continue;
    if (!(type === 'integer' ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/).test(value))
      return `Invalid querystring field ${shown(key)}: expected ${type === 'integer' ? 'a whole number' : 'a number'} in decimal digits, got ${shown(value)}.`;
  }
  return undefined;
}

/** Puts `hook` before the route's own preValidation hooks (after access, before the schema's validation). */
function runFirst(route: RouteOptions, hook: (request: FastifyRequest) => Promise<void>): void {
  route.preValidation = [hook, ...[route.preValidation ?? []].flat()];
}

/**
 * Refuses query parameters a route does not take, and parameters it takes once given twice
 * (`?severity=high&severity=low`), with one 400 naming all of them and the parameters the route
 * takes. Without it a misspelt filter (`?domian=…`, `?domain[]=…`, `?severity=high&sevrity=…`)
 * is dropped and the answer silently covers everything (a wrong answer, not an error), and a
 * repeated one is refused as "must be string". Applies to every route that declares a querystring
 * schema (a TypeBox object); routes without one take none they read. Checked after access
 * (preValidation), so only callers allowed on the route learn its parameters. Call before
 * registering routes.
 */
export function installQueryKeyCheck(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    // An API route without a querystring schema takes no parameters: `GET /api/v1/reports?limit=5` would
    // otherwise answer every report as if the limit held.
    const properties =
      (route.schema?.querystring as { properties?: Record<string, unknown> } | undefined)?.properties ?? (route.url.startsWith('/api/v1/') ? {} : undefined);
    if (!properties) return;
    const hook = async (request: FastifyRequest) => {
      const query = request.query as Record<string, unknown> | null;
      if (!query || typeof query !== 'object') return;
      const problem = queryKeyProblem(query, properties, `${request.method} ${route.url}`) ?? queryNumberProblem(query, properties);
      if (problem) throw ERR_BAD_REQUEST(problem);
    };
    runFirst(route, hook);
  });
}

/**
 * What is wrong with the body sent to a route that declares none: undefined for no body or `{}` (what the UI
 * and the CLI send), else a message naming the fields, or saying what was sent instead of an object.
 */
export function bodyWithoutSchemaProblem(body: unknown, route: string): string | undefined {
  if (body === undefined) return undefined;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 0) return undefined;
    return `Unknown body field${keys.length === 1 ? '' : 's'} ${listed(keys.map(shown))} for ${route}; it takes none (send {}, or no body, with Content-Type: application/json).`;
  }
  const what = body === null ? 'null' : Array.isArray(body) ? 'a list' : `a ${typeof body}`;
  return `${route} takes no body (send {}, or none, with Content-Type: application/json), got ${what}.`;
}

/**
 * Refuses a body sent to an API route that declares none (`POST /api/v1/catalog/reload {"dryRun": true}` did a
 * real reload; `DELETE /api/v1/silences/ID {"comment": …}` lost the comment): the fields would be dropped
 * without a word. No body and `{}` are taken. Call before registering routes.
 */
export function installBodyCheck(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.schema?.body || !route.url.startsWith('/api/v1/')) return;
    const methods = [route.method].flat();
    if (!methods.some((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m))) return;
    const hook = async (request: FastifyRequest) => {
      const problem = bodyWithoutSchemaProblem(request.body, `${request.method} ${route.url}`);
      if (problem) throw ERR_BAD_REQUEST(problem);
    };
    runFirst(route, hook);
  });
}
