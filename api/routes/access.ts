import { ERR_BAD_REQUEST } from '../../core/errors/index.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { identityOf, type Credentials } from '../../access/index.ts';
import { AuditEntrySchema, RoleSchema, TokenInfoSchema } from '../schemas/access.ts';
import type { ApiServices, RoutePluginOptions } from '../services.ts';
import { queryInstant } from './bounds.ts';

const TokenIdParams = Type.Object({ id: Type.String({ pattern: '^[a-z2-7]{10}$', description: 'token id (weft token list)' }) });

function credentialsOf(services: ApiServices): Credentials {
  if (!services.credentials) throw new Error('the API was built without credentials');
  return services.credentials;
}

/** A time from a query (`queryInstant`: RFC 3339, or a date alone), or a 400 naming the field. */
function time(value: string | undefined, field: string): Date | undefined {
  return value === undefined ? undefined : new Date(queryInstant(value, field, { dateAlone: true }));
}

/** Tokens (admin) and the audit log (auditor, admin). */
export const accessRoutes: FastifyPluginAsyncTypebox<RoutePluginOptions> = async (app, { services }) => {
  app.get(
    '/tokens',
    {
      config: { access: 'tokens' },
      schema: {
        summary: 'Tokens made by weft token create, with their last use (never their secret)',
        tags: ['access'],
        response: { 200: Type.Object({ tokens: Type.Array(TokenInfoSchema) }) },
      },
    },
    async () => ({ tokens: await credentialsOf(services).listTokens() }),
  );

  app.post(
    '/tokens',
    {
      config: { access: 'tokens' },
      schema: {
        summary: 'Make a token: its text is in this answer only',
        tags: ['access'],
        body: Type.Object({ role: RoleSchema, name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), info: TokenInfoSchema }) },
      },
    },
    async (request, reply) => {
      const made = await credentialsOf(services).createToken(request.body, identityOf(request));
      return reply.status(201).header('cache-control', 'no-store').send(made);
    },
  );

  app.post(
    '/tokens/:id/revoke',
    {
      config: { access: 'tokens' },
      schema: { summary: 'Revoke a token', tags: ['access'], params: TokenIdParams, response: { 200: Type.Object({ token: TokenInfoSchema }) } },
    },
    async (request) => ({ token: await credentialsOf(services).revokeToken(request.params.id, identityOf(request)) }),
  );

  app.get(
    '/audit-log',
    {
      config: { access: 'audit-log' },
      schema: {
        summary: 'The audit log in seq order (hash-chained; weft audit-log verify --url checks it)',
        tags: ['access'],
        querystring: Type.Object(
          {
            since: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339 time with its offset, or a date alone (its midnight UTC); inclusive' })),
            until: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339 time with its offset, or a date alone (its midnight UTC); inclusive' })),
            afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'rows after this seq (paging)' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntrySchema) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const [since, until] = [time(q.since, 'since'), time(q.until, 'until')];
      // An inverted range would answer "no entries", as if nobody had done anything.
      if (since && until && since.getTime() > until.getTime())
        throw ERR_BAD_REQUEST(`Invalid querystring: since (${q.since}) is after until (${q.until}); give since before until.`);
      if (!services.auditLog) return { entries: [] };
      return { entries: await services.auditLog.list({ since, until, afterSeq: q.afterSeq, limit: q.limit }) };
    },
  );
};
