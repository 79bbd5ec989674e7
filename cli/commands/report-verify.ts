import { resolve } from 'node:path';
import { flag } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { VerifyResult } from '../../reports/index.ts';
import type { Command } from '../command.ts';
import { count } from '../../core/text/index.ts';

export const reportVerifyCommand: Command = {
  summary:
    "Check an evidence bundle: the manifest's Ed25519 signature and every file's SHA-256; exits 1 naming what changed, 2 when given something that is not a bundle",
  usage:
    'report verify BUNDLE.zip|DIR [--key public-key.pem]   (DIR: the bundle unzipped; the key printed by "weft report key"; without it, the key in the bundle)',
  options: ['key'],
  // One bundle; it says so itself, naming both forms a bundle takes.
  operands: Infinity,
  async run(args, io) {
    const [bundle] = args.positionals;
    if (!bundle || args.positionals.length > 1)
      throw ERR_CONFIG('Give one bundle: its .zip (weft report verify report.zip) or the directory it was unzipped into.');
    const keyFile = flag(args, 'key');
    const [{ verifyBundle, verifyBundleFiles }, { readBundleArgument, readExpectedKey }] = await Promise.all([
      import('../../reports/index.ts'),
      import('./report-bundle-argument.ts'),
    ]);
    const options = keyFile ? { expectedPublicKeyPem: readExpectedKey(resolve(io.cwd, keyFile), keyFile) } : {};
    const given = readBundleArgument(resolve(io.cwd, bundle), bundle);
    const extracted = given.kind === 'directory';
    const result: VerifyResult = given.kind === 'directory' ? verifyBundleFiles(given.files, options) : verifyBundle(given.bytes, options);
    if (!result.ok) {
      const why = result.repacked
        ? [
            `FAILED: ${bundle} is not the zip Weft signed, although every file in it matches the signed manifest: another tool rewrote the archive.`,
            `  Verify the zip Weft wrote, or the unzipped files: weft report verify DIR`,
          ]
        : [`FAILED: ${bundle} is not the bundle Weft signed.`];
      io.err([...why, ...result.problems.map((p) => `  ${p}`)].join('\n'));
      return 1;
    }
    const m = result.manifest!;
    io.out(
      [
        (extracted
          ? `OK: the files in ${bundle} are intact and signed (the unzipped bundle; the zip itself was not checked).`
          : `OK: ${bundle} is intact and signed.`) +
          // Anyone can re-sign a changed bundle with a key of their own and put that key in it: without --key, "signed"
          // says only that the files match the key the bundle carries.
          (keyFile ? '' : ' Whose key signed it was not checked: pass --key with the key of the Weft that wrote it.'),
        `  report ${m.reportId}, period ${m.period.since} to ${m.period.until}, generated ${m.generatedAt}`,
        `  ${count(result.checked.length, 'file')} ${result.checked.length === 1 ? 'matches its' : 'match their'} SHA-256 in the signed manifest`,
        `  signed with Ed25519 key ${result.fingerprint}${keyFile ? ' (the expected key)' : ': compare it with "weft report key" on the Weft that wrote it'}`,
      ].join('\n'),
    );
    return 0;
  },
};
