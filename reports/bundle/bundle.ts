import { createHash, sign } from 'node:crypto';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Report } from '../model.ts';
import { tableToCsv } from '../render/csv.ts';
import type { SigningKey } from './signing-key.ts';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const PUBLIC_KEY = 'public-key.pem';

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** manifest.json: every file of the bundle with its SHA-256; signed (Ed25519) as the exact bytes stored. */
export interface Manifest {
  version: 1;
  reportId: string;
  generatedAt: string;
  period: { since: string; until: string };
  hash: 'sha256';
  files: ManifestFile[];
  signature: { algorithm: 'Ed25519'; file: typeof SIGNATURE; publicKey: typeof PUBLIC_KEY; publicKeyFingerprint: string };
}

export const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The report's files: the PDF, report.json, one CSV per table (`csv/<section>-<table>.csv`). */
export async function reportFiles(report: Report): Promise<Map<string, Uint8Array>> {
  // The PDF renderer and the chart library (~1.2 s to load) are loaded by the first report, not by every process
  // that imports reports/ (weft start, weft report verify).
  const { renderPdf } = await import('../render/pdf.ts');
  const files = new Map<string, Uint8Array>();
  files.set('report.pdf', new Uint8Array(await renderPdf(report)));
  files.set('report.json', strToU8(`${JSON.stringify(report, null, 2)}\n`));
  for (const s of report.sections) for (const t of s.tables) files.set(`csv/${s.id}-${t.id}.csv`, strToU8(tableToCsv(t)));
  return files;
}

/**
 * The evidence bundle (zip): the report's files, manifest.json listing each with its SHA-256,
 * manifest.sig (the Ed25519 signature of manifest.json, base64) and public-key.pem. Returns the zip
 * and the manifest's SHA-256 (what a report run records).
 */
export async function buildBundle(report: Report, key: SigningKey): Promise<{ zip: Uint8Array; manifestSha256: string; manifest: Manifest }> {
  const files = await reportFiles(report);
  const manifest: Manifest = {
    version: 1,
    reportId: report.id,
    generatedAt: report.generatedAt,
    period: report.period,
    hash: 'sha256',
    files: [...files].map(([path, data]) => ({ path, sha256: sha256Hex(data), bytes: data.length })),
    signature: { algorithm: 'Ed25519', file: SIGNATURE, publicKey: PUBLIC_KEY, publicKeyFingerprint: key.fingerprint },
  };
  const manifestBytes = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = sign(null, manifestBytes, key.privateKey).toString('base64');
  const entries: Array<[string, Uint8Array]> = [
    ...files,
    [MANIFEST, manifestBytes],
    [SIGNATURE, strToU8(`${signature}\n`)],
    [PUBLIC_KEY, strToU8(key.publicKeyPem)],
  ];
  return { zip: canonicalZip(entries, new Date(report.generatedAt)), manifestSha256: sha256Hex(manifestBytes), manifest };
}

/**
 * The bundle's zip layout: entries stored uncompressed, in order, all dated `mtime`. The same
 * entries always give the same bytes, so `weft report verify` can rebuild the zip and catch a
 * changed byte anywhere, headers included, not only inside the signed files.
 */
export function canonicalZip(entries: Array<[string, Uint8Array]>, mtime: Date): Uint8Array {
  // Zip times are local wall-clock fields: shift so they read as UTC on any machine (same bytes in any time zone).
  const wallClock = new Date(mtime.getTime() + mtime.getTimezoneOffset() * 60_000);
  const zippable: Zippable = {};
  for (const [path, data] of entries) zippable[path] = [data, { level: 0, mtime: wallClock }];
  return zipSync(zippable);
}
