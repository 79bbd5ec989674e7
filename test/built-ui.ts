import Fastify from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { uiPlugin } from '../api/ui-plugin.ts';
import { uiBuildDir } from '../ui/index.ts';
import { chromiumLaunch } from './services.ts';

/** The built UI served as `weft start` serves it (no API behind it), and a browser to open it in. */
export interface BuiltUi {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  base: string;
  browser: Browser;
  /** Closes the browser, then the server. */
  close(): Promise<void>;
}

/**
 * Serves ui/build on a free loopback port and launches Debian's chromium (`chromiumLaunch`), for the
 * browser tests and bench:graph-ui that answer the API from fixtures (`page.route('**\/api/v1/**')`).
 * Throws when ui/build is missing (run npm run build:ui) or chromium does not start.
 */
export async function startBuiltUi(): Promise<BuiltUi> {
  const app = Fastify();
  await app.register(uiPlugin, { root: uiBuildDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let browser: Browser;
  try {
    browser = await chromium.launch(chromiumLaunch);
  } catch (err) {
    await app.close();
    throw err;
  }
  return {
    base,
    browser,
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}
