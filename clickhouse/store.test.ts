import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './index.ts';

describe('openStore (embedded)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a second process in plain words that the data directory is in use', async () => {
    const store = await openStore({ kind: 'embedded', path: join(dir, 'data') });
    try {
      const child = spawn(process.execPath, ['bin/weft.mjs', 'start', '--data', dir, '--port', '0', '--otlp-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
      expect(code).toBe(2);
      expect(stderr.trim()).toBe(
        `weft start: The data directory ${join(dir, 'data')} is in use by another Weft process. Stop that process, or start this one with a different --data directory (or point both at a ClickHouse server with --clickhouse URL).`,
      );
    } finally {
      await store.close();
    }
  });
});
