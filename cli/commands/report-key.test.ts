import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

describe('weft report key --data on a directory with no key yet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const reportKey = async () => {
    const err: string[] = [];
    const code = await main(['report', 'key', '--data', dir], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd: dir });
    return { code, err: err.join('\n') };
  };

  it('says to run Weft there when nothing holds the directory', async () => {
    expect(await reportKey()).toEqual({ code: 2, err: expect.stringMatching(/Weft makes it when it first signs a report.* or --url for a running Weft\.$/) });
  });

  it('regression: names the address of the Weft running on it (which makes the key when asked), not a generic --url', async () => {
    // What a running Weft states beside its pid file (runtime/start-weft.ts); this process stands in for it.
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'weft.pid'), String(process.pid));
    writeFileSync(join(dir, 'data', 'weft.url'), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:21999' }));
    expect(await reportKey()).toEqual({
      code: 2,
      err: `weft report key: No report-signing key in ${join(dir, 'keys')} yet: the Weft running on this directory makes it when it first signs a report; ask it with --url http://127.0.0.1:21999.`,
    });
  });
});
