import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../core/config/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: the token's role, or 'admin' when the API runs without tokens on loopback. */
    role: Role;
    actor: string;
  }
}

/** What each role may do beyond reading. */
const writeRoles: Record<string, Role[]> = {
  ack: ['sre', 'icoe', 'admin'],
  catalog: ['icoe', 'admin'],
  run: ['sre', 'icoe', 'admin'],
  ingest: ['ingest', 'admin'],
};

export function mayWrite(role: Role, what: keyof typeof writeRoles): boolean {
  return writeRoles[what].includes(role);
}

/** Bearer-token auth; without configured tokens (loopback only) every caller is an admin. */
export function authHook(tokens: Record<string, Role>) {
  const open = Object.keys(tokens).length === 0;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (open) {
      request.role = 'admin';
      request.actor = String(request.headers['x-weft-user'] ?? 'local');
      return;
    }
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const role = tokens[token];
    if (!role) {
      return reply.status(401).send({ statusCode: 401, code: 'WEFT_ERR_UNAUTHORIZED', error: 'Unauthorized', message: 'Missing or invalid bearer token: send "Authorization: Bearer <token>".' });
    }
    request.role = role;
    request.actor = String(request.headers['x-weft-user'] ?? `token:${role}`);
  };
}
