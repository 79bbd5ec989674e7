import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERR_SIGNING_KEY } from '../errors.ts';

export interface SigningKey {
  privateKey: KeyObject;
  /** SPKI PEM: what goes into each bundle and what `weft report key` prints. */
  publicKeyPem: string;
  /** "SHA256:<base64>" of the public key's DER: short enough to compare by eye. */
  fingerprint: string;
}

/** Where the installation's report-signing key lives under its data directory. */
export function signingKeyPaths(dataDir: string) {
  const dir = join(dataDir, 'keys');
  return { dir, privateKey: join(dir, 'report-signing-ed25519.pem'), publicKey: join(dir, 'report-signing-ed25519.pub.pem') };
}

/** "SHA256:…" fingerprint of a public key (PEM). */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256')
    .update(der)
    .digest('base64')
    .replace(/(?<!=)=+$/, '')}`;
}

/**
 * Weft's Ed25519 report-signing key: generated once into `<dataDir>/keys` (private key file mode
 * 0600, created exclusively so two processes never write two keys), read afterwards. A private key
 * file readable by group or others is refused with what to run.
 */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const paths = signingKeyPaths(dataDir);
  if (!existsSync(paths.privateKey)) {
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      chmodSync(paths.privateKey, 0o600);
      writeFileSync(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw ERR_SIGNING_KEY(`Cannot write the report-signing key in ${paths.dir}: ${(err as Error).message}`);
    }
  }
  const mode = statSync(paths.privateKey).mode & 0o777;
  if (mode & 0o077) {
    throw ERR_SIGNING_KEY(`The report-signing key ${paths.privateKey} is readable by others (mode ${mode.toString(8)}): run "chmod 600 ${paths.privateKey}".`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(paths.privateKey));
  } catch (err) {
    throw ERR_SIGNING_KEY(`The report-signing key ${paths.privateKey} cannot be read: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw ERR_SIGNING_KEY(`${paths.privateKey} is not an Ed25519 key.`);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, fingerprint: keyFingerprint(publicKeyPem) };
}
