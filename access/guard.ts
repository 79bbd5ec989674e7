import type { IncomingHttpHeaders } from 'node:http';
import { isLoopback } from '../core/config/index.ts';
import { TrustedProxies } from '../core/net/forwarded-client.ts';
import {
  ERR_AMBIGUOUS_CREDENTIALS,
  ERR_AUTH_FAILURES,
  ERR_CROSS_SITE,
  ERR_FORBIDDEN,
  ERR_FOREIGN_HOST,
  ERR_PROXIED,
  ERR_NO_ACCESS_LEVEL,
  ERR_UNAUTHORIZED,
  ERR_WRITE_MEDIA_TYPE,
  type WeftError,
} from '../core/errors/index.ts';
import { apiRoles, ingestRoles, localIdentity, type Credentials, type Identity } from './credentials.ts';
import { fastDigest } from './kdf.ts';
import { allowedHosts, crossSiteOrigin, hostProblem } from './request-origin.ts';
import { mayAccess, rolesText, type AccessLevel } from './roles.ts';

/** What the guard reads of a request. */
export interface RequestFacts {
  method: string;
  headers: IncomingHttpHeaders;
  /**
   * The port of the connection the request arrived on (`socket.localPort`), named in the example
   * of a refusal's message. Absent for requests made without a socket (fastify's `inject`).
   */
  localPort?: number;
  /**
   * The header lines as received (Node's `rawHeaders`: name, value, name, value…). `headers` keeps only the first of
   * two Authorization lines (Node drops the rest), so the guard counts them here. Absent: `headers` is all there is.
   */
  rawHeaders?: readonly string[];
  /** The address of the connection (`socket.remoteAddress`): failed credential checks are counted per client. */
  remoteAddress?: string;
}

/** The guard's answer: who it is (null on public routes without a token), or the error to send. */
export type Decision = { ok: true; identity: Identity | null } | { ok: false; error: WeftError };

/** One listener's view of the credential check (the collector's, the API's). */
export interface ListenerGuard {
  /**
   * Decides a request for a route at `level` (undefined: the route declared none, so it is denied).
   * Order: Host (DNS rebinding), proxy headers in no-token mode, one credential at most, the client's recent failed
   * checks, token, role, Content-Type of writes, cross-site origin.
   */
  check(request: RequestFacts, level: AccessLevel | undefined, route?: string): Promise<Decision>;
  /**
   * The client a request came from, as failed credential checks, byte budgets and logs count it: the connection's
   * address (IPv4-mapped as IPv4), or, when that is one of the listener's `trustedProxies`, the client its
   * `X-Forwarded-For` (else `Forwarded`) names, read from the right past trusted hops (`TrustedProxies.clientOf`).
   */
  clientOf(request: RequestFacts): string;
}

export interface ListenerOptions {
  /** The address the listener is bound to. */
  host: string;
  /** Extra names browsers may use (WEFT_PUBLIC_NAMES). */
  publicNames?: readonly string[];
  /**
   * `api`: writes must be `application/json`, and no-token mode ends once an API token exists;
   * `collector`: OTLP types are the collector's to check, and no-token mode ends once an ingest token exists.
   */
  kind: 'api' | 'collector';
  /**
   * Reverse proxies (addresses, CIDR ranges; WEFT_TRUSTED_PROXIES) whose `X-Forwarded-For` / `Forwarded` name the
   * client. Empty (the default): the connection's address is the client whatever a request's headers say.
   */
  trustedProxies?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Headers a reverse proxy adds (RFC 7239 `Forwarded`, and the de-facto X-Forwarded-* and X-Real-IP), lower case. */
const PROXY_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'] as const;
const header = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);

/** How many Authorization header lines a request carries (every place a credential is read from). */
function credentialCount(request: RequestFacts): number {
  if (!request.rawHeaders)
    return Array.isArray(request.headers.authorization) ? request.headers.authorization.length : request.headers.authorization === undefined ? 0 : 1;
  let n = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i].toLowerCase() === 'authorization') n++;
  return n;
}

/**
 * The guard for one listener. No-token mode (no token configured or stored, listener on
 * loopback, and for the API no public names): everyone is `local` with the admin role, but only
 * through loopback names, never from another site, and never through a proxy (a request carrying
 * `Forwarded`, `X-Forwarded-*` or `X-Real-IP` gets 403 WEFT_ERR_PROXIED). Off loopback, or for an API
 * with public names, without tokens every request is refused.
 */
export function listenerGuard(credentials: Credentials, listener: ListenerOptions): ListenerGuard {
  const allowed = allowedHosts(listener.host, listener.publicNames ?? []);
  const publicNames = allowed.public;
  const loopback = isLoopback(listener.host);
  const closingRoles = listener.kind === 'api' ? apiRoles : ingestRoles;
  const jsonWrites = listener.kind === 'api';
  /** Checks running now, by client and credential (as many entries as requests in flight at most). */
  const checking = new Map<string, number>();
  const proxies = new TrustedProxies(listener.trustedProxies ?? []);
  const clientOf = (request: RequestFacts) => proxies.clientOf(request.remoteAddress ?? '', request.headers);
  return {
    clientOf,
    async check(request, level, route = '') {
      if (level === undefined) return { ok: false, error: ERR_NO_ACCESS_LEVEL(`${request.method} ${route}`) };
      // Public names mean the API is reached from beyond this machine (through a proxy): never without tokens.
      const open = loopback && !(listener.kind === 'api' && publicNames.size > 0) && !(await credentials.hasTokens(closingRoles));
      const host = header(request.headers.host);
      const foreign = open || publicNames.size > 0 ? hostProblem(host, allowed, request.localPort) : undefined;
      if (foreign !== undefined) return { ok: false, error: ERR_FOREIGN_HOST(host ? host.slice(0, 100) : '(none)', foreign) };
      // A proxy on this machine forwards requests from anywhere: no-token mode does not serve what came through one.
      const proxied = open ? PROXY_HEADERS.find((h) => request.headers[h] !== undefined) : undefined;
      if (proxied !== undefined) return { ok: false, error: ERR_PROXIED(proxied, listener.kind) };
      // Two credentials: which one a proxy, a log or a second server would read differs (Node keeps the first line, others
      // the last or both joined), so none is chosen: the request is refused, whatever its level.
      const presented = credentialCount(request);
      if (presented > 1) return { ok: false, error: ERR_AMBIGUOUS_CREDENTIALS(presented) };
      const authorization = header(request.headers.authorization);
      if (level === 'public')
        return { ok: true, identity: open ? localIdentity : authorization ? ((await credentials.authenticate(authorization)) ?? null) : null };
      // Who it is and whether the role may do this come first: a viewer's write is told it needs another role, not
      // to fix a header and then be refused anyway. Nothing passes until the write's type and origin are checked too.
      // A client that sent too many wrong credentials lately is not told whether this one is right (429 until its window
      // ends); one that sends none is told it needs one (401), as before.
      const client = open || authorization === undefined ? undefined : clientOf(request);
      // Charged before the check and refunded when it passes, so checks made side by side cannot pass the limit together;
      // a credential already being checked for this client is one guess, charged once (a page's parallel requests, an
      // exporter's, wait on one first check of their token).
      const running = client === undefined ? undefined : `${client}\n${authorization}`;
      const alongside = running === undefined ? 0 : (checking.get(running) ?? 0);
      const credential = client === undefined ? '' : fastDigest(authorization ?? '');
      const { wait, charged } =
        client === undefined
          ? { wait: 0, charged: false }
          : alongside > 0
            ? { wait: credentials.authFailures.blockedFor(client), charged: false }
            : credentials.authFailures.charge(client, credential);
      if (wait > 0) return { ok: false, error: ERR_AUTH_FAILURES(wait) };
      if (running !== undefined) checking.set(running, alongside + 1);
      let identity: Identity | undefined;
      try {
        identity = open ? localIdentity : await credentials.authenticate(authorization);
      } finally {
        if (running !== undefined) {
          const left = (checking.get(running) ?? 1) - 1;
          if (left > 0) checking.set(running, left);
          else checking.delete(running);
        }
      }
      if (!identity) {
        if (client !== undefined) credentials.authFailures.failed(client, credential);
        return { ok: false, error: ERR_UNAUTHORIZED() };
      }
      if (client !== undefined && charged) credentials.authFailures.refund(client);
      if (!mayAccess(identity.role, level)) return { ok: false, error: ERR_FORBIDDEN(rolesText(level)) };
      if (jsonWrites && !SAFE_METHODS.has(request.method)) {
        const type = String(header(request.headers['content-type']) ?? '');
        if (type.split(';')[0].trim().toLowerCase() !== 'application/json') return { ok: false, error: ERR_WRITE_MEDIA_TYPE(type.slice(0, 100) || '(none)') };
      }
      const cross = crossSiteOrigin({ origin: header(request.headers.origin), host, 'sec-fetch-site': header(request.headers['sec-fetch-site']) }, publicNames);
      if (cross !== undefined) return { ok: false, error: ERR_CROSS_SITE(cross.slice(0, 100)) };
      return { ok: true, identity };
    },
  };
}
