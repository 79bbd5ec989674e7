import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, loadOrCreateSigningKey, type Report } from '../../reports/index.ts';
import { main } from '../main.ts';

/** A report with no sections: the bundle still holds its PDF, report.json, manifest, signature and key. */
const report: Report = {
  version: 1,
  id: 'rep-verify-args',
  title: 'Estate report',
  generatedAt: '2026-11-29T00:00:00.000Z',
  period: { since: '2026-11-28T00:00:00.000Z', until: '2026-11-29T00:00:00.000Z' },
  flowWindow: { since: '2026-11-28T00:00:00.000Z', until: '2026-11-29T00:00:00.000Z' },
  dataAsOf: 'What Weft had stored at 2026-11-29 00:00:00 UTC.',
  requestedBy: 'weft report',
  catalog: { sha256: null, loadedAt: null, sources: [], note: 'no catalog' },
  sections: [],
};

describe('weft report verify: what it is given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-verify-'));
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['report', 'verify', ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd: dir });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const give = "give the bundle's .zip (what weft report --out wrote, or a report's download) or the directory it was unzipped into.";

  beforeAll(async () => {
    const key = loadOrCreateSigningKey(join(dir, 'data'));
    const { zip } = await buildBundle(report, key);
    writeFileSync(join(dir, 'report.zip'), zip);
    execFileSync('unzip', ['-q', 'report.zip', '-d', 'unzipped'], { cwd: dir });
    mkdirSync(join(dir, 'misc'));
    writeFileSync(join(dir, 'misc', 'weft-report.pub.pem'), key.publicKeyPem);
    mkdirSync(join(dir, 'empty'));
    mkdirSync(join(dir, 'notes'));
    writeFileSync(join(dir, 'notes', 'todo.txt'), 'nothing here');
    mkdirSync(join(dir, 'downloads'));
    writeFileSync(join(dir, 'downloads', 'report-2026-11.zip'), zip);
    writeFileSync(join(dir, 'renamed.zip'), 'this is a text file\n');
    writeFileSync(join(dir, 'photos.zip'), zipSync({ 'a.jpg': new Uint8Array([1, 2, 3]) }));
    writeFileSync(join(dir, 'misc', 'manifest.json'), '{"version":1}\n');
    writeFileSync(join(dir, 'misc', 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('verifies the zip and the directory it was unzipped into', async () => {
    expect(await run('report.zip')).toMatchObject({ code: 0, out: expect.stringMatching(/^OK: report\.zip is intact and signed/) });
    // Regression: without --key, a bundle re-signed with someone else's key was "OK: … intact and signed" and nothing more.
    expect((await run('report.zip')).out.split('\n')[0]).toMatch(/Whose key signed it was not checked: pass --key/);
    expect(await run('unzipped')).toMatchObject({ code: 0, out: expect.stringMatching(/^OK: the files in unzipped are intact and signed/) });
    expect(await run('report.zip', '--key', 'misc/weft-report.pub.pem')).toMatchObject({ code: 0, out: expect.stringContaining('(the expected key)') });
  });

  // regression: `weft report verify manifest.json` said the zip was damaged ("changed or cut")
  it('says what to give for anything that is not a bundle, and never calls it a damaged one', async () => {
    const cases: Array<[string[], string]> = [
      [['misc/manifest.json'], `misc/manifest.json is not a zip archive, nor a directory: ${give}`],
      [
        ['unzipped/manifest.json'],
        "unzipped/manifest.json is one file of an unzipped bundle: give its directory (weft report verify unzipped), or the bundle's .zip.",
      ],
      [
        ['unzipped/report.pdf'],
        "unzipped/report.pdf is one file of an unzipped bundle: give its directory (weft report verify unzipped), or the bundle's .zip.",
      ],
      [['no-such.zip'], `no-such.zip does not exist: ${give}`],
      [['no-such-dir/'], `no-such-dir/ does not exist: ${give}`],
      [['empty'], `empty is an empty directory: ${give}`],
      [['notes'], `notes is not an unzipped bundle (it has no manifest.json, manifest.sig, public-key.pem at its top): ${give}`],
      [
        ['.'],
        '. is not an unzipped bundle (it has no manifest.json, manifest.sig, public-key.pem at its top); it holds unzipped, report.zip: weft report verify unzipped.',
      ],
      [
        ['downloads'],
        `downloads is not an unzipped bundle (it has no manifest.json, manifest.sig, public-key.pem at its top); it holds downloads/report-2026-11.zip: weft report verify downloads/report-2026-11.zip.`,
      ],
      [['renamed.zip'], `renamed.zip is not a zip archive (although its name ends in .zip), nor a directory: ${give}`],
      [['photos.zip'], `photos.zip is a zip archive, but not a Weft evidence bundle (it holds no manifest.json, manifest.sig, public-key.pem): ${give}`],
      [[], 'Give one bundle: its .zip (weft report verify report.zip) or the directory it was unzipped into.'],
      [['report.zip', 'unzipped'], 'Give one bundle: its .zip (weft report verify report.zip) or the directory it was unzipped into.'],
      [
        ['report.zip', '--key', 'no-such.pem'],
        '--key no-such.pem does not exist: give the public key "weft report key" prints (a PEM file) on the Weft that signed the bundle.',
      ],
      [
        ['report.zip', '--key', 'misc/rsa.pem'],
        '--key misc/rsa.pem is an rsa key, not the Ed25519 key reports are signed with: give the public key "weft report key" prints (a PEM file) on the Weft that signed the bundle.',
      ],
      [
        ['report.zip', '--key', 'misc/manifest.json'],
        '--key misc/manifest.json is not a public key in PEM: give the public key "weft report key" prints (a PEM file) on the Weft that signed the bundle.',
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect(r, argv.join(' ')).toEqual({ code: 2, out: '', err: `weft report verify: ${message}` });
    }
  });

  it('still names what changed in a damaged bundle (exit 1)', async () => {
    const zip = new Uint8Array(readFileSync(join(dir, 'report.zip')));
    writeFileSync(join(dir, 'cut.zip'), zip.slice(0, Math.floor(zip.length / 2)));
    const cut = await run('cut.zip');
    expect(cut.code).toBe(1);
    expect(cut.err).toMatch(/^FAILED: cut\.zip is not the bundle Weft signed\.\n {2}the bundle is not a readable zip archive .*: it was changed or cut/);
    const head = zip.slice();
    head[0] ^= 1;
    writeFileSync(join(dir, 'head.zip'), head);
    expect((await run('head.zip')).code).toBe(1);
  });
});
