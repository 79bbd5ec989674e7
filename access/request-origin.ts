/**
 * Where a request says it goes (Host) and comes from (Origin, Sec-Fetch-Site): the checks that
 * keep a web page from driving Weft through the visitor's browser (DNS rebinding, cross-site
 * requests). Pure functions over header values; Host and Origin are read with the WHATWG URL
 * parser (`parseAuthority`), never by splitting or prefix-matching text.
 */
import { isIPv4 } from 'node:net';
import { parseAuthority, type Authority } from '../core/net/authority.ts';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The names and ports a listener answers to. */
export interface AllowedHosts {
  /**
   * Loopback names and the bound address (parsed hosts), answered on any port: the port a client
   * writes is the one it connected to, which a port mapping (`docker run -p 8080:3000`) or an SSH
   * tunnel (`ssh -L 9000:localhost:3000`) changes; DNS rebinding needs a foreign name, not a port.
   */
  local: ReadonlySet<string>;
  /**
   * Public names (WEFT_PUBLIC_NAMES), parsed host → the ports allowed ('' for none or 80), or
   * `'any'` for a name configured without a port: a proxy in front of Weft decides that port.
   */
  public: ReadonlyMap<string, ReadonlySet<string> | 'any'>;
}

/** The host of an address or a configured name (`::1` and `[::1]` alike); undefined when it is no host. */
function hostOf(name: string): string | undefined {
  const n = name.trim();
  return parseAuthority(n.includes(':') && !n.startsWith('[') && n.indexOf(':') !== n.lastIndexOf(':') ? `[${n}]` : n)?.host;
}

/**
 * What a listener bound to `boundHost` answers to: loopback names and the bound address (unless a
 * wildcard) on any port, and the configured public names (`weft.internal` on any port,
 * `weft.internal:8443` on that one). A public name that is no host[:port] is left out (the
 * configuration refuses it before: core/config).
 */
export function allowedHosts(boundHost: string, publicNames: readonly string[]): AllowedHosts {
  const local = new Set<string>(LOOPBACK_NAMES);
  const bound = hostOf(boundHost);
  if (bound && bound !== '0.0.0.0' && bound !== '[::]') local.add(bound);
  const pub = new Map<string, Set<string> | 'any'>();
  for (const n of publicNames) {
    const a = parseAuthority(n.trim());
    if (!a) continue;
    const seen = pub.get(a.host);
    if (!a.portGiven || seen === 'any') pub.set(a.host, 'any');
    else pub.set(a.host, new Set([...(seen ?? []), a.port]));
  }
  return { local, public: pub };
}

/** True for 127.0.0.0/8 written as WHATWG writes an IPv4 address. */
const isLoopbackIPv4 = (host: string) => isIPv4(host) && host.split('.')[0] === '127';

const portText = (a: Authority) => a.port || '80';

/**
 * Why a listener does not answer to this Host header, or undefined when it does. The host must be
 * one of `allowed`'s names: a local name on any port, a public name on a port it was configured with
 * (any when configured without one). `localPort` (the socket's, when the request came on one) only
 * fills the example in a reason. Each reason says what to send instead.
 */
export function hostProblem(value: string | undefined, allowed: AllowedHosts, localPort?: number): string | undefined {
  if (value === undefined || value.trim() === '')
    return `the request has no Host header; send the address Weft listens on, e.g. Host: 127.0.0.1:${localPort ?? 3000}`;
  const a = parseAuthority(value.trim());
  if (!a) return 'it is not a host name with an optional port (host or host:port, an IPv6 address in brackets); send the address Weft listens on';
  if (allowed.local.has(a.host) || isLoopbackIPv4(a.host)) return undefined;
  const ports = allowed.public.get(a.host);
  if (ports === 'any' || ports?.has(a.port)) return undefined;
  if (!ports) return 'use the address it listens on, or add the name to WEFT_PUBLIC_NAMES (--public-name)';
  const answered = [...ports].map((p) => p || '80');
  return (
    `${a.host} is answered on port ${answered.join(' or ')} here, not ${portText(a)}: send that port, ` +
    `or add "${a.host}:${portText(a)}" (or "${a.host}" for any port) to WEFT_PUBLIC_NAMES (--public-name) for a proxy that sends it`
  );
}

/**
 * The origin (or the Sec-Fetch-Site value) when a browser says the request comes from another site than the one it
 * is sent to, or from an opaque origin ("null"); undefined when same-origin, from a public name (`publicNames`,
 * as `allowedHosts` reads them), or not a browser.
 */
export function crossSiteOrigin(
  headers: { origin?: string; host?: string; 'sec-fetch-site'?: string },
  publicNames: AllowedHosts['public'],
): string | undefined {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return headers.origin ?? site;
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  if (origin === 'null') return 'null';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return origin;
  }
  const from = parseAuthority(url.host);
  if (!from || (url.protocol !== 'http:' && url.protocol !== 'https:')) return origin;
  // A proxy's public name may change scheme and port (on the port it was given with, if any); loopback
  // names do not count here (another site on localhost:8080 is another origin).
  const ports = publicNames.get(from.host);
  if (ports === 'any' || ports?.has(url.port || (url.protocol === 'https:' ? '443' : ''))) return undefined;
  // Same origin as the Host the browser sent to; ports as written (none for the scheme's default,
  // so a TLS proxy that passes `Host: name` on for `https://name` is the same origin).
  const to = headers.host === undefined ? undefined : parseAuthority(headers.host.trim());
  if (to && to.host === from.host && to.port === url.port) return undefined;
  return origin;
}
