import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

// Regression (break test): `weft report --out report.zip` replaced an existing file without a word, a signed bundle an
// auditor may already have been given among them.
describe('weft report --out on a file that exists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses before any work, naming the file, and leaves it as it was', async () => {
    const kept = join(dir, 'report.zip');
    writeFileSync(kept, 'the bundle given to the auditor');
    const err: string[] = [];
    // Nothing listens on the URL: the refusal comes before the report is asked for.
    const code = await main(['report', '--url', 'http://127.0.0.1:9', '--out', 'report.zip'], {
      out: () => undefined,
      err: (t) => err.push(t),
      env: {},
      cwd: dir,
    });
    expect([code, err.join('\n')]).toEqual([2, `weft report: --out ${kept} exists: write the report to another file, or remove that one first.`]);
    expect(readFileSync(kept, 'utf8')).toBe('the bundle given to the auditor');
  });
});
