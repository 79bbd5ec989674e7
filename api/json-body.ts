import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies as fastify parses them (prototype poisoning refused), except that an empty body is
 * no body: writes must say `Content-Type: application/json` (a cross-site form cannot), and a
 * write with nothing to say may send it without a body.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    return parse(request, String(body), done);
  });
}
