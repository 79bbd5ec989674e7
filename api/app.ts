import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { ApiConfig } from '../core/config/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { authHook } from './auth.ts';
import type { ApiServices } from './services.ts';
import { installErrorHandler } from './error-handler.ts';
import { routePlugins } from './routes/index.ts';
import { apiOnly, uiPlugin } from './ui-plugin.ts';

/** Where the built UI is in a checkout, for apps built without the composition root (tests, benchmarks). */
const defaultUiRoot = fileURLToPath(new URL('../ui/build', import.meta.url));

export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ApiAppOptions {
  config: ApiConfig;
  logger: Logger;
  services: ApiServices;
  /** The built UI to serve at `/` (ui/build); without it, `/` explains how to build the UI. */
  uiRoot?: string;
}

/** The API as an app: every route under /api/v1, declared schemas, OpenAPI at /api/v1/openapi.json. */
export async function buildApiApp(options: ApiAppOptions): Promise<ApiApp> {
  // Errors are logged by the error handler; one line per request would drown the log.
  const app = Fastify({ loggerInstance: options.logger.child({ part: 'api' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandler(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Weft API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // A browsable OpenAPI: every route, its parameters and schemas, tried from the page.
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  await app.register(uiPlugin, { root: options.uiRoot ?? defaultUiRoot });
  app.addHook('onRequest', apiOnly(authHook(options.config.tokens)));
  await app.register(
    async (v1) => {
      for (const plugin of routePlugins) await v1.register(plugin, { services: options.services });
      v1.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: '/api/v1' },
  );
  return app;
}
