import fastifyStatic from '@fastify/static';
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import '../access/index.ts';

export interface UiPluginOptions {
  /** The built UI's directory (the composition root passes ui/index.ts's `uiBuildDir`). */
  root: string;
}

/**
 * Whether a path names the API however it is spelled (`//api/v1/…`, `/API/V1/…`, `/%61pi/…`): such a path that
 * no route matched gets the API's 404, never the UI's page with a 200.
 */
function isApiPath(path: string): boolean {
  let p = path;
  try {
    p = decodeURIComponent(path);
  } catch {
    // Malformed percent-encoding: judged as written.
  }
  p = p.replace(/[\\/]+/g, '/').toLowerCase();
  return p === '/api' || p.startsWith('/api/');
}

/** The page served at every UI path when ui/build is missing: says how to build it. */
export function notBuiltPage(root: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weft: UI not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;line-height:1.5">
<h1>The Weft UI is not built</h1>
<p>No <code>index.html</code> in <code>${root}</code>. Build it with <code>npm run build:ui</code> (<code>npm install</code> does it too), then reload this page.</p>
<p>The API works without it: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> describes every route.</p>
</body></html>`;
}

/** A file of the build for this URL path, relative to root; undefined when there is none (or it escapes root). */
function fileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const full = resolve(root, `.${decoded}`);
  if (!full.startsWith(root + sep)) return undefined;
  try {
    return statSync(full).isFile() ? full.slice(root.length + 1) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the built UI at `/`: its files as they are (hashed assets under /_app/immutable cached for a
 * year), and index.html for any other non-API path, so the client-side router handles deep links.
 * The files hold no data: the route is `public` (access/roles.ts); the UI asks for a token when the
 * API answers 401.
 */
export const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, options) => {
  const root = resolve(options.root);
  const built = existsSync(resolve(root, 'index.html'));
  if (!built) app.log.warn({ root }, 'the UI is not built (npm run build:ui); / explains how, the API works without it');
  else await app.register(fastifyStatic, { root, serve: false });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    if (isApiPath(path)) return reply.callNotFound();
    if (!built) return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(notBuiltPage(root));
    const file = fileFor(root, path);
    if (file) return reply.sendFile(file, root, file.startsWith(`_app${sep}immutable${sep}`) ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
    // A missing build asset is a 404, not the app shell (a stale tab asking for an old chunk must see it fail).
    if (path.startsWith('/_app/')) return reply.callNotFound();
    return reply.sendFile('index.html', root, { maxAge: 0 });
  };
  app.get('/*', { schema: { hide: true }, config: { access: 'public' } }, serve);
};
