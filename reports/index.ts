export type { Report, Section, SectionId, Table, Column, Cell, Chart, Period, Recorded } from './model.ts';
export { NOT_RECORDED } from './model.ts';
export type { ReportData, CatalogVersion, AlertRow, AlertRuleRow, RemediationRow, AuditLogRow } from './source/report-data.ts';
export type { ReportSource, ReadOptions } from './source/report-source.ts';
export { readReportData } from './source/report-source.ts';
export { clickhouseReportSource } from './source/clickhouse-source.ts';
export { optionalTables } from './source/optional-tables.ts';
export { assembleReport } from './assemble.ts';
export { sectionBuilders } from './sections/index.ts';
export { tableToCsv, csvField } from './render/csv.ts';
export { buildBundle, reportFiles } from './bundle/bundle.ts';
export type { Manifest, ManifestFile } from './bundle/bundle.ts';
export { BUNDLE_FILES, bundleRunMismatch, isBundleLayout, verifyBundle, verifyBundleFiles, zipKind } from './bundle/verify.ts';
export type { VerifyOptions, VerifyResult } from './bundle/verify.ts';
export { loadOrCreateSigningKey, keyFingerprint, parseKeyFingerprint, signingKeyPaths } from './bundle/signing-key.ts';
export type { SigningKey } from './bundle/signing-key.ts';
export { CatalogVersionStore } from './catalog-history/catalog-versions.ts';
export { diffCatalogs, catalogSha256 } from './catalog-history/catalog-diff.ts';
export { ReportRunStore } from './runs/report-runs.ts';
export type { ReportRun, ReportStatus, ReportTrigger } from './runs/report-runs.ts';
export { createReportService } from './service.ts';
export type { ReportService, ReportServiceOptions, ReportRequest, ReportResult } from './service.ts';
export { resolvePeriod } from './period.ts';
export {
  ERR_REPORT_BUILD,
  ERR_REPORT_BUNDLE_CHANGED,
  ERR_REPORT_NOT_FOUND,
  ERR_REPORT_NOT_READY,
  ERR_REPORT_PERIOD,
  ERR_REPORTS_BUSY,
  ERR_SIGNING_KEY,
} from './errors.ts';
export { DEFAULT_EXPORT_LIMITS, ExportSlots } from './export/export-slots.ts';
export type { ExportLimits, ExportTicket } from './export/export-slots.ts';
export { buildInWorker } from './export/worker-build.ts';
export { runBuildJob } from './export/build-job.ts';
export type { BuildJob, BuildOutput } from './export/build-job.ts';
export { startReports } from './start-reports.ts';
export type { ReportsRuntime, StartReportsOptions } from './start-reports.ts';
export { startReportSchedules } from './schedule/scheduled-reports.ts';
export type { ReportSchedules, ScheduleOptions } from './schedule/scheduled-reports.ts';
export { sendReportEmail } from './schedule/email.ts';
export type { SendReport } from './schedule/email.ts';
