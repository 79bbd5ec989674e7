import { createPublicKey, verify } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { canonicalZip, MANIFEST, PUBLIC_KEY, SIGNATURE, sha256Hex, type Manifest, type ManifestFile } from './bundle.ts';
import { keyFingerprint } from './signing-key.ts';

export interface VerifyResult {
  ok: boolean;
  /** What is wrong, each naming the file: "csv/inventory-flows.csv: its SHA-256 differs from the manifest's". */
  problems: string[];
  /** Files whose hash matched. */
  checked: string[];
  manifest: Manifest | null;
  /** Fingerprint of the key the bundle was signed with (compare it with `weft report key`). */
  fingerprint: string | null;
  /** Every file is intact and signed, but the zip is not the one Weft wrote (rewritten by another tool). */
  repacked: boolean;
}

/**
 * The key a bundle must have been signed with: its public key (SPKI PEM) or its fingerprint as `keyFingerprint` writes it
 * ("SHA256:…"; `parseKeyFingerprint` reads the forms people copy). Without either, the bundle's own key is used, which
 * proves nothing about who signed it. Both given: the PEM's fingerprint must be this one.
 */
export interface VerifyOptions {
  expectedPublicKeyPem?: string;
  expectedFingerprint?: string;
}

function entries(zip: Uint8Array): { names: string[]; problems: string[]; data: Map<string, Uint8Array> } {
  const names: string[] = [];
  unzipSync(zip, {
    filter: (f) => {
      names.push(f.name);
      return false;
    },
  });
  const data = new Map<string, Uint8Array>();
  const problems: string[] = [];
  // A zip may hold two entries of one name; fflate (and most extractors) give only one of them, others show both, so
  // the bytes an auditor opens may not be the bytes checked. Weft writes each name once.
  const seen = new Map<string, number>();
  for (const name of names) seen.set(name, (seen.get(name) ?? 0) + 1);
  for (const [name, n] of seen) {
    if (n > 1) problems.push(`${name}: the zip holds ${n} entries of this name (Weft writes each once): which one a tool shows depends on the tool`);
  }
  for (const name of new Set(names)) {
    try {
      const one = unzipSync(zip, { filter: (f) => f.name === name });
      if (!Object.hasOwn(one, name)) throw new Error('missing');
      data.set(name, one[name]);
    } catch {
      problems.push(`${name}: cannot be read from the zip (its bytes were changed or cut)`);
    }
  }
  return { names, problems, data };
}

/**
 * Rebuilds the zip from its entries as `buildBundle` lays it out and compares byte for byte: a
 * change outside the files' contents (an entry's header, the central directory) is named too.
 */
function layoutProblem(zip: Uint8Array, entries: Array<[string, Uint8Array]>, mtime: Date): string | null {
  const expected = canonicalZip(entries, mtime);
  let at = 0;
  while (at < zip.length && at < expected.length && zip[at] === expected[at]) at++;
  if (at === zip.length && at === expected.length) return null;
  // Walk the local entries of the expected layout: header (30 bytes + name + extra) then stored data.
  let offset = 0;
  for (const [name] of entries) {
    const view = new DataView(expected.buffer, expected.byteOffset + offset);
    const end = offset + 30 + view.getUint16(26, true) + view.getUint16(28, true) + view.getUint32(18, true);
    if (at < end) return `${name}: its zip entry header was changed (byte ${at})`;
    offset = end;
  }
  return `the zip's central directory was changed (byte ${at}): the bundle is not as Weft wrote it`;
}

/** The files a bundle holds at its top besides the report's: the manifest, its signature, the public key. */
export const BUNDLE_FILES: readonly string[] = [MANIFEST, SIGNATURE, PUBLIC_KEY];

/**
 * True when top-level names look like a bundle's: at least two of `BUNDLE_FILES` (a bundle that
 * lost one is still a bundle, to verify and call damaged; a lone manifest.json or public key is
 * some other file).
 */
export function isBundleLayout(topNames: Iterable<string>): boolean {
  const names = new Set(topNames);
  return BUNDLE_FILES.filter((f) => names.has(f)).length >= 2;
}

/** The longest tail a zip's end-of-central-directory record sits in: 22 bytes and a comment of up to 65,535. */
const EOCD_REACH = 22 + 0xffff;

/**
 * What a file is before it is verified (the CLI's check of its argument; PKWARE APPNOTE 4.3):
 * - `not-zip`: neither a zip's first local header (`PK\x03\x04`) at its start nor an
 *   end-of-central-directory record (`PK\x05\x06`) in its tail: another kind of file.
 * - `other-zip`: a readable zip whose entries are not laid out as a bundle's (`isBundleLayout`).
 * - `bundle`: a zip that is, or that is damaged beyond listing (its verification
 *   says what is wrong).
 */
export function zipKind(bytes: Uint8Array): 'bundle' | 'other-zip' | 'not-zip' {
  const signature = (at: number, third: number) => bytes[at] === 0x50 && bytes[at + 1] === 0x4b && bytes[at + 2] === third && bytes[at + 3] === third + 1;
  let zip = bytes.length >= 4 && signature(0, 3);
  for (let at = bytes.length - 22; !zip && at >= Math.max(0, bytes.length - EOCD_REACH); at--) zip = signature(at, 5);
  if (!zip) return 'not-zip';
  const names: string[] = [];
  try {
    unzipSync(bytes, { filter: (f) => (names.push(f.name), false) });
  } catch {
    return 'bundle';
  }
  return isBundleLayout(names) ? 'bundle' : 'other-zip';
}

/** The archive's entries that are files (a directory entry, `csv/`, holds nothing to check). */
const isFile = (name: string) => !name.endsWith('/');

/**
 * Checks an evidence bundle: manifest.json's Ed25519 signature with the bundle's public key (or the
 * one expected, when given), each listed file's SHA-256, that nothing unlisted was added, and that
 * the zip is byte for byte the one Weft wrote. A zip rewritten by another tool (directory entries
 * added, recompressed) fails even when its files are intact; `repacked` then says so, and the
 * extracted files can be checked with `verifyBundleFiles`.
 * Never throws for a damaged bundle: every problem is returned, naming its file.
 */
export function verifyBundle(zip: Uint8Array, options: VerifyOptions = {}): VerifyResult {
  let read: ReturnType<typeof entries>;
  try {
    read = entries(zip);
  } catch (err) {
    return { ...emptyResult(), problems: [`the bundle is not a readable zip archive (${(err as Error).message}): it was changed or cut`] };
  }
  const files = [...new Set(read.names)].filter(isFile);
  const result = checkFiles(files, read.data, read.problems, options);
  if (result.problems.length === 0 && result.manifest) {
    const layout = layoutProblem(
      zip,
      files.map((n) => [n, read.data.get(n)!]),
      new Date(result.manifest.generatedAt),
    );
    if (layout) {
      const directories = read.names.filter((n) => !isFile(n));
      result.repacked = true;
      result.problems.push(
        files.length === read.names.length
          ? layout
          : `the zip holds directory entries (${directories.slice(0, 5).join(', ')}) Weft never writes: it was repacked by another tool`,
      );
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}

/**
 * Checks a bundle's files once extracted from the zip (`files`: path inside the bundle, e.g.
 * `csv/inventory-flows.csv` → bytes): the manifest's signature and every file's SHA-256, as
 * `verifyBundle` does, without the zip's own bytes. For a bundle that was unzipped or repacked.
 */
export function verifyBundleFiles(files: ReadonlyMap<string, Uint8Array>, options: VerifyOptions = {}): VerifyResult {
  const result = checkFiles([...files.keys()], files, [], options);
  result.ok = result.problems.length === 0;
  return result;
}

function emptyResult(): VerifyResult {
  return { ok: false, problems: [], checked: [], manifest: null, fingerprint: null, repacked: false };
}

function checkFiles(names: string[], data: ReadonlyMap<string, Uint8Array>, readProblems: string[], options: VerifyOptions): VerifyResult {
  const result = emptyResult();
  result.problems.push(...readProblems);
  const manifestBytes = data.get(MANIFEST);
  const sig = data.get(SIGNATURE);
  const pem = data.get(PUBLIC_KEY);
  for (const [name, bytes] of [
    [MANIFEST, manifestBytes],
    [SIGNATURE, sig],
    [PUBLIC_KEY, pem],
  ] as const) {
    if (!bytes && !readProblems.some((p) => p.startsWith(`${name}:`))) result.problems.push(`${name}: missing from the bundle`);
  }
  if (!manifestBytes || !sig || !pem) return result;
  const keyPem = options.expectedPublicKeyPem ?? strFromU8(pem);
  try {
    result.fingerprint = keyFingerprint(strFromU8(pem));
    for (const expected of [options.expectedPublicKeyPem && keyFingerprint(options.expectedPublicKeyPem), options.expectedFingerprint]) {
      if (expected && expected !== result.fingerprint) {
        result.problems.push(`${PUBLIC_KEY}: the bundle was signed with key ${result.fingerprint}, not the expected ${expected}`);
        break;
      }
    }
    const key = createPublicKey(keyPem);
    // verify(null, …) checks whatever the key's algorithm is (RSA with SHA-256, ECDSA): a bundle is signed with Ed25519
    // only, and a bundle carrying another kind of key is not one Weft signed.
    const valid = key.asymmetricKeyType === 'ed25519' && verify(null, manifestBytes, key, Buffer.from(strFromU8(sig).trim(), 'base64'));
    if (key.asymmetricKeyType !== 'ed25519')
      result.problems.push(`${PUBLIC_KEY}: an ${key.asymmetricKeyType ?? 'unknown'} key, not the Ed25519 key bundles are signed with`);
    else if (!valid) result.problems.push(`${MANIFEST}: the signature in ${SIGNATURE} does not match it (the manifest or the signature was changed)`);
  } catch (err) {
    result.problems.push(`${PUBLIC_KEY}: not a usable Ed25519 public key (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(manifestBytes));
  } catch {
    result.problems.push(`${MANIFEST}: not valid JSON`);
    return result;
  }
  const shape = manifestShapeProblem(parsed);
  if (shape) {
    result.problems.push(`${MANIFEST}: ${shape}`);
    return result;
  }
  result.manifest = parsed as Manifest;
  for (const name of names) {
    if (unsafePath(name)) result.problems.push(`${JSON.stringify(name)}: ${UNSAFE}`);
  }
  const listed = new Set<string>();
  for (const f of result.manifest.files) {
    if (listed.has(f.path)) {
      result.problems.push(`${f.path}: listed more than once in the manifest (Weft lists each file once)`);
      continue;
    }
    listed.add(f.path);
    if (unsafePath(f.path)) result.problems.push(`${JSON.stringify(f.path)}: listed in the manifest, ${UNSAFE}`);
    const bytes = data.get(f.path);
    if (!bytes) {
      if (!readProblems.some((p) => p.startsWith(`${f.path}:`))) result.problems.push(`${f.path}: listed in the manifest but missing from the bundle`);
      continue;
    }
    if (sha256Hex(bytes) !== f.sha256) result.problems.push(`${f.path}: its SHA-256 differs from the manifest's (the file was changed)`);
    else if (bytes.length !== f.bytes) result.problems.push(`${f.path}: ${bytes.length} bytes, the manifest says ${f.bytes}`);
    else result.checked.push(f.path);
  }
  for (const name of names) {
    if (!listed.has(name) && name !== MANIFEST && name !== SIGNATURE && name !== PUBLIC_KEY)
      result.problems.push(`${name}: in the bundle but not listed in the manifest`);
  }
  return result;
}

const UNSAFE = 'not a path Weft writes in a bundle (absolute, "..", a backslash or a control character): an extracting tool may write it outside its folder';

/**
 * True for an entry name a bundle never holds and an extractor may resolve outside its target folder (zip slip):
 * absolute (`/x`, `C:x`), a `.` or `..` segment, an empty segment, a backslash, or a control character.
 */
function unsafePath(name: string): boolean {
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) return true;
  if (/[\u0000-\u001f\u007f]/.test(name)) return true;
  return name.split('/').some((segment, i, all) => segment === '.' || segment === '..' || (segment === '' && i < all.length - 1));
}

/** Why a parsed manifest.json is not a bundle manifest (`files`: an array of `{ path, sha256, bytes }`), or null. */
function manifestShapeProblem(m: unknown): string | null {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'not a bundle manifest (not a JSON object)';
  // The zip's entries are dated generatedAt (canonicalZip): a zip date lies in 1980 to 2099.
  const generatedAt: unknown = (m as { generatedAt?: unknown }).generatedAt;
  const year = typeof generatedAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(generatedAt) ? new Date(generatedAt).getUTCFullYear() : NaN;
  if (!(year >= 1980 && year <= 2099)) return `not a bundle manifest (its "generatedAt" is not a time from 1980 to 2099: ${JSON.stringify(generatedAt)})`;
  const files: unknown = (m as { files?: unknown }).files;
  if (!Array.isArray(files)) return 'not a bundle manifest (its "files" is not a list)';
  const bad = files.findIndex(
    (f: unknown) =>
      typeof f !== 'object' ||
      f === null ||
      typeof (f as ManifestFile).path !== 'string' ||
      typeof (f as ManifestFile).sha256 !== 'string' ||
      !Number.isSafeInteger((f as ManifestFile).bytes),
  );
  return bad === -1 ? null : `not a bundle manifest (its files[${bad}] is not { path, sha256, bytes })`;
}

/**
 * Why `zip` is not the bundle the report run `run` wrote, or null when it is: its manifest.json must hash to the run's
 * recorded `manifestSha256` (hex SHA-256) and name the run's id. What a run recorded as its file is a path, and what is
 * at that path may since have been replaced (or, for a run recorded by `weft report` on another host, never have been
 * the bundle): only bytes that are the run's bundle are served. Never throws.
 */
export function bundleRunMismatch(zip: Uint8Array, run: { id: string; manifestSha256: string }): string | null {
  let manifest: Uint8Array | undefined;
  try {
    manifest = unzipSync(zip, { filter: (f) => f.name === MANIFEST })[MANIFEST];
  } catch {
    return 'not a readable zip';
  }
  if (!manifest) return `no ${MANIFEST} in it`;
  if (!run.manifestSha256 || sha256Hex(manifest) !== run.manifestSha256) return `its ${MANIFEST} is not the one recorded for the report`;
  try {
    const id = (JSON.parse(strFromU8(manifest)) as { reportId?: unknown }).reportId;
    return id === run.id ? null : `its ${MANIFEST} names report ${String(id)}`;
  } catch {
    return `its ${MANIFEST} is not valid JSON`;
  }
}
