import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * SHA-256 sources ('sha256-…') of the inline <script> elements of a page, for its CSP: the
 * SvelteKit static build starts the app from one inline script in index.html, and no other
 * inline script may run.
 */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/.test(m[1] ?? '')) continue;
    out.push(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return out;
}

/**
 * The headers every response of every listener carries (the API and UI, the collector): a CSP that allows only Weft's own
 * scripts (plus the hashed inline bootstrap), no framing (clickjacking), no MIME sniffing, no
 * referrer. Styles may be inline: Svelte and ECharts set style attributes.
 */
export function securityHeaders(scriptHashes: readonly string[]): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self'${scriptHashes.length ? ` ${scriptHashes.join(' ')}` : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** How `installSecurityHeaders` decides what else an answer says besides the headers themselves. */
export interface SecurityHeaderOptions {
  /**
   * True for a request whose answer must not be kept by a browser or a proxy (`Cache-Control: no-store`, unless the
   * route set its own): what a token read, and every refusal and error of such a route. Default: every answer.
   */
  noStore?: (request: FastifyRequest) => boolean;
}

/**
 * The one owner of the headers every answer of every Weft listener carries (the API and UI, the collector's OTLP
 * receiver): `headers` (a function is read per answer, for hashes that change with a rebuilt UI), and
 * `Cache-Control: no-store` where `options.noStore` says so. 404s, refusals and errors included; a header the route
 * set itself is kept. Call before registering routes.
 */
export function installSecurityHeaders(
  app: FastifyInstance,
  headers: Record<string, string> | (() => Record<string, string>),
  options: SecurityHeaderOptions = {},
): void {
  const current = typeof headers === 'function' ? headers : () => headers;
  const noStore = options.noStore ?? (() => true);
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [k, v] of Object.entries(current())) if (!reply.hasHeader(k)) reply.header(k, v);
    if (!reply.hasHeader('cache-control') && noStore(request)) reply.header('cache-control', 'no-store');
    return payload;
  });
}

/** What Node refuses before a request reaches the app, and what the answer says. */
const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'WEFT_ERR_HEADERS_TOO_LARGE',
    message: "The request's headers are larger than this listener takes (16 KiB in all): send fewer or shorter headers.",
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'WEFT_ERR_TIMEOUT', message: 'The request took too long to arrive: send it again, whole.' },
};

/**
 * Fastify's `clientErrorHandler` for every listener: the answer Node gives a request it cannot parse (headers over the
 * size limit, a malformed request line, headers too slow) carries the same security headers and `no-store` as every
 * other answer (fastify's own wrote Content-Type and Content-Length only), then the connection closes.
 */
export function clientErrorAnswer(headers: Record<string, string> | (() => Record<string, string>)) {
  const current = typeof headers === 'function' ? headers : () => headers;
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const known = Object.hasOwn(CLIENT_ERRORS, err.code ?? '') ? CLIENT_ERRORS[err.code!] : undefined;
    const { status, code, message } = known ?? { status: 400, code: 'WEFT_ERR_BAD_REQUEST', message: 'The request is not valid HTTP/1.1.' };
    const body = JSON.stringify({ statusCode: status, code, error: STATUS_CODES[status], message });
    const lines = Object.entries({
      ...current(),
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    }).map(([k, v]) => `${k}: ${v}`);
    if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
    socket.destroy(err);
  };
}
