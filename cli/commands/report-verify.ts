import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { flag } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { VerifyOptions, VerifyResult } from '../../reports/index.ts';
import type { Command, CommandIO } from '../command.ts';
import type { ParsedArgs } from '../../core/config/index.ts';
import { count } from '../../core/text/index.ts';
import { localStoreConfig } from './store-flags.ts';
import { weftApi } from './weft-api.ts';

/** Weft's report-signing public key a bundle is checked against (its fingerprint, and its PEM when one was read), and where it was read. */
interface TrustedKey {
  fingerprint: string;
  pem?: string;
  /** Where it came from, as printed: `--key FILE`, `the Weft at URL`, `the data directory DIR`. */
  from: string;
}

/**
 * The key of the Weft that wrote the bundle: `--key FILE|FINGERPRINT` (what `weft report key` printed: the public key's
 * PEM file, or its fingerprint, `SHA256:…` or 64 hex digits), `--url URL` (that Weft's
 * `/api/v1/reports/key`, with WEFT_TOKEN), `--data DIR` (its data directory's key); with none of them, the key in the
 * data directory this machine's Weft uses (WEFT_DATA_DIR, else .weft) when one is there, else undefined. A flag given
 * that names no key is refused with ERR_CONFIG (exit 2), as is more than one of them.
 */
async function trustedKey(args: ParsedArgs, io: CommandIO): Promise<TrustedKey | undefined> {
  const keyFile = flag(args, 'key');
  const url = flag(args, 'url');
  const data = flag(args, 'data');
  const given = [keyFile && '--key', url && '--url', data && '--data'].filter(Boolean);
  if (given.length > 1) throw ERR_CONFIG(`Give one of ${given.join(', ')}: the key of the Weft that wrote the bundle, read from one place.`);
  const { keyFingerprint, signingKeyPaths } = await import('../../reports/index.ts');
  if (keyFile) {
    const { readExpectedKeyArgument } = await import('./report-bundle-argument.ts');
    return { ...readExpectedKeyArgument(keyFile, io.cwd), from: `--key ${keyFile}` };
  }
  if (url) {
    const key = await weftApi(url, io.env.WEFT_TOKEN, 'an auditor or admin token').json<{ publicKey: string }>('/api/v1/reports/key');
    return { fingerprint: keyFingerprint(key.publicKey), pem: key.publicKey, from: `the Weft at ${url}` };
  }
  const dataDir = localStoreConfig({ positionals: [], flags: data ? { data: [data] } : {} }, io).dataDir;
  const file = signingKeyPaths(dataDir).publicKey;
  if (existsSync(file)) {
    const { readExpectedKey } = await import('./report-bundle-argument.ts');
    const pem = readExpectedKey(file, file);
    return { fingerprint: keyFingerprint(pem), pem, from: `the data directory ${dataDir}` };
  }
  if (data) throw ERR_CONFIG(`--data ${data} holds no report-signing key (${file}): give the directory of the Weft that wrote the bundle, or --key.`);
  return undefined;
}

export const reportVerifyCommand: Command = {
  summary:
    "Check an evidence bundle: every file's SHA-256, the manifest's Ed25519 signature, and that the key is Weft's; exits 1 naming what changed or when the signing key is not Weft's or unknown, 2 when given something that is not a bundle",
  usage:
    'report verify BUNDLE.zip|DIR [--key public-key.pem|SHA256:… | --url http://127.0.0.1:3000 | --data DIR]   (DIR: the bundle unzipped; the key of the Weft that wrote it: the file "weft report key" prints or the fingerprint it prints, that Weft\'s API, or its data directory; without any, the data directory WEFT_DATA_DIR or .weft when it holds a key)',
  options: ['key', 'url', 'data'],
  // One bundle; it says so itself, naming both forms a bundle takes.
  operands: Infinity,
  async run(args, io) {
    const [bundle] = args.positionals;
    if (!bundle || args.positionals.length > 1)
      throw ERR_CONFIG('Give one bundle: its .zip (weft report verify report.zip) or the directory it was unzipped into.');
    const [{ verifyBundle, verifyBundleFiles }, { readBundleArgument }] = await Promise.all([
      import('../../reports/index.ts'),
      import('./report-bundle-argument.ts'),
    ]);
    const trusted = await trustedKey(args, io);
    const options: VerifyOptions = trusted ? { expectedFingerprint: trusted.fingerprint, expectedPublicKeyPem: trusted.pem } : {};
    const given = readBundleArgument(resolve(io.cwd, bundle), bundle);
    const extracted = given.kind === 'directory';
    const result: VerifyResult = given.kind === 'directory' ? verifyBundleFiles(given.files, options) : verifyBundle(given.bytes, options);
    const weftKey = trusted && trusted.fingerprint;
    const otherKey = trusted && result.fingerprint !== null && result.fingerprint !== weftKey;
    if (!result.ok) {
      const why = otherKey
        ? [
            `FAILED: ${bundle} was not signed by Weft's report key: it was signed with Ed25519 key ${result.fingerprint}, and Weft's (from ${trusted.from}) is ${weftKey}.`,
          ]
        : result.repacked
          ? [
              `FAILED: ${bundle} is not the zip Weft signed, although every file in it matches the signed manifest: another tool rewrote the archive.`,
              `  Verify the zip Weft wrote, or the unzipped files: weft report verify DIR`,
            ]
          : [`FAILED: ${bundle} is not the bundle Weft signed.`];
      io.err([...why, ...result.problems.map((p) => `  ${p}`)].join('\n'));
      return 1;
    }
    const m = result.manifest!;
    const what = extracted ? `the files in ${bundle} (the unzipped bundle; the zip itself was not checked)` : bundle;
    const details = [
      `  report ${m.reportId}, period ${m.period.since} to ${m.period.until}, generated ${m.generatedAt}`,
      `  ${count(result.checked.length, 'file')} ${result.checked.length === 1 ? 'matches its' : 'match their'} SHA-256 in the signed manifest`,
    ];
    if (!trusted) {
      // Anyone who changes a bundle can re-sign it with a key of their own and put that key in it: a signature checked
      // only against the key the bundle carries proves nothing about who wrote it.
      io.err(
        [
          `NOT VERIFIED: ${what} ${extracted ? 'match' : 'matches'} its manifest and signature, but the key that signed it, Ed25519 ${result.fingerprint}, is the one the bundle carries, and no key of Weft's was found to check it against: anyone who changes a bundle can re-sign it with a key of their own.`,
          ...details,
          `  Check it against the key of the Weft that wrote it: --key FILE or --key SHA256:… (the key or the fingerprint "weft report key" prints there), --url URL (that Weft's API, with WEFT_TOKEN), or --data DIR (its data directory).`,
        ].join('\n'),
      );
      return 1;
    }
    io.out(
      [
        extracted
          ? `OK: the files in ${bundle} are intact and signed with Weft's report key (the unzipped bundle; the zip itself was not checked).`
          : `OK: ${bundle} is intact and signed with Weft's report key.`,
        ...details,
        `  signed with Ed25519 key ${result.fingerprint}: Weft's report key, from ${trusted.from}`,
      ].join('\n'),
    );
    return 0;
  },
};
