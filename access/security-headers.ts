import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

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
 * The headers every response of the API and UI carries: a CSP that allows only Weft's own
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

/** Adds the security headers to every response of `app` (404s and errors included). */
export function installSecurityHeaders(app: FastifyInstance, headers: Record<string, string> | (() => Record<string, string>)): void {
  const current = typeof headers === 'function' ? headers : () => headers;
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [k, v] of Object.entries(current())) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
}
