import type { Section, SectionId } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { auditLogSection } from './audit-log.ts';
import { catalogHistorySection } from './catalog-history.ts';
import { exceptionsSection } from './exceptions.ts';
import { inventorySection } from './inventory.ts';
import { monitoringCoverageSection } from './monitoring-coverage.ts';
import { processingIntegritySection } from './processing-integrity.ts';
import { processingRecordSection } from './processing-record.ts';

/** Every report section in report order: a pure function of the report data each. Adding one adds an entry. */
export const sectionBuilders: ReadonlyArray<[SectionId, (data: ReportData) => Section]> = [
  ['inventory', inventorySection],
  ['processing-record', processingRecordSection],
  ['processing-integrity', processingIntegritySection],
  ['monitoring-coverage', monitoringCoverageSection],
  ['exceptions', exceptionsSection],
  ['catalog-history', catalogHistorySection],
  ['audit-log', auditLogSection],
];
