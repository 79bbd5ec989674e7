#!/usr/bin/env node
// The `weft` command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
// Output read by a command that stopped reading (`weft start | head -3`, `| grep -m1`) is dropped, not an error: the
// unhandled EPIPE ended the process while the embedded engine ran, which crashed it (SIGSEGV) or hung it (its API
// answering nothing, SIGTERM ignored). The logger (pino's own stdout stream) stops writing on EPIPE by itself.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
// A command that has finished exits, even when a library left a handle open (the NATS client keeps the socket of a
// connect that timed out, and a stopped Weft or `weft probe run` waited on it for ever): a second for what is still
// being written, then the exit. Nothing else runs after main: `weft start` returns once Weft has stopped.
setTimeout(() => process.exit(), 1000).unref();
