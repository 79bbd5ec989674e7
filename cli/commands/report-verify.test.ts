import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, keyFingerprint, loadOrCreateSigningKey, type Report } from '../../reports/index.ts';
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
  /** `weft report verify` from `cwd`; a trailing object is the environment. */
  const runIn = async (cwd: string, ...argv: Array<string | Record<string, string>>) => {
    const env = typeof argv.at(-1) === 'object' ? (argv.pop() as Record<string, string>) : {};
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['report', 'verify', ...(argv as string[])], { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const give = "give the bundle's .zip (what weft report --out wrote, or a report's download) or the directory it was unzipped into.";
  const giveKey =
    'give the key "weft report key" prints on the Weft that signed the bundle: the public key\'s PEM file, or its fingerprint (SHA256: and 43 base64 characters, or the SHA-256 in 64 hex digits).';

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

  it('verifies the zip and the directory it was unzipped into against the key of the Weft that wrote it', async () => {
    const fp = loadOrCreateSigningKey(join(dir, 'data')).fingerprint;
    for (const keyArgs of [
      ['--key', 'misc/weft-report.pub.pem'],
      ['--data', 'data'],
    ]) {
      const from = keyArgs[0] === '--key' ? '--key misc/weft-report.pub.pem' : `the data directory ${join(dir, 'data')}`;
      const r = await run('report.zip', ...keyArgs);
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.out.split('\n')).toEqual([
        "OK: report.zip is intact and signed with Weft's report key.",
        '  report rep-verify-args, period 2026-11-28T00:00:00.000Z to 2026-11-29T00:00:00.000Z, generated 2026-11-29T00:00:00.000Z',
        expect.stringMatching(/^ {2}\d+ files match their SHA-256 in the signed manifest$/),
        `  signed with Ed25519 key ${fp}: Weft's report key, from ${from}`,
      ]);
      expect(await run('unzipped', ...keyArgs)).toMatchObject({
        code: 0,
        out: expect.stringMatching(/^OK: the files in unzipped are intact and signed with Weft's report key \(the unzipped bundle/),
      });
    }
  });

  // regression: without --key, a bundle re-signed with another Ed25519 key (files changed, key swapped) was
  // "OK: … intact and signed", exit 0; whose key signed it was left to the reader to compare by eye
  it("does not pass a bundle whose signing key it cannot check against Weft's, and fails one signed with another key", async () => {
    const forger = generateKeyPairSync('ed25519');
    const forged = await buildBundle(
      { ...report, title: 'Estate report (changed)' },
      { privateKey: forger.privateKey, publicKeyPem: forger.publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: '' },
    );
    mkdirSync(join(dir, 'forged'));
    writeFileSync(join(dir, 'forged', 'resigned.zip'), forged.zip);
    const weft = loadOrCreateSigningKey(join(dir, 'data')).fingerprint;
    const other = keyFingerprint(forger.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    // No key of Weft's given nor in the default data directory (.weft): not verified, for the forgery and the real one alike
    for (const file of ['forged/resigned.zip', 'report.zip']) {
      const r = await run(file);
      expect(r.code, file).toBe(1);
      expect(r.out).toBe('');
      expect(r.err.split('\n')[0]).toMatch(
        new RegExp(
          `^NOT VERIFIED: ${file.replace(/\./g, '\\.')} matches its manifest and signature, but the key that signed it, Ed25519 SHA256:\\S+, is the one the bundle carries, and no key of Weft's was found`,
        ),
      );
      expect(r.err).toContain('--key FILE');
    }
    // Against Weft's key, from a file, its data directory, or the default data directory: FAILED, naming both keys
    const home = join(dir, 'home');
    mkdirSync(join(home, '.weft', 'keys'), { recursive: true });
    writeFileSync(join(home, '.weft', 'keys', 'report-signing-ed25519.pub.pem'), readFileSync(join(dir, 'misc', 'weft-report.pub.pem')));
    for (const [argv, cwd, from] of [
      [['--key', join(dir, 'misc/weft-report.pub.pem')], dir, `--key ${join(dir, 'misc/weft-report.pub.pem')}`],
      [['--data', join(dir, 'data')], dir, `the data directory ${join(dir, 'data')}`],
      [[], home, `the data directory ${join(home, '.weft')}`],
    ] as const) {
      const r = await runIn(cwd, join(dir, 'forged', 'resigned.zip'), ...argv);
      expect(r.code).toBe(1);
      expect(r.err.split('\n')[0]).toBe(
        `FAILED: ${join(dir, 'forged', 'resigned.zip')} was not signed by Weft's report key: it was signed with Ed25519 key ${other}, and Weft's (from ${from}) is ${weft}.`,
      );
    }
    expect(await runIn(home, join(dir, 'report.zip'))).toMatchObject({
      code: 0,
      out: expect.stringContaining(`Weft's report key, from the data directory ${join(home, '.weft')}`),
    });
  });

  // regression: --key took only a PEM file; `--key SHA256:…` (the fingerprint weft report key, weft report and verify
  // print) was read as a file name and refused as one that does not exist
  it('verifies against the fingerprint weft report key prints, in the forms it is copied in, and fails another key naming both', async () => {
    const printed: string[] = [];
    expect(await main(['report', 'key', '--data', join(dir, 'data')], { out: (t) => printed.push(t), err: () => {}, env: {}, cwd: dir })).toBe(0);
    const fp = /^fingerprint: (SHA256:\S+)$/m.exec(printed.join('\n'))![1];
    expect(fp).toBe(loadOrCreateSigningKey(join(dir, 'data')).fingerprint);
    const hex = Buffer.from(fp.slice('SHA256:'.length), 'base64').toString('hex');
    const forms = [fp, `${fp}=`, ` ${fp} `, `sha256:${fp.slice(7)}`, hex, hex.toUpperCase(), `SHA256:${hex}`, hex.match(/../g)!.join(':')];
    for (const form of forms) {
      for (const bundle of ['report.zip', 'unzipped']) {
        const r = await run(bundle, '--key', form);
        expect([r.code, r.err], `${bundle} --key ${form}`).toEqual([0, '']);
        expect(r.out.split('\n').at(-1)).toBe(`  signed with Ed25519 key ${fp}: Weft's report key, from --key ${form}`);
      }
    }
    // A bundle signed with another key fails against the fingerprint as against the file, naming both.
    const forger = generateKeyPairSync('ed25519');
    const forgerPem = forger.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const forged = await buildBundle(report, { privateKey: forger.privateKey, publicKeyPem: forgerPem, fingerprint: '' });
    mkdirSync(join(dir, 'forged'), { recursive: true });
    writeFileSync(join(dir, 'forged', 'other-key.zip'), forged.zip);
    for (const form of [fp, hex]) {
      const r = await run('forged/other-key.zip', '--key', form);
      expect(r.code).toBe(1);
      expect(r.err.split('\n')[0]).toBe(
        `FAILED: forged/other-key.zip was not signed by Weft's report key: it was signed with Ed25519 key ${keyFingerprint(forgerPem)}, and Weft's (from --key ${form}) is ${fp}.`,
      );
    }
    // The forger's own fingerprint passes its bundle: the check is against the key given, nothing else.
    expect((await run('forged/other-key.zip', '--key', keyFingerprint(forgerPem))).code).toBe(0);
  });

  it('refuses a malformed fingerprint, saying which forms --key takes', async () => {
    const fp = loadOrCreateSigningKey(join(dir, 'data')).fingerprint;
    const hex = Buffer.from(fp.slice('SHA256:'.length), 'base64').toString('hex');
    // The last base64 character carries two spare bits: with them set, it names no digest Weft writes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const spare = fp.slice(0, -1) + last[last.indexOf(fp.at(-1)!) | 1];
    for (const value of [
      'SHA256:',
      'SHA256:abc',
      fp.slice(0, -1),
      `${fp}A`,
      `${fp}==`,
      spare,
      `SHA256:${hex.slice(0, 40)}`,
      `SHA256:SHA256:${fp.slice(7)}`,
      `SHA256:${hex.slice(0, -1)}g`,
      hex.slice(0, 40),
      `${hex}00`,
      hex.slice(0, -1),
      `MD5:${hex.slice(0, 32)}`,
    ]) {
      const r = await run('report.zip', '--key', value);
      expect(r, value).toEqual({
        code: 2,
        out: '',
        err: expect.stringMatching(/^weft report verify: --key .* (?:is not a key fingerprint Weft prints nor a file|does not exist): /),
      });
      expect(r.err, value).toContain(giveKey);
    }
    expect((await run('report.zip', '--key', 'SHA256:abc')).err).toBe(
      `weft report verify: --key SHA256:abc is not a key fingerprint Weft prints nor a file: ${giveKey}`,
    );
    expect((await run('report.zip', '--key', hex.slice(0, 40))).err).toBe(
      `weft report verify: --key ${hex.slice(0, 40)} is not a key fingerprint Weft prints nor a file: ${giveKey}`,
    );
  });

  it("reads Weft's key from a running Weft's API (--url)", async () => {
    const pem = readFileSync(join(dir, 'misc', 'weft-report.pub.pem'), 'utf8');
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/api/v1/reports/key' ? { algorithm: 'Ed25519', publicKey: pem, fingerprint: keyFingerprint(pem) } : {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await runIn(dir, 'report.zip', '--url', url, { WEFT_TOKEN: 'weft_auditor_token_for_the_test' })).toMatchObject({
        code: 0,
        out: expect.stringContaining(`Weft's report key, from the Weft at ${url}`),
      });
      expect((await runIn(dir, 'forged/resigned.zip', '--url', url, { WEFT_TOKEN: 'weft_auditor_token_for_the_test' })).code).toBe(1);
      expect(await run('report.zip', '--url', url, '--key', 'misc/weft-report.pub.pem')).toMatchObject({ code: 2 });
    } finally {
      server.close();
    }
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
      [['report.zip', '--key', 'no-such.pem'], `--key no-such.pem does not exist: ${giveKey}`],
      [['report.zip', '--key', 'misc/rsa.pem'], `--key misc/rsa.pem is an rsa key, not the Ed25519 key reports are signed with: ${giveKey}`],
      [['report.zip', '--key', 'misc/manifest.json'], `--key misc/manifest.json is not a public key in PEM: ${giveKey}`],
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
