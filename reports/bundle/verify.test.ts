import { generateKeyPairSync, sign } from 'node:crypto';
import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { canonicalZip, MANIFEST, PUBLIC_KEY, SIGNATURE, sha256Hex } from './bundle.ts';
import { verifyBundle, verifyBundleFiles } from './verify.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const at = '2026-12-01T00:00:00.000Z';
const pdf = strToU8('%PDF the real report');
const listing = (files: Array<[string, Uint8Array]>) => files.map(([path, d]) => ({ path, sha256: sha256Hex(d), bytes: d.length }));

/** A bundle's entries signed with this test's key, the manifest listing `files` (or `manifestFiles` as given). */
function signed(files: Array<[string, Uint8Array]>, manifestFiles: unknown = listing(files), generatedAt: unknown = at): Array<[string, Uint8Array]> {
  const manifest = strToU8(JSON.stringify({ version: 1, reportId: 'r', generatedAt, period: { since: at, until: at }, hash: 'sha256', files: manifestFiles }));
  return [...files, [MANIFEST, manifest], [SIGNATURE, strToU8(`${sign(null, manifest, privateKey).toString('base64')}\n`)], [PUBLIC_KEY, strToU8(pem)]];
}

/** The zip with the entry named `from` renamed `to` (same length) in its local header and central directory. */
function renamed(zip: Uint8Array, from: string, to: string): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(zip).toString('latin1').split(from).join(to), 'latin1'));
}

describe('verifyBundle: entries and manifests Weft never writes', () => {
  it('accepts the bundle as written', () => {
    expect(verifyBundle(canonicalZip(signed([['report.pdf', pdf]]), new Date(at)))).toMatchObject({ ok: true, problems: [] });
  });

  // regression: a second report.pdf entry before the signed one was called a repacked zip whose files all match
  // ("report.pdf: its zip entry header was changed"), although a tool may show the forged one
  it.each([
    ['forged first', true],
    ['forged last', false],
  ])('names an entry name the zip holds twice (%s)', (_, forgedFirst) => {
    const forged: [string, Uint8Array] = ['report.pdX', strToU8('%PDF forged')];
    const real: [string, Uint8Array] = ['report.pdf', pdf];
    const entries = signed(forgedFirst ? [forged, real] : [real, forged], listing([real]));
    const result = verifyBundle(renamed(canonicalZip(entries, new Date(at)), 'report.pdX', 'report.pdf'));
    expect(result.ok).toBe(false);
    expect(result.repacked).toBe(false);
    expect(result.problems).toContain('report.pdf: the zip holds 2 entries of this name (Weft writes each once): which one a tool shows depends on the tool');
  });

  it('names entries an extractor could write outside its folder, even when signed', () => {
    for (const name of ['../x', '/etc/x', 'csv/../../x', 'C:x', 'csv\\..\\x', 'a\u0000b', './x']) {
      const result = verifyBundle(
        canonicalZip(
          signed([
            ['report.pdf', pdf],
            [name, strToU8('x')],
          ]),
          new Date(at),
        ),
      );
      expect(result.ok, name).toBe(false);
      expect(result.problems.join('\n'), name).toContain(`${JSON.stringify(name)}: not a path Weft writes in a bundle`);
    }
  });

  it('names a file the manifest lists twice, and a size that differs from the manifest', () => {
    const [entry] = listing([['report.pdf', pdf]]);
    expect(verifyBundle(canonicalZip(signed([['report.pdf', pdf]], [entry, entry]), new Date(at))).problems).toEqual([
      'report.pdf: listed more than once in the manifest (Weft lists each file once)',
    ]);
    expect(verifyBundleFiles(new Map(signed([['report.pdf', pdf]], [{ ...entry, bytes: 1 }]))).problems).toEqual([
      `report.pdf: ${pdf.length} bytes, the manifest says 1`,
    ]);
  });

  // regression: a signed manifest whose "files" was not a list threw "object is not iterable" instead of failing
  it.each([
    [{}, 'not a bundle manifest (its "files" is not a list)'],
    [null, 'not a bundle manifest (its "files" is not a list)'],
    [[{ path: 'report.pdf' }], 'not a bundle manifest (its files[0] is not { path, sha256, bytes })'],
    [[null], 'not a bundle manifest (its files[0] is not { path, sha256, bytes })'],
  ])('fails, never throws, for a signed manifest whose files are %j', (files, problem) => {
    const result = verifyBundle(canonicalZip(signed([['report.pdf', pdf]], files), new Date(at)));
    expect(result).toMatchObject({ ok: false, problems: [`${MANIFEST}: ${problem}`] });
  });

  // regression: a bundle signed with an RSA or ECDSA key (and carrying it) verified, and the CLI said "signed with Ed25519 key …"
  it.each(['rsa', 'ec'] as const)('fails a bundle signed with a key that is not Ed25519 (%s)', (type) => {
    const other = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const entries0 = signed([['report.pdf', pdf]]);
    const entries = entries0.map(([name, data]): [string, Uint8Array] => {
      if (name === PUBLIC_KEY) return [name, strToU8(other.publicKey.export({ type: 'spki', format: 'pem' }).toString())];
      if (name === SIGNATURE) {
        const manifest = entries0.find(([n]) => n === MANIFEST)![1];
        return [name, strToU8(sign(null, manifest, other.privateKey).toString('base64'))];
      }
      return [name, data];
    });
    const result = verifyBundle(canonicalZip(entries, new Date(at)));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([`${PUBLIC_KEY}: an ${type} key, not the Ed25519 key bundles are signed with`]);
  });

  // regression: a signed manifest dated before 1980 or after 2099 made verify throw "date not in range 1980-2099"; one
  // whose date was not a time was called a repacked zip whose files all match
  it.each(['1970-01-01T00:00:00Z', '2200-01-01T00:00:00Z', 'x', 5, null])('fails, never throws, for a signed manifest generated at %j', (generatedAt) => {
    const result = verifyBundle(canonicalZip(signed([['report.pdf', pdf]], undefined, generatedAt), new Date(at)));
    expect(result).toMatchObject({ ok: false, repacked: false });
    expect(result.problems).toEqual([`${MANIFEST}: not a bundle manifest (its "generatedAt" is not a time from 1980 to 2099: ${JSON.stringify(generatedAt)})`]);
  });
});
