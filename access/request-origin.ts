/**
 * Where a request says it goes (Host) and comes from (Origin, Sec-Fetch-Site): the checks that
 * keep a web page from driving Weft through the visitor's browser (DNS rebinding, cross-site
 * requests). Pure functions over header values.
 */

/** The host name of a Host header or an origin's authority, lower case, without port or brackets; '' when unparsable. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    return end > 0 ? a.slice(1, end) : '';
  }
  const colon = a.indexOf(':');
  return colon >= 0 ? a.slice(0, colon) : a;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The names a listener answers to: loopback names, the bound address (unless a wildcard) and the configured public names. */
export function allowedHostNames(boundHost: string, publicNames: readonly string[]): Set<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  const bound = hostName(boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost);
  if (bound && bound !== '0.0.0.0' && bound !== '::') names.add(bound);
  for (const n of publicNames) names.add(hostName(n));
  return names;
}

/** True for a Host name this listener answers to (127.x.y.z counts as loopback). */
export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!host) return false;
  const name = hostName(host);
  return allowed.has(name) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * The origin (or the Sec-Fetch-Site value) when a browser says the request comes from another site than the one it
 * is sent to, or from an opaque origin ("null"); undefined when same-origin or not a browser.
 */
export function crossSiteOrigin(headers: { origin?: string; host?: string; 'sec-fetch-site'?: string }, publicNames: ReadonlySet<string>): string | undefined {
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
  const name = hostName(url.host);
  // A proxy's public name may change scheme and port; loopback names do not count here
  // (another site on localhost:8080 is another origin).
  if (publicNames.has(name)) return undefined;
  // Same origin as the Host the browser sent to.
  if (headers.host && url.host.toLowerCase() === headers.host.trim().toLowerCase()) return undefined;
  return origin;
}
