import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flag } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { verifyBundle } from '../../reports/index.ts';
import type { Command } from '../command.ts';

export const reportVerifyCommand: Command = {
  summary: "Check an evidence bundle: the manifest's Ed25519 signature and every file's SHA-256; exits 1 naming what changed",
  usage: 'report verify BUNDLE.zip [--key public-key.pem]   (the key printed by "weft report key"; without it, the key in the bundle)',
  async run(args, io) {
    const [bundle] = args.positionals;
    if (!bundle || args.positionals.length > 1) throw ERR_CONFIG('Give one bundle: weft report verify report.zip');
    const read = (path: string, what: string) => {
      try {
        return readFileSync(resolve(io.cwd, path));
      } catch (err) {
        throw ERR_CONFIG(`Cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    };
    const keyFile = flag(args, 'key');
    const result = verifyBundle(new Uint8Array(read(bundle, 'the bundle')), keyFile ? { expectedPublicKeyPem: read(keyFile, 'the key').toString('utf8') } : {});
    if (!result.ok) {
      io.err([`FAILED: ${bundle} is not the bundle Weft signed.`, ...result.problems.map((p) => `  ${p}`)].join('\n'));
      return 1;
    }
    const m = result.manifest!;
    io.out(
      [
        `OK: ${bundle} is intact and signed.`,
        `  report ${m.reportId}, period ${m.period.since} to ${m.period.until}, generated ${m.generatedAt}`,
        `  ${result.checked.length} files match their SHA-256 in the signed manifest`,
        `  signed with Ed25519 key ${result.fingerprint}${keyFile ? ' (the expected key)' : ': compare it with "weft report key" on the Weft that wrote it'}`,
      ].join('\n'),
    );
    return 0;
  },
};
