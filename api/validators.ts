import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/** Fastify's own Ajv settings, but that a field a schema does not declare is refused, not dropped. */
const shared: Options = { useDefaults: true, removeAdditional: false, allErrors: false };

/**
 * Validates each part of a request with JSON Schema (Ajv 8, with ajv-formats as fastify does). The query
 * string, path and headers are text, so they are coerced to the declared types (`?limit=5` is a number);
 * a JSON body is not: it carries its own types, and coercing them stored `"note": 123` as "123",
 * `"comment": 1` as "1" and `"matchers": "a=x"` as a list. A body value of the wrong type is a 400.
 */
export function installValidators(app: FastifyInstance): void {
  const text = new Ajv({ ...shared, coerceTypes: 'array' });
  const json = new Ajv({ ...shared, coerceTypes: false });
  addFormats.default(text);
  addFormats.default(json);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema));
}
