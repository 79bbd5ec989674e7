import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isWeftError } from '../core/errors/index.ts';
import { closestName, didYouMean, printable } from '../core/text/index.ts';

/** Validation keywords about a value's shape, answered with what the field takes rather than the rule ("must match pattern …"). */
const SHAPE_KEYWORDS = new Set(['pattern', 'minLength', 'maxLength', 'format']);
/** Validation keywords of a closed set of values (an enum, or TypeBox's union of literals): answered with the values. */
const CLOSED_SET_KEYWORDS = new Set(['const', 'enum', 'anyOf', 'oneOf']);

/** The `description` the route's schema gives a top-level field of `where` (querystring, params, body, headers), if any. */
function describedAs(schema: unknown, where: string, field: string): string | undefined {
  return descriptionOf(fieldSchema(schema, where, field));
}

/** What fastify's own refusals mean for the sender: the body over the limit (with the limit), a malformed URL. */
function httpLayerError(err: FastifyError, limit: number | undefined): { code: string; message: string } | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { code: 'WEFT_ERR_TOO_LARGE', message: `The body is larger than ${limit === undefined ? 'the limit' : `${limit} bytes`}: send a smaller one.` };
  }
  if (err.code === 'FST_ERR_BAD_URL')
    return { code: 'WEFT_ERR_BAD_REQUEST', message: 'The URL is not valid: a % in its path must start a percent-encoded byte (%2F).' };
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return { code: 'WEFT_ERR_BAD_REQUEST', message: 'The body is empty but says it is JSON: send {} or no Content-Type.' };
  return undefined;
}

/** A validation error as fastify passes it on (Ajv's). */
type ValidationError = NonNullable<FastifyError['validation']>[number];

/**
 * The error that says most: for a value that may take several forms (anyOf: a matcher object or a
 * "name=value" string), the form whose type the value has and the rule it broke ("must NOT have fewer than 2
 * characters"), not the first form's "must be object"; when it has none of the types, one error naming them all.
 */
function telling(errors: ValidationError[]): ValidationError | undefined {
  const first = errors[0];
  const anyOf = errors.find((e) => e.keyword === 'anyOf');
  if (!anyOf) return first;
  // A form the value has the type of: its error lies deeper than the value, or is not about the type.
  const at = anyOf.instancePath;
  const specific = errors.find((e) => e !== anyOf && (e.instancePath.length > at.length || e.keyword !== 'type'));
  if (specific) return specific;
  const types = [...new Set(errors.filter((e) => e.keyword === 'type' && e.instancePath === at).map((e) => String((e.params as { type?: unknown }).type)))];
  return types.length > 1 && first ? { ...first, message: `must be ${types.map((t) => (t === 'object' ? 'an object' : `a ${t}`)).join(' or ')}` } : first;
}

/** A request path for a message: at most 200 characters, then "…". */
function shownPath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/** The `description` the route's schema gives the whole of `where` (the body), if any. */
function wholeDescription(schema: unknown, where: string): string | undefined {
  return descriptionOf((schema as Record<string, unknown> | undefined)?.[where]);
}

/** A schema's `description`, when it has a non-empty one. */
function descriptionOf(schema: unknown): string | undefined {
  const description = (schema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' && description ? description : undefined;
}

/** The values a field's schema allows when it is a closed set (`enum`, or a union of `const`s as TypeBox writes literals), else undefined. */
function allowedValues(schema: unknown): string[] | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as { enum?: unknown[]; const?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
  if (Array.isArray(s.enum)) return s.enum.map(String);
  if (s.const !== undefined) return [String(s.const)];
  const branches = s.anyOf ?? s.oneOf;
  if (!branches) return undefined;
  const values: string[] = [];
  for (const branch of branches) {
    const v = allowedValues(branch);
    if (!v) return undefined;
    values.push(...v);
  }
  return values;
}

/** The schema the route gives a top-level field of `where`, if any. */
function fieldSchema(schema: unknown, where: string, field: string): unknown {
  const properties = ((schema as Record<string, unknown> | undefined)?.[where] as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties && Object.hasOwn(properties, field) ? properties[field] : undefined;
}

/** The text sent for a query, path or top-level body field, or undefined (a nested field, not text, absent). */
function givenValue(request: { query: unknown; params: unknown; body?: unknown }, where: string, field: string): string | undefined {
  const source = where === 'querystring' ? request.query : where === 'params' ? request.params : where === 'body' ? request.body : undefined;
  if (!source || typeof source !== 'object' || !Object.hasOwn(source, field)) return undefined;
  const value = (source as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The fields declared where an `additionalProperties` error arose: `schemaPath` ("#/properties/matchers/items/additionalProperties")
 * walked from the route's schema of that part of the request. Empty when it cannot be followed.
 */
function declaredFields(schema: unknown, schemaPath: string): string[] {
  let node: unknown = schema;
  for (const step of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, step)) return [];
    node = (node as Record<string, unknown>)[step];
  }
  const properties = (node as { properties?: unknown } | undefined)?.properties;
  return properties && typeof properties === 'object' ? Object.keys(properties) : [];
}

/**
 * For a `required` error: the field of the object at the error's place (`/matchers/0` in the body) that the schema
 * does not declare and is close to the missing one (`isRegx` for `isRegex`), or undefined.
 */
function misspeltRequired(
  request: { body: unknown; query: unknown; routeOptions: { schema?: unknown } },
  where: string,
  error: { instancePath: string; schemaPath: string; params: unknown },
): string | undefined {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (typeof missing !== 'string') return undefined;
  let node: unknown = where === 'body' ? request.body : where === 'querystring' ? request.query : undefined;
  for (const step of error.instancePath.split('/').slice(1)) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const declared = new Set(declaredFields((request.routeOptions.schema as Record<string, unknown> | undefined)?.[where], error.schemaPath));
  return Object.keys(node).find((key) => !declared.has(key) && closestName(key, [missing]) === missing);
}

/** `, got "…"` with the value sent (at most 60 characters), for a query, path or top-level body field; '' otherwise. */
function givenText(request: { query: unknown; params: unknown; body?: unknown }, where: string, field: string): string {
  const value = givenValue(request, where, field);
  return value === undefined ? '' : `, got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
}

/** What a failed schema validation says to the sender: the field, what it takes, the value given, the one meant. */
function validationMessage(err: FastifyError, errors: ValidationError[], request: FastifyRequest): string {
  const where = err.validationContext ?? 'request';
  const schema = request.routeOptions.schema;
  const first = telling(errors);
  const path = first?.instancePath
    ? first.instancePath.replace(/^\//, '').replace(/\//g, '.')
    : ((first?.params as { missingProperty?: string })?.missingProperty ?? '');
  // A required field missing because it was misspelt: answered as the misspelt field, with the one meant.
  const misspelt = first?.keyword === 'required' ? misspeltRequired(request, where, first) : undefined;
  if (first && (first.keyword === 'additionalProperties' || misspelt !== undefined)) {
    const name = misspelt ?? String((first.params as { additionalProperty?: unknown }).additionalProperty ?? '');
    const at = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const field = `${at ? `${at}.` : ''}${name}`;
    const takes = declaredFields((schema as Record<string, unknown> | undefined)?.[where], first.schemaPath);
    return `Unknown ${where} field ${JSON.stringify(field.slice(0, 100))}${didYouMean(name.slice(0, 100), takes)}; ${takes.length ? `it takes ${takes.join(', ')}` : 'it takes none'}.`;
  }
  const allowed = first && CLOSED_SET_KEYWORDS.has(first.keyword) && path ? allowedValues(fieldSchema(schema, where, path)) : undefined;
  if (allowed) {
    const given = givenValue(request, where, path);
    return `Invalid ${where} field "${path}": expected one of ${allowed.join(', ')}${givenText(request, where, path)}${given === undefined ? '' : didYouMean(given, allowed)}.`;
  }
  // The whole body of the wrong kind (a number, a string): answered with what the route takes, when it says.
  const whole = first && !first.instancePath && ['type', 'anyOf'].includes(first.keyword) ? wholeDescription(schema, where) : undefined;
  if (whole) {
    const got = request.body === null ? 'null' : Array.isArray(request.body) ? 'a list' : `a ${typeof request.body}`;
    return `Invalid ${where}: expected ${whole}, got ${got}.`;
  }
  const expected = first && SHAPE_KEYWORDS.has(first.keyword) && path ? describedAs(schema, where, path) : undefined;
  return expected
    ? `Invalid ${where} field "${path}": expected ${expected}${givenText(request, where, path)}.`
    : `Invalid ${where}${path ? ` field "${path}"` : ''}: ${first?.message ?? err.message}`;
}

/** The longest path parameter the API's router matches (characters as sent, percent-encoding included): an observed flow's id names its two systems and its integration. */
export const MAX_PATH_PARAM_LENGTH = 1000;

/** The one error handler at the HTTP edge: user mistakes say what to change (with what would restyle text written as escapes, `printable`), 5xx details stay in the log. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isWeftError(err)) {
      if (err.statusCode >= 500) request.log.error({ err }, err.message);
      // A refusal for now (every report export place taken) says when to come back.
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter > 0) reply.header('retry-after', String(retryAfter));
      return reply.status(err.statusCode).send({
        statusCode: err.statusCode,
        code: err.code,
        // The status's reason phrase, as every other answer of the handler (and fastify's) gives it; the message says why.
        error: STATUS_CODES[err.statusCode] ?? (err.statusCode >= 500 ? 'Internal Server Error' : 'Bad Request'),
        message: err.statusCode >= 500 && err.statusCode !== 503 ? 'Internal error; see the Weft log.' : printable(err.message),
      });
    }
    if (err.validation) {
      return reply
        .status(400)
        .send({ statusCode: 400, code: 'WEFT_ERR_BAD_REQUEST', error: 'Bad Request', message: printable(validationMessage(err, err.validation, request)) });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply
        .status(status)
        .send({ statusCode: status, code: 'WEFT_ERR_INTERNAL', error: 'Internal Server Error', message: 'Internal error; see the Weft log.' });
    }
    // The HTTP layer's own refusals (fastify's FST_ERR_* codes), in Weft's words.
    const own = httpLayerError(err, request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit);
    return reply.status(status).send({
      statusCode: status,
      code: own?.code ?? (err.code?.startsWith('WEFT_') ? err.code : 'WEFT_ERR_BAD_REQUEST'),
      error: STATUS_CODES[status] ?? 'Bad Request',
      message: printable(own?.message ?? err.message),
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    // The router matches no parameter longer than its limit: say that, not that the route is unknown.
    const longest = Math.max(...path.split('/').map((segment) => segment.length));
    const why = longest > MAX_PATH_PARAM_LENGTH ? `: a part of the path is ${longest} characters long, over the ${MAX_PATH_PARAM_LENGTH} an id may have` : '';
    reply.status(404).send({
      statusCode: 404,
      code: 'WEFT_ERR_NOT_FOUND',
      error: 'Not Found',
      message: printable(`No route ${request.method} ${shownPath(path)}${why}.`),
    });
  });
}
