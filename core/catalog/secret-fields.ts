/**
 * Which catalog fields hold credentials, so that validation refuses literal secrets (they must be
 * `env:NAME` references) and the API shows the catalog without them (`redactCatalog`).
 */
import type { Catalog } from './types.ts';

/** Header names that carry credentials: authorization, cookie, x-api-key, anything with token, secret, password… */
export const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|passw|api[-_]?key|access[-_]?key|auth|session|signature|credential/i;
/** Query parameter names that carry credentials: ?token=, ?api_key=, ?key=, ?sig=, ?client_secret=… */
export const SECRET_PARAM = /^(key|sig|code|pwd)$|token|secret|passw|api[-_]?key|access[-_]?key|auth|signature|credential|session/i;
/** A credential header's value: `env:NAME`, or one scheme word then the reference (`Bearer env:NAME`). */
const SECRET_HEADER_VALUE = /^(?:[A-Za-z][A-Za-z0-9._-]*\s+)?env:[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_VALUE = /^env:[A-Za-z_][A-Za-z0-9_]*$/;

/** A problem when a connection URL carries a password in its user-info; undefined otherwise. */
export function urlPasswordProblem(url: string): string | undefined {
  if (url.startsWith('env:')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The schema's pattern reports malformed URLs; a user-info with a colon is still refused.
    return /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:[^/@]*@/i.test(url) ? 'the url must not carry a password: use password: env:NAME' : undefined;
  }
  return parsed.password ? 'the url must not carry a password: use password: env:NAME' : undefined;
}

/**
 * Literal credentials in an HTTP call the catalog describes (an http probe, a receiver, a remediation's request): a
 * password in the URL, a secret query parameter, a credential header that is not a reference. A URL given as
 * `env:NAME`, or none, has nothing to check. `passwordField`: the call has a `password` field sent as basic
 * auth (http probes), else (receivers, remediations) the advice is an authorization header.
 */
export function httpCredentialProblems(
  p: { url?: string; headers?: Record<string, string> },
  o: { passwordField: boolean },
): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const pw = p.url === undefined ? undefined : urlPasswordProblem(p.url);
  if (pw)
    out.push({
      field: 'url',
      message: o.passwordField
        ? 'the url must not carry a password: give the user in the url and password: env:NAME (sent as basic auth)'
        : 'the url must not carry a user and password: send them as a header instead, headers: { authorization: "Basic env:NAME" } (NAME holding base64 of user:password)',
    });
  try {
    for (const [name, value] of new URL(p.url ?? '').searchParams) {
      if (SECRET_PARAM.test(name) && !ENV_VALUE.test(value)) {
        out.push({ field: 'url', message: `query parameter "${name}" looks like a credential: write it as ${name}=env:NAME, never the value itself` });
      }
    }
  } catch {
    // malformed URLs are the schema's to report
  }
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    if (SECRET_HEADER.test(name) && !SECRET_HEADER_VALUE.test(value.trim())) {
      out.push({
        field: `headers.${name}`,
        message: `header "${name}" carries a credential: write it as "env:NAME" or "Bearer env:NAME", never the value itself`,
      });
    }
  }
  return out;
}

const MASK = '***';

/** A URL with any password and secret query values replaced by ***; references (env:NAME) are kept. */
export function redactUrl(url: string): string {
  if (url.startsWith('env:')) return url;
  try {
    const u = new URL(url);
    let changed = false;
    if (u.password) {
      u.password = MASK;
      changed = true;
    }
    for (const [name, value] of [...u.searchParams]) {
      if (SECRET_PARAM.test(name) && !ENV_VALUE.test(value)) {
        u.searchParams.set(name, MASK);
        changed = true;
      }
    }
    return changed ? u.toString() : url;
  } catch {
    return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, `$1${MASK}@`);
  }
}

function redactConnection<T extends { url?: string; dsn?: string; password?: string; token?: string }>(c: T): T {
  const out: T = { ...c };
  if (out.url !== undefined) out.url = redactUrl(out.url);
  for (const f of ['dsn', 'password', 'token'] as const) {
    const v = out[f];
    if (typeof v === 'string' && !ENV_VALUE.test(v)) (out as Record<string, unknown>)[f] = MASK;
  }
  return out;
}

/** Headers with the values of credential headers that are not references masked (a null-prototype copy). */
function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) out[name] = SECRET_HEADER.test(name) && !SECRET_HEADER_VALUE.test(value.trim()) ? MASK : value;
  return out;
}

/** A receiver's or remediation's URL and headers with literal credentials masked; `wholeUrl`: the URL is itself one (Slack). */
function redactHttp<T extends { url?: string; headers?: Record<string, string> }>(x: T, wholeUrl = false): T {
  const out: T = { ...x };
  if (typeof out.url === 'string') out.url = wholeUrl && !out.url.startsWith('env:') ? MASK : redactUrl(out.url);
  if (out.headers) out.headers = redactHeaders(out.headers);
  return out;
}

/**
 * The catalog as viewers may see it: `env:NAME` references stay (they are names, not values);
 * anything that would be a literal credential (a URL password, a secret query value, a credential
 * header, a dsn, password or token that is not a reference, in probes, reconciliations, receivers — a literal
 * Slack webhook URL whole — and remediations) is replaced by ***. Validation already
 * refuses such literals; this view holds even for a catalog loaded before that rule.
 */
export function redactCatalog(c: Catalog): Catalog {
  return {
    ...c,
    probes: c.probes.map((p) => {
      const out = redactConnection(p as typeof p & { url?: string; dsn?: string; password?: string; token?: string }) as typeof p;
      if (out.kind === 'http' && out.headers) out.headers = redactHeaders(out.headers);
      if (out.kind === 'nats-consumer') out.servers = Array.isArray(out.servers) ? out.servers.map(redactUrl) : redactUrl(out.servers);
      return out;
    }),
    reconciliations: c.reconciliations.map((r) => ({ ...r, left: redactConnection(r.left), right: redactConnection(r.right) })),
    receivers: c.receivers.map((r) => redactHttp(r, r.type === 'slack')),
    remediations: c.remediations.map((r) => (r.request ? { ...r, request: redactHttp(r.request) } : r)),
    systems: c.systems.map((s) =>
      s.match?.databases ? { ...s, match: { ...s.match, databases: s.match.databases.map((d) => (typeof d === 'string' ? redactUrl(d) : d)) } } : s,
    ),
  };
}
