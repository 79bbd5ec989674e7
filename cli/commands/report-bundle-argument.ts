import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { BUNDLE_FILES, isBundleLayout, keyFingerprint, parseKeyFingerprint, zipKind } from '../../reports/index.ts';

/** What `weft report verify` checks: the bundle's zip, or the files of a bundle unzipped into a directory. */
export type BundleArgument = { kind: 'zip'; bytes: Uint8Array } | { kind: 'directory'; files: Map<string, Uint8Array> };

/** What to give instead, in every message about a wrong argument. */
const GIVE = `give the bundle's .zip (what weft report --out wrote, or a report's download) or the directory it was unzipped into`;
/** What to give instead, in every message about a wrong --key. */
const GIVE_KEY =
  'give the key "weft report key" prints on the Weft that signed the bundle: the public key\'s PEM file, or its fingerprint (SHA256: and 43 base64 characters, or the SHA-256 in 64 hex digits)';
const holdsBundle = (dir: string) => isBundleLayout(BUNDLE_FILES.filter((f) => existsSync(join(dir, f))));

/**
 * Reads the bundle `weft report verify` was given (`path`, absolute; `shown`, as the user typed
 * it). Anything that is not a bundle — a missing path, an empty directory or one that holds no
 * bundle, a file that is not a zip (whatever its name), a zip that holds no bundle, one file of an
 * unzipped bundle — is refused with ERR_CONFIG saying what to give (and, where it can tell, the
 * path to give). A damaged bundle is read: its verification names what changed.
 */
export function readBundleArgument(path: string, shown: string): BundleArgument {
  const stat = statOf(path, shown);
  if (stat.isDirectory()) return { kind: 'directory', files: bundleDirectory(path, shown) };
  if (!stat.isFile()) throw ERR_CONFIG(`${shown} is neither a file nor a directory: ${GIVE}.`);
  const bytes = new Uint8Array(readOf(path, shown));
  const kind = zipKind(bytes);
  if (kind === 'other-zip') throw ERR_CONFIG(`${shown} is a zip archive, but not a Weft evidence bundle (it holds no ${BUNDLE_FILES.join(', ')}): ${GIVE}.`);
  if (kind === 'not-zip') {
    const unzipped = enclosingBundle(path);
    if (unzipped !== undefined) {
      const dir = join(dirname(shown), relative(dirname(path), unzipped));
      throw ERR_CONFIG(`${shown} is one file of an unzipped bundle: give its directory (weft report verify ${dir}), or the bundle's .zip.`);
    }
    const named = /\.zip$/i.test(shown) ? ' (although its name ends in .zip)' : '';
    throw ERR_CONFIG(`${shown} is not a zip archive${named}, nor a directory: ${GIVE}.`);
  }
  return { kind: 'zip', bytes };
}

/** The key `weft report verify --key` names: its fingerprint ("SHA256:…"), and its PEM when a file was given. */
export interface ExpectedKey {
  fingerprint: string;
  pem?: string;
}

/**
 * What `--key VALUE` names, from `cwd`: a key fingerprint in a form `parseKeyFingerprint` reads ("SHA256:…" as Weft
 * prints it, or 64 hex digits; such a value is never read as a file name: give `./NAME` for a file named so), else the
 * public key file `readExpectedKey` reads. A value meant as a fingerprint that is none ("SHA256:" and anything but a
 * SHA-256, hex digits of another length, with no such file) is refused with ERR_CONFIG naming the forms taken.
 */
export function readExpectedKeyArgument(value: string, cwd: string): ExpectedKey {
  const fingerprint = parseKeyFingerprint(value);
  if (fingerprint !== undefined) return { fingerprint };
  const shown = value.slice(0, 200);
  const hex = value.trim().replaceAll(':', '');
  if (/^sha256:/i.test(value.trim()) || (/^[0-9a-f]{8,}$/i.test(hex) && !existsSync(resolve(cwd, value))))
    throw ERR_CONFIG(`--key ${shown} is not a key fingerprint Weft prints nor a file: ${GIVE_KEY}.`);
  const pem = readExpectedKey(resolve(cwd, value), value);
  return { fingerprint: keyFingerprint(pem), pem };
}

/**
 * The public key `--key` names, as PEM text; refused unless it is an Ed25519 public key (what
 * `weft report key` prints), so a wrong file is not reported as a changed bundle.
 */
export function readExpectedKey(path: string, shown: string): string {
  const stat = statOf(path, `--key ${shown}`, GIVE_KEY);
  if (!stat.isFile()) throw ERR_CONFIG(`--key ${shown} is not a file: ${GIVE_KEY}.`);
  const pem = readOf(path, shown).toString('utf8');
  if (pem.includes('PRIVATE KEY')) throw ERR_CONFIG(`--key ${shown} is a private key (keep it where it is): ${GIVE_KEY}.`);
  let type: string | undefined;
  try {
    type = createPublicKey(pem).asymmetricKeyType;
  } catch {
    throw ERR_CONFIG(`--key ${shown} is not a public key in PEM: ${GIVE_KEY}.`);
  }
  if (type !== 'ed25519') throw ERR_CONFIG(`--key ${shown} is an ${type} key, not the Ed25519 key reports are signed with: ${GIVE_KEY}.`);
  return pem;
}

/** The path's stat; a missing or unreadable path is refused, saying what to give. */
function statOf(path: string, shown: string, give = GIVE): Stats {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw ERR_CONFIG(`${shown} does not exist: ${give}.`);
    throw ERR_CONFIG(`Cannot read ${shown} (${code ?? (err as Error).message}): ${give}.`);
  }
}

function readOf(path: string, shown: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw ERR_CONFIG(`Cannot read ${shown} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${GIVE}.`);
  }
}

/** The unzipped bundle a file lies in (its directory, or up to two above: `csv/x.csv`), or undefined. */
function enclosingBundle(file: string): string | undefined {
  let dir = dirname(file);
  for (let up = 0; up < 3; up++) {
    if (holdsBundle(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** The files of an unzipped bundle, keyed by their path inside it; a directory that holds none is refused, saying where one is. */
function bundleDirectory(dir: string, shown: string): Map<string, Uint8Array> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (entries.length === 0) throw ERR_CONFIG(`${shown} is an empty directory: ${GIVE}.`);
  if (!holdsBundle(dir)) {
    // Where a bundle is, one level down: an unzipped one, or a zip that holds one (the first 20 zips looked at).
    const inside = entries.filter((e) => e.isDirectory() && holdsBundle(join(dir, e.name))).map((e) => join(shown, e.name));
    const zips = entries
      .filter((e) => e.isFile() && /\.zip$/i.test(e.name))
      .slice(0, 20)
      .filter((e) => zipKind(new Uint8Array(readOf(join(dir, e.name), join(shown, e.name)))) === 'bundle')
      .map((e) => join(shown, e.name));
    const there = [...inside, ...zips];
    const hint =
      there.length > 0 ? `; it holds ${there.slice(0, 3).join(', ')}${there.length > 3 ? ' and more' : ''}: weft report verify ${there[0]}` : `: ${GIVE}`;
    throw ERR_CONFIG(`${shown} is not an unzipped bundle (it has no ${BUNDLE_FILES.join(', ')} at its top)${hint}.`);
  }
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const full = join(dir, name);
    if (statSync(full).isFile()) files.set(name.split(sep).join('/'), new Uint8Array(readFileSync(full)));
  }
  return files;
}
