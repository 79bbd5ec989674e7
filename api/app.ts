import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import {
  accessLevelOf,
  clientErrorAnswer,
  Credentials,
  inlineScriptHashes,
  installAccess,
  installSecurityHeaders,
  listenerGuard,
  securityHeaders,
} from '../access/index.ts';
import type { ApiConfig } from '../core/config/index.ts';
import type { Logger } from '../core/log/logger.ts';
import type { ApiServices } from './services.ts';
import { installErrorHandler, MAX_PATH_PARAM_LENGTH } from './error-handler.ts';
import { installBodyCheck, installQueryKeyCheck } from './query-keys.ts';
import { installValidators } from './validators.ts';
import { installJsonParser } from './json-body.ts';
import { routePlugins } from './routes/index.ts';
import { registerMetricsRoute } from './routes/metrics.ts';
import { uiPlugin } from './ui-plugin.ts';

/** Where the built UI is in a checkout, for apps built without the composition root (tests, benchmarks). */
const defaultUiRoot = fileURLToPath(new URL('../ui/build', import.meta.url));

export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ApiAppOptions {
  config: ApiConfig;
  logger: Logger;
  services: ApiServices;
  /**
   * The credential check (access/). Without it: no tokens, so no-token mode on a loopback host
   * (everyone is `local`, admin) and every request refused on any other host.
   */
  credentials?: Credentials;
  /** Names browsers may use besides the bound address (WEFT_PUBLIC_NAMES). */
  publicNames?: readonly string[];
  /** Reverse proxies whose forwarding headers name the client (WEFT_TRUSTED_PROXIES); none by default. */
  trustedProxies?: readonly string[];
  /** The built UI to serve at `/` (ui/build); without it, `/` explains how to build the UI. */
  uiRoot?: string;
  /** Deadlines of the listener (ms); `apiTimeouts` by default. */
  timeouts?: ApiTimeouts;
}

/**
 * Deadlines of the API listener (docs/security-limits.md), in milliseconds: a request's headers within
 * `headersTimeoutMs`, the whole request, body included, within `requestTimeoutMs`, or Node answers 408 and
 * closes the connection; connections are checked every `checkIntervalMs` (Node's default is 30 s, which
 * let a trickling body hold a connection a minute). Fastify turns Node's request timeout off by default.
 */
export interface ApiTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  checkIntervalMs: number;
}

/** The API's deadlines: headers 10 s, a whole request 30 s, checked every second. */
export const apiTimeouts: ApiTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, checkIntervalMs: 1000 };

/**
 * The security headers, with the CSP hashes of the built UI's inline scripts, read again whenever
 * index.html changes (a rebuild of the UI under a running Weft, e.g. by `npm install`, changes them;
 * stale hashes would block every page).
 */
function uiSecurityHeaders(root: string): () => Record<string, string> {
  const index = join(root, 'index.html');
  let seen = '';
  let headers = securityHeaders([]);
  return () => {
    const stamp = existsSync(index) ? String(statSync(index).mtimeMs) : 'none';
    if (stamp !== seen) {
      seen = stamp;
      headers = securityHeaders(stamp === 'none' ? [] : inlineScriptHashes(readFileSync(index, 'utf8')));
    }
    return headers;
  };
}

/**
 * The API as an app: every route under /api/v1, declared schemas, OpenAPI at /api/v1/openapi.json.
 * Every route declares who may call it (`config: { access }`, access/roles.ts); the access hook
 * decides on the route that matched, and refuses routes that declare nothing.
 */
export async function buildApiApp(options: ApiAppOptions): Promise<ApiApp> {
  const uiRoot = options.uiRoot ?? defaultUiRoot;
  const headers = uiSecurityHeaders(uiRoot);
  // Errors are logged by the error handler; one line per request would drown the log.
  const app = Fastify({
    // A request Node cannot parse (headers over 16 KiB) is answered with the same headers as every other.
    clientErrorHandler: clientErrorAnswer(headers),
    loggerInstance: options.logger.child({ part: 'api' }) as FastifyBaseLogger,
    // An observed flow's id names its two systems and its integration (71 characters in the demo): fastify's
    // default of 100 characters a path parameter answered a longer one "No route".
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: (options.timeouts ?? apiTimeouts).requestTimeoutMs,
    http: {
      headersTimeout: (options.timeouts ?? apiTimeouts).headersTimeoutMs,
      connectionsCheckingInterval: (options.timeouts ?? apiTimeouts).checkIntervalMs,
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const credentials = options.credentials ?? (await Credentials.create({ logger: options.logger }));
  installErrorHandler(app);
  // A field a schema does not declare is refused (400, naming it), not dropped as fastify's default does (a
  // misspelt "isRegx" made an equality matcher), and a body value of the wrong type is refused, not coerced.
  installValidators(app);
  installJsonParser(app);
  installQueryKeyCheck(app);
  installBodyCheck(app);
  // Every answer of a route behind a token (data, refusals and errors alike) is not kept by a browser or a proxy; the
  // UI's files and the OpenAPI browser (public, no data) keep their own caching.
  installSecurityHeaders(app, headers, { noStore: (request) => accessLevelOf(request) !== 'public' });
  // The OpenAPI browser's page and files hold no data (the document is public, like the code); calls made
  // from it carry the token given to its Authorize button and are checked like any other.
  installAccess(
    app,
    listenerGuard(credentials, { host: options.config.host, publicNames: options.publicNames, trustedProxies: options.trustedProxies, kind: 'api' }),
    {
      prefixLevels: [['/api/docs', 'public']],
    },
  );
  await app.register(swagger, {
    openapi: {
      info: { title: 'Weft API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // A browsable OpenAPI: every route, its parameters and schemas, tried from the page (public: it holds no data).
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  await app.register(uiPlugin, { root: uiRoot });
  registerMetricsRoute(app, options.services);
  await app.register(
    async (v1) => {
      for (const plugin of routePlugins) await v1.register(plugin, { services: { ...options.services, credentials } });
      v1.get('/openapi.json', { schema: { hide: true }, config: { access: 'read' } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );
  return app;
}
