import { asciiLower, trimSpaces, validUtf8 } from './byte-text.ts';
import { A, type SpanRecord } from './span-record.ts';
import { extract } from './sql-direction.ts';

/**
 * Where a span went, as migration 033 reads it: the URL split as RFC 3986 does, the host and
 * port from the URL or the span's server/peer attributes, and the endpoint's host text (lower
 * case, no trailing dot, IPv6 in brackets, `:port` unless it is the default). Byte strings in
 * and out (byte-text.ts); the regular expressions run on valid UTF-8, as in SQL.
 */

const URL_PARTS = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)/;
const USERINFO = /^.*@/s;
const BRACKETED = /^\[([^\]]*)\]/;
const UNBRACKETED = /^([^:]*)/;
const URL_PORT = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/;
const HOST_HEADER_HOST = /^(\[[^\]]*\]|[^:]*)/;
const HOST_HEADER_PORT = /:(\d+)$/;
const TARGET_PATH = /^([^?#]*)/;
const HOST_EDGES = /^\[|\]$|(?<!\.)\.+$/g;
const DIGITS = /^[0-9]+$/;

/** A URL's scheme, host, port and path (`url_parts`, `url_host`, `url_port`); `url` is valid UTF-8. */
export interface UrlSplit {
  scheme: string;
  host: string;
  port: string;
  path: string;
}

const NO_URL: UrlSplit = { scheme: '', host: '', port: '', path: '' };

export function splitUrl(url: string): UrlSplit {
  if (url === '') return NO_URL;
  const m = URL_PARTS.exec(url);
  const hostport = (m?.[2] ?? '').replace(USERINFO, '');
  return {
    scheme: m?.[1] ?? '',
    host: hostport.startsWith('[') ? extract(hostport, BRACKETED) : extract(hostport, UNBRACKETED),
    port: extract(hostport, URL_PORT),
    path: m?.[3] ?? '',
  };
}

/**
 * `url_path`: the first two segments of the URL's path (else url.path, else http.target's path, else url.template's:
 * a client that names only the route, `/api/orders/{id}`, and server.address), each run of slashes taken as one first,
 * as servers route them (migration 110): `//api/invoices/42` is `/api/invoices`, not `//api`, which a urlPrefixes rule
 * for `/api/invoices/` never matched.
 */
export function endpointPath(urlPath: string, attrPath: string, target: string, template: string): string {
  const path = requestPath(urlPath, attrPath, target, template);
  return path === ''
    ? ''
    : validUtf8(
        path
          .replace(/\/{2,}/g, '/')
          .split('/', 3)
          .join('/'),
      );
}

/** `path_any`: the whole path of the request, from the first of the URL, url.path, http.target and url.template that has one. */
export function requestPath(urlPath: string, attrPath: string, target: string, template: string): string {
  const targetPath = urlPath !== '' || attrPath !== '' ? '' : extract(validUtf8(target), TARGET_PATH);
  return urlPath !== '' ? urlPath : attrPath !== '' ? attrPath : targetPath !== '' ? targetPath : extract(validUtf8(template), TARGET_PATH);
}

/** A value that starts as a URL does (`scheme://`): a host attribute given a whole URL. */
const URL_START = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/**
 * A gRPC channel's target (grpc/grpc doc/naming.md) as otelgrpc's interceptors put it in server.address when it is no
 * `host:port`: `dns:///crm.internal:50051`, `dns://8.8.8.8/crm.internal:50051` (the authority is the DNS server),
 * `dns:crm.internal:50051`, `passthrough:///…`, `xds:///…`; its first group the endpoint (`host[:port]`). A Unix socket's,
 * `unix:///run/crm.sock` or `unix:/run/crm.sock`: its second group the socket's path.
 */
const GRPC_TARGET = /^(?:(?:dns|passthrough|xds):(?:\/\/[^/]*\/)?([^\n]+)|unix:(?:\/\/)?(\/[^\n]*))$/i;

/**
 * A SQL Server data source (`[protocol:]server[\instance][,port]`, as a connection string's `Data Source` or `Server`
 * names it): a `tcp:` or `admin:` (the dedicated administrator connection) protocol, a named instance after `\` or a
 * port after `,` (`DATA_SOURCE_FORM`); its first group the server, its second the port; read with the spaces and tabs
 * after it taken off first (the server's words are spelled out: a lazy server before optional spaces took the square of
 * a value's length). A named pipe's
 * (`np:\\sql01\pipe\MSSQL$INST1\sql\query`) server is `NAMED_PIPE`'s group.
 */
const DATA_SOURCE = /^(?:(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]):)?([\t ]*[^\\,:/\t ]+(?:[\t ]+[^\\,:/\t ]+)*)[\t ]*(?:\\[^\\,]*)?(?:,[\t ]*([0-9]+))?$/;
const NAMED_PIPE = /^[Nn][Pp]:\\\\([^\\]+)\\[^\n]*$/;
const DATA_SOURCE_FORM = /^(?:[Tt][Cc][Pp]|[Aa][Dd][Mm][Ii][Nn]|[Nn][Pp]):|[\\,]/;

/**
 * The server and port of a SQL Server data source given as a span's host (`tcp:sql01,1433`, `sql01\INST1`,
 * `sql01\INST1,1433`, `np:\\sql01\pipe\sql\query`: OpenTelemetry.Instrumentation.EntityFrameworkCore puts the
 * connection's DataSource in server.address as it is) — migration 128; undefined for any other value. A named instance is
 * no part of the host: the catalog matches a database by its name whatever instance qualifies it (endpoint-match.ts).
 */
function dataSource(value: string): { host: string; port: string } | undefined {
  if (!DATA_SOURCE_FORM.test(value)) return undefined;
  const pipe = NAMED_PIPE.exec(value);
  if (pipe) return { host: pipe[1], port: '' };
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  const m = DATA_SOURCE.exec(value.slice(0, end));
  return m ? { host: m[1], port: m[2] ?? '' } : undefined;
}

/**
 * `peer`: the remote service a span names, as valid UTF-8: `peer.service`, else its later names in the semantic
 * conventions, `service.peer.name`, else `server.service.name` (which 1.45 names in place of both on a client's span)
 * (migration 139).
 */
export function peerService(s: SpanRecord): string {
  return validUtf8(first(s.attr(A['peer.service']), first(s.attr(A['service.peer.name']), s.attr(A['server.service.name']))));
}

/**
 * `host_any` and `port_any`: from the URL when it has a host, else the first of the span's host/port attributes that is
 * set. A `server.address` or `net.peer.name` given a whole URL (otelaws puts an SQS queue's URL there, semconv 1.21 and
 * 1.36: `https://sqs.eu-west-1.amazonaws.com/123456789012/orders`) is its host, and its port when no port attribute
 * names one (migration 126): the URL was shown as the host, `[https://sqs.…/orders]`, which no hosts rule matched. A gRPC
 * channel's target given there (`dns:///crm.internal:50051`) is its endpoint's host and port (`GRPC_TARGET`); a SQL Server
 * data source (`tcp:sql01,1433`, `sql01\INST1`), on a span of `dbSys` `mssql`, its server and port, and so is one given
 * as peer.service when no host attribute is set (128).
 */
export function hostAndPort(url: UrlSplit, s: SpanRecord, dbSys: string): { host: string; port: string } {
  if (url.host !== '') return { host: url.host, port: url.port };
  const httpHost = validUtf8(s.attr(A['http.host']));
  let host = first(s.attr(A['server.address']), s.attr(A['net.peer.name']));
  let addressPort = '';
  const target = GRPC_TARGET.exec(validUtf8(host));
  // Older versions of EF Core's instrumentation put the DataSource in peer.service, with no host attribute.
  const source = target || dbSys !== 'mssql' ? undefined : dataSource(validUtf8(host !== '' ? host : peerService(s)));
  if (target) host = target[1] ?? target[2];
  else if (source) ({ host, port: addressPort } = source);
  else if (URL_START.test(host)) {
    const inner = splitUrl(validUtf8(host));
    host = inner.host;
    addressPort = inner.port;
  }
  if (host === '') host = httpHost !== '' ? extract(httpHost, HOST_HEADER_HOST) : first(s.attr(A['network.peer.address']), s.attr(A['net.peer.ip']));
  let port = s.attr(A['server.port']);
  if (port === '') port = s.attr(A['net.peer.port']);
  if (port === '') port = addressPort;
  if (port === '') port = httpHost !== '' ? extract(httpHost, HOST_HEADER_PORT) : s.attr(A['network.peer.port']);
  return withoutPort(validUtf8(host), validUtf8(port));
}

const BRACKETED_HOST = /^\[[^\]]*\](?::\d+)?$/;
const HOST_COLON_PORT = /^[^:]*:\d+$/;
const EMBEDDED_PORT = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/;

/**
 * A host attribute that carries its port (`erp-db.internal:5433`, `[2001:db8::9]:8443`; one colon is never an IPv6
 * address) as host and port, the port attribute first: read whole, it was taken for an IPv6 address and shown as
 * `[erp-db.internal:5433]`, which no rule matched.
 */
function withoutPort(host: string, port: string): { host: string; port: string } {
  const bracketed = BRACKETED_HOST.test(host);
  if (host.startsWith('/') || (!bracketed && !HOST_COLON_PORT.test(host))) return { host, port };
  return { host: extract(host, bracketed ? BRACKETED : UNBRACKETED), port: port !== '' ? port : extract(host, EMBEDDED_PORT) };
}

function first(a: string, b: string): string {
  return a !== '' ? a : b;
}

/** `host_v`: a socket path as it is; otherwise trimmed, a leading `[` and a trailing `]` (both: `[::1]`) or dots dropped, lower case. */
export function hostValue(host: string): string {
  if (host.startsWith('/')) return host;
  return asciiLower(trimSpaces(host).replace(HOST_EDGES, ''));
}

/** `ep_host_v`: the host (IPv6 in brackets) and `:port` unless the port is 0, not a number or the default. */
export function endpointHost(host: string, port: string, defaultPort: string): string {
  const shown = host.includes(':') && !host.startsWith('/') ? `[${host}]` : host;
  if (host === '' || !DIGITS.test(port)) return shown;
  const n = uint32OrZero(port);
  return n !== 0 && String(n) !== defaultPort ? `${shown}:${n}` : shown;
}

/** ClickHouse `toUInt32OrZero` of a string of ASCII digits: 0 when it does not fit. */
function uint32OrZero(digits: string): number {
  const n = Number(digits);
  return n <= 4294967295 ? n : 0;
}
