/**
 * `host[:port]` as a Host header (RFC 9110 §7.2) or a configured name carries it, read with the
 * WHATWG URL parser (the one browsers use to write the Host they send), never by splitting text.
 */

/** A parsed authority. */
export interface Authority {
  /**
   * The host as WHATWG URL writes it: lower case, IPv4 in dotted decimal, IPv6 in brackets
   * (`[::1]`), international names in punycode; one trailing dot of a fully qualified name
   * (`localhost.`) removed, as it names the same host.
   */
  host: string;
  /** The port as written, without leading zeros; '' when none was given or it is 80 (HTTP's default). */
  port: string;
  /** Whether a port was written (`localhost:80` yes, `localhost` no). */
  portGiven: boolean;
}

/**
 * Parses `host`, `host:port` or `[ipv6]:port`. Undefined for anything else: empty, whitespace,
 * user info (`127.0.0.1:3000@evil.example`), a path, query or fragment, a port that is not a
 * number from 0 to 65535 (`127.0.0.1:3000.evil.example`, `localhost:3000:80`), an empty port
 * (`localhost:`), an IPv6 address without brackets, percent-encoding (no browser sends it in a
 * Host: it writes the name decoded).
 */
export function parseAuthority(value: string): Authority | undefined {
  // Characters that would make the URL parser read another part of a URL than the authority.
  if (value === '' || /[\s@/\\?#%]/.test(value) || value.endsWith(':')) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
  const host = url.hostname.endsWith('.') && !url.hostname.endsWith('..') ? url.hostname.slice(0, -1) : url.hostname;
  if (host === '') return undefined;
  // WHATWG leaves out a scheme's default port: under https, an explicit :80 shows.
  const portGiven = url.port !== '' || new URL(`https://${value}`).port !== '';
  return { host, port: url.port, portGiven };
}
