import { existsSync } from 'node:fs';
import { flag } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { holderAddress } from '../../core/fs/pid-lock.ts';
import { localStoreConfig, refuseBesideUrl } from './store-flags.ts';
import type { Command } from '../command.ts';
import { weftApi } from './weft-api.ts';

export const reportKeyCommand: Command = {
  summary: "Print the installation's report-signing public key (Ed25519) and its fingerprint",
  usage: 'report key [--data DIR | --url http://127.0.0.1:3000]   (the key Weft made in DIR/keys when it first signed a report)',
  options: ['data', 'url'],
  async run(args, io) {
    const url = flag(args, 'url');
    if (url) {
      refuseBesideUrl(args, ['data'], 'data directory');
      const key = await weftApi(url, io.env.WEFT_TOKEN, 'an auditor or admin token').json<{ publicKey: string; fingerprint: string }>('/api/v1/reports/key');
      io.out(`${key.publicKey.trim()}\nfingerprint: ${key.fingerprint}`);
      return 0;
    }
    const config = localStoreConfig(args, io);
    const { loadOrCreateSigningKey, signingKeyPaths } = await import('../../reports/index.ts');
    // Only a key Weft already signs with: making one here would print a key no bundle is signed with.
    if (!existsSync(signingKeyPaths(config.dataDir).privateKey)) {
      // A Weft running on the directory makes the key when asked for it: its API's stated address is the way.
      const running = config.store.kind === 'embedded' ? holderAddress(config.store.path) : undefined;
      throw ERR_CONFIG(
        running
          ? `No report-signing key in ${signingKeyPaths(config.dataDir).dir} yet: the Weft running on this directory makes it when it first signs a report; ask it with --url ${running}.`
          : `No report-signing key in ${signingKeyPaths(config.dataDir).dir}: Weft makes it when it first signs a report. Pass --data with the directory Weft ran with (the demo's is .weft/demo), or --url for a running Weft.`,
      );
    }
    const key = loadOrCreateSigningKey(config.dataDir);
    io.out(`${key.publicKeyPem.trim()}\nfingerprint: ${key.fingerprint}\nfile: ${signingKeyPaths(config.dataDir).publicKey}`);
    return 0;
  },
};
