import { describe, expect, it } from 'vitest';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import type { ReportData } from '../source/report-data.ts';
import { processingRecordSection } from './processing-record.ts';

const record = (yaml: string) => processingRecordSection({ catalog: catalogFrom(yaml), edges: [], findings: [] } as unknown as ReportData);
const incomplete = (yaml: string) => record(yaml).figures.find((f) => f.label === 'records incomplete')?.value;

const estate = (domain: string, erpRegion: string) => `
owners: [{ id: dpo, email: dpo@example.com }]
systems:
  - { id: crm, kind: crm, owner: dpo, region: DE, match: { hosts: [crm.internal] } }
  - { id: erp, kind: erp, owner: dpo, ${erpRegion} match: { hosts: [erp.internal] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], regulated: [pii], owner: dpo, ${domain} }
flows:
  - { id: customer-sync, source: crm, target: erp, domain: customer, owner: dpo, purpose: Invoicing }
`;
const complete = 'dataSubjects: [customers], personalData: [contact details], retention: 10 years';

// Regression (break test): a record with no categories of personal data (Art. 30(1)(c)) or whose recipient's region was
// not recorded (so whether it is a third-country transfer, Art. 30(1)(e), cannot be told) counted as complete:
// "0 records incomplete" on the cover of a register an auditor would reject.
describe('record of processing: records incomplete', () => {
  it('counts a record complete only with every Art. 30(1) field the catalog holds', () => {
    expect(incomplete(estate(complete, 'region: IE,'))).toBe(0);
    expect(incomplete(estate('dataSubjects: [customers], retention: 10 years', 'region: IE,'))).toBe(1);
    expect(incomplete(estate(complete, ''))).toBe(1);
    expect(record(estate(complete, '')).summary[1]).toContain(
      "1 lacks a purpose, data subjects, personal data categories, a retention limit or the recipient's region",
    );
  });
});
