import { BlockList, isIPv4, isIPv6, SocketAddress } from 'node:net';

/** Headers a proxy may state its client in, lower case, as Node's `IncomingMessage.headers` holds them. */
export interface ForwardingHeaders {
  forwarded?: string | string[];
  'x-forwarded-for'?: string | string[];
}

/** Hops read from the right of a forwarding header at most: when all of them are trusted, the last one read is the client. */
const MAX_HOPS = 32;

/** The IPv4-mapped IPv6 addresses (`::ffff:0:0/96`, RFC 4291 §2.5.5.2): a peer in them is its IPv4 address. */
const MAPPED = new BlockList();
MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/**
 * An address written alone (`192.0.2.7`, `2001:db8::1`), in brackets (`[2001:db8::1]`), or with a port
 * (`192.0.2.7:4711`, `[2001:db8::1]:4711`, as Azure's and RFC 7239's proxies write them), as one canonical key: every
 * spelling of one address gives the same string (rate limits and logs count a client by it).
 * - IPv4 as dotted decimal; an octet written with a leading zero (`127.0.0.01`) is no address (inet_aton reads it as
 *   octal, others as decimal: which host it names depends on the reader).
 * - An IPv4-mapped IPv6 address (`::ffff:0:0/96`, RFC 4291 §2.5.5.2) is the IPv4 address it maps, however it is written:
 *   `::ffff:192.0.2.7`, `::ffff:c000:207`, `::FFFF:C000:0207`, `0:0:0:0:0:ffff:c000:207` all give `192.0.2.7`.
 * - Any other IPv6 address as Node writes a socket's `remoteAddress` (`SocketAddress`, libuv's inet_ntop: lower case,
 *   no leading zeros, the longest run of zero groups as `::`): `2001:0DB8:0::0001` gives `2001:db8::1`. A zone (`%eth0`,
 *   `%25eth0`) is dropped. A deprecated IPv4-compatible address (`::7f00:1`, RFC 4291 §2.5.5.1) stays an IPv6 address,
 *   `::127.0.0.1` as inet_ntop writes it for both spellings: no stack gives an IPv4 peer that form, and reading it as
 *   IPv4 would make `::1` read as `0.0.0.1`.
 * Undefined for anything else (`unknown`, an obfuscated `_hidden`, a name, an empty entry).
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
  if (MAPPED.check(a, 'ipv6')) return mappedIPv4(a);
  return new SocketAddress({ address: a, family: 'ipv6' }).address;
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

/**
 * The widest range a trusted-proxy item may be: a proxy's network is a private one (`10.0.0.0/8` is the widest IPv4
 * private range, `fc00::/7` the IPv6 unique-local one). A wider range trusts most of the internet to write the address
 * a client is counted as; two halves (`0.0.0.0/1,128.0.0.0/1`) trusted every address.
 */
const WIDEST_PREFIX = { ipv4: 8, ipv6: 7 } as const;

/**
 * One trusted-proxy item as a subnet for `BlockList`. An IPv6 range inside `::ffff:0:0/96` is the IPv4 range it maps
 * (`::ffff:10.0.0.0/104` is `10.0.0.0/8`), as its peers are matched as IPv4 (`addressOf`); a wider IPv6 range holding
 * that block would trust every IPv4 peer. Throws an Error naming the item when it is not an address or a CIDR range,
 * when its prefix length is out of range, or when it is wider than WIDEST_PREFIX.
 */
function parseTrustedProxy(item: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const slash = item.indexOf('/');
  const host = slash < 0 ? item : item.slice(0, slash);
  const bad = (why: string) => new Error(`"${item.slice(0, 100)}" ${why}`);
  if (!isIPv4(host) && !(isIPv6(host) && !host.includes('%'))) throw bad('is not an IP address or a CIDR range');
  const written = isIPv4(host) ? 'ipv4' : 'ipv6';
  const max = written === 'ipv4' ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : item.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > max) throw bad(`has a prefix length that is not 0 to ${max}`);
  let prefix = Number(prefixText);
  const everyAddress = 'trusts every address: any client could then write the address it is counted as';
  if (prefix === 0) throw bad(everyAddress);
  let network = host.toLowerCase();
  let family: 'ipv4' | 'ipv6' = written;
  if (written === 'ipv6') {
    if (prefix >= 96 && MAPPED.check(network, 'ipv6')) {
      network = mappedIPv4(network);
      prefix -= 96;
      family = 'ipv4';
    } else if (rangeHolds(network, prefix, '::ffff:0:0')) {
      throw bad('holds every IPv4 address (as ::ffff:0:0/96, IPv4-mapped): any client could then write the address it is counted as');
    }
  }
  if (prefix === 0) throw bad(everyAddress);
  if (prefix < WIDEST_PREFIX[family])
    throw bad(
      `is wider than a proxy's network (/${WIDEST_PREFIX[family]} at most for ${family === 'ipv4' ? 'IPv4' : 'IPv6'}): list the proxies' own addresses or range`,
    );
  return { network, prefix, family };
}

/** Whether the IPv6 range `network/prefix` holds `address`. */
function rangeHolds(network: string, prefix: number, address: string): boolean {
  const range = new BlockList();
  range.addSubnet(network, prefix, 'ipv6');
  return range.check(address, 'ipv6');
}

/** The IPv4 address an IPv4-mapped IPv6 address stands for, however it is written (`::ffff:10.0.0.1`, `::ffff:a00:1`). */
function mappedIPv4(address: string): string {
  // The URL standard writes an IPv6 host canonically, its last 32 bits as two hex pieces: `[::ffff:a00:1]`.
  const pieces = new URL(`http://[${address}]/`).hostname.slice(1, -1).split(':');
  const [x, y] = pieces.slice(-2).map((h) => parseInt(h || '0', 16));
  return `${x >> 8}.${x & 255}.${y >> 8}.${y & 255}`;
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
