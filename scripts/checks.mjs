#!/usr/bin/env node
// npm test's static checks — typecheck and ESLint (over one TypeScript program: typecheck-lint.mjs),
// svelte-check and Prettier (npm run check:ui, format:check) — run side by side (each is mostly one
// core); each one's output is printed whole when it ends, and the exit code is 1 if any failed.
import { spawn } from 'node:child_process';

const checks = [
  ['node', 'scripts/typecheck-lint.mjs'],
  ['npm', 'run', '-s', 'check:ui'],
  ['npx', 'prettier', '--check', '--log-level', 'warn', '.'],
];
const started = performance.now();
const results = await Promise.all(
  checks.map(
    ([command, ...args]) =>
      new Promise((resolve) => {
        const name = [command, ...args].join(' ');
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const out = [];
        child.stdout.on('data', (b) => out.push(b));
        child.stderr.on('data', (b) => out.push(b));
        child.on('close', (code) => {
          const text = Buffer.concat(out).toString().trim();
          const seconds = ((performance.now() - started) / 1000).toFixed(0);
          process.stdout.write(`${code === 0 ? 'ok' : 'FAILED'}: ${name} (${seconds} s)${text ? `\n${text}\n` : '\n'}`);
          resolve(code === 0);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
