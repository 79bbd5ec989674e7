import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// A single-page app: adapter-static writes ui/build with index.html as the fallback for every path;
// the API process serves it (api/ui-plugin.ts). `npm run dev:ui` proxies /api to a running Weft.
export default defineConfig({
  plugins: [
    sveltekit({
      compilerOptions: { runes: true },
      adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    }),
  ],
  server: { proxy: { '/api': process.env.WEFT_API ?? 'http://127.0.0.1:3000' } },
  build: { chunkSizeWarningLimit: 1200 },
});
