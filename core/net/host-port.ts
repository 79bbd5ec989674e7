/**
 * Host and port of an endpoint, spelled the way clickhouse/migrations/030_span_touches_endpoints.sql
 * writes `ep_host`: lower-case host, no trailing dot, IPv6 in brackets, ":port" only when it is not the
 * default port of the endpoint's scheme or system. Match rules are parsed into the same shape here (the analyzer's
 * resolution and the catalog's warnings about rules that can never match).
 */

import { isIPv6 } from 'node:net';
export { defaultPorts } from './default-ports.ts';
import { defaultPorts } from './default-ports.ts';
import { nameMatches } from '../text/wildcard.ts';

/** A host and its port ('' when not given); IPv6 without brackets; unix socket paths as they are. */
export interface HostPort {
  host: string;
  port: string;
}

/** Lower-cases, drops brackets and trailing dots; unix socket paths (leading "/") are left alone. */
export function normaliseHost(host: string): string {
  const h = host.trim();
  if (h.startsWith('/')) return h;
  return h
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/(?<!\.)\.+$/, '');
}

/**
 * One spelling of an IPv6 address for comparing hosts (RFC 5952: lower case, leading zeros dropped, the longest run of
 * zero groups as `::`): `2001:0DB8:0:0:0:0:0:5`, `2001:db8::0:5` and `2001:db8::5` are `2001:db8::5`; an IPv4 tail is
 * written as hex (`::ffff:127.0.0.1` is `::ffff:7f00:1`). Anything else (a name, a socket path, an address with a
 * zone, a pattern with `*`) comes back as it is. Brackets are not expected: pass `normaliseHost`'s output.
 */
export function comparableHost(host: string): string {
  if (!host.includes(':') || !isIPv6(host) || host.includes('%')) return host;
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    return host;
  }
}

/**
 * Splits "host", "host:port", "[v6]:port" or a bare IPv6 address ("::1": more than one colon and no
 * brackets means no port). Used for both stored `ep_host` values and `hosts` rules.
 */
export function splitHostPort(text: string): HostPort {
  const t = text.trim();
  if (t.startsWith('/')) return { host: t, port: '' };
  const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(t);
  if (v6) return { host: normaliseHost(v6[1]), port: v6[2] ?? '' };
  const colons = t.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = t.split(':');
    return { host: normaliseHost(host), port: /^\d+$/.test(port) ? String(Number(port)) : '' };
  }
  return { host: normaliseHost(t), port: '' };
}

/** The `ep_host` text for a host and port touched through `system` (scheme or db/messaging system). */
export function canonicalHost(host: string, port: string | number | undefined, system: string): string {
  const h = normaliseHost(host);
  if (!h) return '';
  const shown = h.includes(':') && !h.startsWith('/') ? `[${h}]` : h;
  const p = port === undefined || port === '' ? '' : String(Number(port));
  return p && p !== '0' && p !== 'NaN' && p !== defaultPorts.get(system) ? `${shown}:${p}` : shown;
}

/** The port an endpoint really used: its own, else its system's default ('' when unknown). */
export const effectivePort = (hp: HostPort, system: string): string => hp.port || defaultPorts.get(system) || '';

/**
 * The spellings of "this machine": localhost (and *.localhost), 127.0.0.0/8, ::1, the IPv4-mapped
 * ::ffff:127.x, the word `loopback` in rules, and — for databases and brokers, which drivers reach
 * through a unix socket when no host is given — a socket path such as /var/run/postgresql.
 */
export function isLoopback(host: string, allowSocketPath = false): boolean {
  const h = normaliseHost(host);
  if (h.startsWith('/')) return allowSocketPath;
  const v6 = comparableHost(h);
  return (
    v6 === '::1' ||
    /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(v6) ||
    h === 'loopback' ||
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(h) ||
    h === '::1' ||
    /^(0{1,4}:){7}0{0,3}1$/.test(h) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(h)
  );
}

/**
 * Whether a rule's host (and port, if the rule gives one) covers an endpoint's. Loopback spellings are
 * one host; a socket path, or no host at all, counts as loopback when `socketIsLoopback` (database and
 * broker endpoints, whose drivers connect to the local machine when given no host).
 */
export function hostMatches(rule: HostPort, endpoint: HostPort, system: string, socketIsLoopback: boolean): boolean {
  if (rule.port && rule.port !== effectivePort(endpoint, system)) return false;
  // A database or broker span without any host: the driver's default, the local machine.
  if (isLoopback(rule.host) && (isLoopback(endpoint.host, socketIsLoopback) || (socketIsLoopback && endpoint.host === ''))) return true;
  // An IPv6 address has many spellings (`2001:db8:0:0:0:0:0:5`, `2001:0db8::5`): compared as one.
  return nameMatches(comparableHost(endpoint.host), comparableHost(normaliseHost(rule.host)));
}

/**
 * A listening host as the authority a client on this machine writes in a URL: a wildcard bind (0.0.0.0, ::) is
 * reached on loopback, an IPv6 address in brackets (`http://:::3000` and `http://::1:3000` are no URLs).
 */
export function clientUrlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
