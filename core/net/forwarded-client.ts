import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Headers a proxy may state its client in, lower case, as Node's `IncomingMessage.headers` holds them. */
export interface ForwardingHeaders {
  forwarded?: string | string[];
  'x-forwarded-for'?: string | string[];
}

/** Hops read from the right of a forwarding header at most: when all of them are trusted, the last one read is the client. */
const MAX_HOPS = 32;

/**
 * An address written alone (`192.0.2.7`, `2001:db8::1`), in brackets (`[2001:db8::1]`), or with a port
 * (`192.0.2.7:4711`, `[2001:db8::1]:4711`, as Azure's and RFC 7239's proxies write them); an IPv6 zone (`%eth0`) is
 * dropped, an IPv4-mapped IPv6 address (`::ffff:192.0.2.7`) is its IPv4 address. Undefined for anything else
 * (`unknown`, an obfuscated `_hidden`, a name, an empty entry).
 */
export function addressOf(text: string): string | undefined {
  let a = text.trim();
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    if (end < 0) return undefined;
    const rest = a.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    a = a.slice(1, end);
  } else if (a.indexOf(':') > 0 && a.indexOf(':') === a.lastIndexOf(':')) {
    // One colon: IPv4 with a port (an IPv6 address has at least two).
    const [host, port] = a.split(':');
    if (!/^\d{1,5}$/.test(port) || !isIPv4(host)) return undefined;
    a = host;
  }
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return undefined;
  a = a.toLowerCase();
  const mapped = a.startsWith('::ffff:') ? a.slice(7) : undefined;
  return mapped !== undefined && isIPv4(mapped) ? mapped : a;
}

/** One RFC 7239 `Forwarded` element's `for` value, unquoted, or undefined when the element has none. */
function forOf(element: string): string | undefined {
  for (const pair of splitOutsideQuotes(element, ';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    const value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
    return value;
  }
  return undefined;
}

/** `text` split at `separator` where it is not inside a quoted string (RFC 7230 quoted-string, `\` escapes), in one pass. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

const joined = (h: string | string[] | undefined): string | undefined => (Array.isArray(h) ? h.join(', ') : h);

/**
 * The hops a request's proxies recorded, nearest last, as entries and how to read one (an address, or undefined where
 * the entry is not one; read only for the hops walked). `X-Forwarded-For` when the request carries it (what nginx,
 * HAProxy, Envoy, Caddy, Traefik and cloud balancers append), else the `for` of each RFC 7239 `Forwarded` element;
 * undefined when it carries neither. A proxy that writes only `Forwarded` must drop a client's `X-Forwarded-For`, or
 * the client chooses what is read.
 */
function hopsOf(headers: ForwardingHeaders): { entries: string[]; read: (entry: string) => string | undefined } | undefined {
  const xff = joined(headers['x-forwarded-for']);
  if (xff !== undefined) return { entries: xff.split(','), read: addressOf };
  const forwarded = joined(headers.forwarded);
  if (forwarded === undefined) return undefined;
  return {
    entries: splitOutsideQuotes(forwarded, ','),
    read: (element) => {
      const value = forOf(element);
      return value === undefined ? undefined : addressOf(value);
    },
  };
}

/**
 * The reverse proxies whose forwarding headers Weft believes (`trustedProxies`, WEFT_TRUSTED_PROXIES): addresses and
 * CIDR ranges, IPv4 and IPv6 (an IPv4-mapped peer is matched as its IPv4 address). Built from items `parseTrustedProxies`
 * accepted.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(items: readonly string[]) {
    for (const item of items) {
      const { network, prefix, family } = parseTrustedProxy(item);
      this.list.addSubnet(network, prefix, family);
    }
    this.size = items.length;
  }

  /** Whether `address` (as `addressOf` gives it) is one of the trusted proxies. */
  trusts(address: string): boolean {
    if (this.size === 0) return false;
    return this.list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  }

  /**
   * The client of a request that arrived from `peer` (the socket's remote address): the peer itself unless it is a
   * trusted proxy; then its forwarding header (`X-Forwarded-For`, else `Forwarded`) is read from the right, skipping
   * trusted hops, and the first hop that is not trusted is the client. An entry that is not an address (`unknown`,
   * `_hidden`, garbage) ends the walk: the hop that wrote it (the last trusted one) is the client, since nothing to its
   * left was written by a proxy Weft trusts. Every hop trusted: the leftmost. At most 32 hops are read.
   * The answer is an address as `addressOf` writes it (IPv4-mapped as IPv4, no zone), or `peer` as given when it is not one.
   */
  clientOf(peer: string, headers: ForwardingHeaders): string {
    let client = addressOf(peer);
    if (client === undefined) return peer;
    if (!this.trusts(client)) return client;
    const hops = hopsOf(headers);
    if (hops === undefined) return client;
    for (let i = hops.entries.length - 1, read = 0; i >= 0 && read < MAX_HOPS; i--, read++) {
      const hop = hops.read(hops.entries[i]);
      if (hop === undefined) return client;
      client = hop;
      if (!this.trusts(hop)) return hop;
    }
    return client;
  }
}

/** One trusted-proxy item as a subnet for `BlockList`. Throws an Error naming the item when it is not an address or a CIDR range. */
function parseTrustedProxy(item: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const slash = item.indexOf('/');
  const host = slash < 0 ? item : item.slice(0, slash);
  const bad = (why: string) => new Error(`"${item.slice(0, 100)}" ${why}`);
  const address = isIPv4(host) || (isIPv6(host) && !host.includes('%')) ? addressOf(host) : undefined;
  if (address === undefined) throw bad('is not an IP address or a CIDR range');
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  const max = family === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : item.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) throw bad(`has a prefix length that is not 0 to ${max}`);
  const prefix = Number(prefixText);
  if (prefix === 0) throw bad('trusts every address: any client could then write the address it is counted as');
  return { network: address, prefix, family };
}

/**
 * Checks trusted-proxy items (addresses or CIDR ranges: `127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`): returns them
 * trimmed, or throws an Error whose message names the item and what is wrong with it (not an address, a prefix
 * length out of range, a range of every address).
 */
export function parseTrustedProxies(items: readonly string[]): string[] {
  const trimmed = items.map((i) => i.trim());
  for (const item of trimmed) parseTrustedProxy(item);
  return trimmed;
}
