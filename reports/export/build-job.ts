import type { KeyObject } from 'node:crypto';
import { assembleReport } from '../assemble.ts';
import { buildBundle } from '../bundle/bundle.ts';
import type { ReportPairing } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { withCatalogAlertRules } from '../source/report-source.ts';

/**
 * Everything the CPU-heavy half of a report needs, as plain data (what a worker thread can be sent): the data read
 * from the store (`readStoredReportData`: the alert rules are derived here when the store records none), who asked and when, and the signing key (a `KeyObject` crosses threads as it is).
 */
export interface BuildJob {
  data: ReportData;
  meta: { id: string; requestedBy: string; now: Date; pairing?: ReportPairing };
  key: { privateKey: KeyObject; publicKeyPem: string; fingerprint: string };
}

/** The signed bundle (zip bytes) and the SHA-256 (hex) of its manifest, what a report run records. */
export interface BuildOutput {
  zip: Uint8Array;
  manifestSha256: string;
}

/**
 * Assembles the report (sections, data shaping) and renders, hashes, signs and zips it: the whole CPU-bound part of a
 * report, pure apart from reading nothing but its argument. Runs in a worker thread (`buildInWorker`) or, given
 * `assembly: 'loop'`, on the caller's thread; the bytes are the same either way. Throws what assembly or rendering throws.
 */
export async function runBuildJob(job: BuildJob): Promise<BuildOutput> {
  const report = assembleReport(withCatalogAlertRules(job.data), job.meta);
  const bundle = await buildBundle(report, job.key);
  return { zip: bundle.zip, manifestSha256: bundle.manifestSha256 };
}
