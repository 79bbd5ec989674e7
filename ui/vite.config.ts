import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type ProxyOptions } from 'vite';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The dev server's proxy to a running Weft. Weft answers a loopback name only on the port it listens
 * on, and refuses a write whose Origin is another origin than its Host: so the proxy sends Weft's
 * own address as Host, and, for a page this dev server served on a loopback address (its Origin is
 * the Host the browser sent here), Weft's own origin as Origin. Any other Origin passes unchanged
 * and Weft refuses it as cross-site.
 */
function apiProxy(target: string): ProxyOptions {
  const weft = new URL(target).origin;
  return {
    target,
    changeOrigin: true,
    configure: (proxy) =>
      proxy.on('proxyReq', (proxyReq, req) => {
        const host = req.headers.host;
        if (!host || req.headers.origin !== `http://${host}`) return;
        if (LOOPBACK.has(new URL(req.headers.origin).hostname)) proxyReq.setHeader('origin', weft);
      }),
  };
}

// A single-page app: adapter-static writes ui/build with index.html as the fallback for every path;
// the API process serves it (api/ui-plugin.ts). `npm run dev:ui` proxies /api to a running Weft.
export default defineConfig({
  plugins: [
    sveltekit({
      compilerOptions: { runes: true },
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    }),
  ],
  server: { proxy: { '/api': apiProxy(process.env.WEFT_API ?? 'http://127.0.0.1:3000') } },
  // A slow machine makes Rolldown warn that plugins took long (PLUGIN_TIMINGS): a note for plugin authors, not for
  // someone installing Weft, who would have to judge it.
  build: { chunkSizeWarningLimit: 1200, rolldownOptions: { checks: { pluginTimings: false } } },
});
