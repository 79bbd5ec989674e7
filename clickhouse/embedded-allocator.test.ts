import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_ALLOCATOR_CONF } from './embedded-allocator.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-allocator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new process that opens an embedded store in `dir` and prints JE_MALLOC_CONF as the engine loaded it; `env` added. */
function openIn(env: Record<string, string | undefined>) {
  const script = `const { openStore } = await import('./clickhouse/index.ts');
    const s = await openStore({ kind: 'embedded', path: ${JSON.stringify(join(dir, 'data'))} });
    console.log(JSON.stringify(process.env.JE_MALLOC_CONF ?? null)); await s.close();`;
  const base = { ...process.env };
  delete base.JE_MALLOC_CONF;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
}

// The embedded engine's peak RSS under ingest was over 700 MiB with its allocator's 10 s page decay
// (clickhouse/embedded-allocator.ts): the library reads JE_MALLOC_CONF when it loads, which the store sets first.
describe("the embedded engine's allocator settings", () => {
  it('are given to the engine before it loads, unless the environment gives its own', () => {
    const own = openIn({});
    expect([own.status, own.stdout.trim()]).toEqual([0, JSON.stringify(EMBEDDED_ALLOCATOR_CONF)]);
    expect(openIn({ JE_MALLOC_CONF: 'dirty_decay_ms:5000' }).stdout.trim()).toBe('"dirty_decay_ms:5000"');
  });

  it('are read by the engine from JE_MALLOC_CONF (a setting it refuses aborts it, with abort_conf)', () => {
    const refused = openIn({ JE_MALLOC_CONF: 'abort_conf:true,no_such_option:1' });
    expect(refused.signal).toBe('SIGABRT');
  });
});
