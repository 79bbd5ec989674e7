#!/usr/bin/env node
// `npm install`'s UI build (the prepare script): runs `vite build` in ui/ and prints one line when it
// succeeds, or Vite's whole output and its exit code when it fails. Vite and SvelteKit print a page of
// chunk sizes and "Run npm run preview …", which is advice for a site's developer, not for someone
// installing Weft; `npm run build:ui` still prints all of it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('ui/vite.config.ts') || !existsSync('node_modules/.bin/vite')) {
  console.log('prepare: UI not built here (no ui/ sources or no dev dependencies); npm run build:ui builds it');
  process.exit(0);
}
const started = performance.now();
const child = spawn('npm', ['run', '-s', 'build:ui'], { stdio: ['ignore', 'pipe', 'pipe'] });
const out = [];
child.stdout.on('data', (b) => out.push(b));
child.stderr.on('data', (b) => out.push(b));
child.on('close', (code, signal) => {
  if (code === 0) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`prepare: UI built into ui/build in ${seconds} s (npm run build:ui rebuilds it)`);
    return;
  }
  process.stderr.write(Buffer.concat(out));
  console.error(`prepare: the UI build failed (${signal ?? `exit code ${code}`}); run npm run build:ui to retry`);
  process.exit(code ?? 1);
});
