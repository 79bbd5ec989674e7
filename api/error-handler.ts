import type { FastifyError, FastifyInstance } from 'fastify';
import { isWeftError } from '../core/errors/index.ts';

/** Validation keywords about a value's shape, answered with what the field takes rather than the rule ("must match pattern …"). */
const SHAPE_KEYWORDS = new Set(['pattern', 'minLength', 'maxLength', 'format']);

/** The `description` the route's schema gives a top-level field of `where` (querystring, params, body, headers), if any. */
function describedAs(schema: unknown, where: string, field: string): string | undefined {
  const part = (schema as Record<string, unknown> | undefined)?.[where] as { properties?: unknown } | undefined;
  const properties = part?.properties;
  if (!properties || typeof properties !== 'object' || !Object.hasOwn(properties, field)) return undefined;
  const description = (properties as Record<string, { description?: unknown }>)[field]?.description;
  return typeof description === 'string' && description ? description : undefined;
}

/** `, got "…"` with the value sent (at most 60 characters), for a query or path field; '' otherwise. */
function givenText(request: { query: unknown; params: unknown }, where: string, field: string): string {
  const source = where === 'querystring' ? request.query : where === 'params' ? request.params : undefined;
  if (!source || typeof source !== 'object' || !Object.hasOwn(source, field)) return '';
  const value = (source as Record<string, unknown>)[field];
  return typeof value === 'string' ? `, got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}` : '';
}

/** The one error handler at the HTTP edge: user mistakes say what to change, 5xx details stay in the log. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isWeftError(err)) {
      if (err.statusCode >= 500) request.log.error({ err }, err.message);
      return reply.status(err.statusCode).send({
        statusCode: err.statusCode,
        code: err.code,
        error: err.statusCode >= 500 ? 'Internal Server Error' : err.message,
        message: err.statusCode >= 500 && err.statusCode !== 503 ? 'Internal error; see the Weft log.' : err.message,
      });
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      const first = err.validation[0];
      const path = first?.instancePath
        ? first.instancePath.replace(/^\//, '').replace(/\//g, '.')
        : ((first?.params as { missingProperty?: string })?.missingProperty ?? '');
      const expected = first && SHAPE_KEYWORDS.has(first.keyword) && path ? describedAs(request.routeOptions.schema, where, path) : undefined;
      return reply.status(400).send({
        statusCode: 400,
        code: 'WEFT_ERR_BAD_REQUEST',
        error: 'Bad Request',
        message: expected
          ? `Invalid ${where} field "${path}": expected ${expected}${givenText(request, where, path)}.`
          : `Invalid ${where}${path ? ` field "${path}"` : ''}: ${first?.message ?? err.message}`,
      });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply
        .status(status)
        .send({ statusCode: status, code: 'WEFT_ERR_INTERNAL', error: 'Internal Server Error', message: 'Internal error; see the Weft log.' });
    }
    return reply.status(status).send({ statusCode: status, code: err.code ?? 'WEFT_ERR_BAD_REQUEST', error: 'Bad Request', message: err.message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ statusCode: 404, code: 'WEFT_ERR_NOT_FOUND', error: 'Not Found', message: `No route ${request.method} ${request.url.split('?')[0]}.` });
  });
}
