import type { FastifyError, FastifyInstance } from 'fastify';
import { isWeftError } from '../core/errors/index.ts';

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
      return reply.status(400).send({
        statusCode: 400,
        code: 'WEFT_ERR_BAD_REQUEST',
        error: 'Bad Request',
        message: `Invalid ${where}${path ? ` field "${path}"` : ''}: ${first?.message ?? err.message}`,
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
