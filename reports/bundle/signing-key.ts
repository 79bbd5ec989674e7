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

/** `SHA256:` in any case, then the fingerprint's body. */
const FINGERPRINT_PREFIX = /^sha256:/i;

/**
 * A key fingerprint as `keyFingerprint` writes it ("SHA256:" and 43 base64 characters, what `weft report key`,
 * `weft report` and `weft report verify` print), from the forms it is copied in: that form (the prefix in any case,
 * base64 padding `=` allowed), or the SHA-256 of the key's SPKI DER as 64 hex digits, in either case, bare, after
 * "SHA256:", or in colon-separated pairs (`openssl pkey -pubin -in key.pem -outform DER | sha256sum` prints it bare).
 * Undefined for anything else, a base64 body that decodes to other than 32 bytes or is not written canonically included.
 */
export function parseKeyFingerprint(text: string): string | undefined {
  const t = text.trim();
  const prefixed = FINGERPRINT_PREFIX.test(t);
  const body = prefixed ? t.slice('SHA256:'.length) : t;
  if (/^[0-9a-f]{64}$/i.test(body) || /^[0-9a-f]{2}(?::[0-9a-f]{2}){31}$/i.test(body))
    return `SHA256:${Buffer.from(body.replaceAll(':', ''), 'hex').toString('base64').replace(/=$/, '')}`;
  if (!prefixed || !/^[A-Za-z0-9+/]{43}=?$/.test(body)) return undefined;
  const unpadded = body.replace(/=$/, '');
  // 43 characters carry 258 bits: the last one's two spare bits must be zero, or two texts would name one digest.
  const digest = Buffer.from(unpadded, 'base64');
  return digest.length === 32 && digest.toString('base64').replace(/=$/, '') === unpadded ? `SHA256:${unpadded}` : undefined;
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
