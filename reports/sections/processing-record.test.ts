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
      "1 lacks a purpose, data subjects, personal data categories, a retention limit, the recipient's region (so whether it is a third-country transfer) or a third-country transfer's safeguard",
    );
  });
});

// Regression (break test): a transfer to a third country showed only "yes: US (outside the EEA)", with nowhere to record
// the safeguard it rests on (Art. 30(1)(e); GDPR Chapter V), and counted as a complete record.
describe('record of processing: the safeguard of a third-country transfer (Art. 30(1)(e))', () => {
  const transfer = (t: string) => record(estate(complete, `region: US, ${t}`));
  const cell = (r: ReturnType<typeof record>) => r.tables.find((t) => t.id === 'register')!.rows[0][5];
  it('shows the safeguard, and counts a transfer without one (or an Art. 49 derogation without its documentation) as incomplete', () => {
    const scc = transfer('transfer: { mechanism: standard-contractual-clauses, documentation: "https://legal.example/scc-2021-914" },');
    expect(cell(scc)).toBe('yes: US (outside the EEA); safeguard: standard contractual clauses (Art. 46), documented in https://legal.example/scc-2021-914');
    expect(scc.figures).toContainEqual({ label: 'records incomplete', value: 0 });
    const none = transfer('');
    expect(cell(none)).toBe('yes: US (outside the EEA); safeguard not documented');
    expect(none.figures).toContainEqual({ label: 'records incomplete', value: 1 });
    expect(incomplete(estate(complete, 'region: US, transfer: { mechanism: derogation-art-49 },'))).toBe(1);
    expect(incomplete(estate(complete, 'region: US, transfer: { mechanism: derogation-art-49, documentation: DPA-2026-17 },'))).toBe(0);
    // Within the EEA there is no transfer to safeguard.
    expect(incomplete(estate(complete, 'region: IE,'))).toBe(0);
  });
});

// Regression (break test): the record had no controller, joint controller, representative or DPO anywhere
// (Art. 30(1)(a)), and the catalog had nowhere to say them: an auditor rejects a record without them.
describe('record of processing: the controller (Art. 30(1)(a))', () => {
  const controller = `controller:
  name: Example GmbH
  contact: Hauptstr. 1, 10115 Berlin, privacy@example.com
  jointControllers: [{ name: Partner AG, contact: partner@example.com }]
  dpo: { name: Dana Prot, contact: dpo@example.com }
`;
  it('names the controller, its joint controllers, representative and DPO from the catalog', () => {
    const r = record(controller + estate(complete, 'region: IE,'));
    expect(r.tables.find((t) => t.id === 'controller')!.rows).toEqual([
      ['Controller', 'Example GmbH, Hauptstr. 1, 10115 Berlin, privacy@example.com'],
      ['Joint controller', 'Partner AG, partner@example.com'],
      ['Representative (Art. 27)', 'none recorded'],
      ['Data protection officer', 'Dana Prot, dpo@example.com'],
    ]);
    expect(r.figures).toContainEqual({ label: 'controller recorded', value: 'yes' });
    expect(r.summary.at(-1)).toBe(
      'Controller (Art. 30(1)(a)): Example GmbH, Hauptstr. 1, 10115 Berlin, privacy@example.com; data protection officer: Dana Prot, dpo@example.com.',
    );
  });

  it('says the record is not complete without a controller, and what to add', () => {
    const r = record(estate(complete, 'region: IE,'));
    expect(r.tables.find((t) => t.id === 'controller')!.rows).toEqual([]);
    expect(r.figures).toContainEqual({ label: 'controller recorded', value: 'no' });
    expect(r.summary.at(-1)).toContain('add controller: { name, contact }');
  });
});

// Regression (break test): a report of 14:52:10 to 14:52:40 listed an undocumented regulated flow known only from its
// finding with "19 traces, 2063 records, last seen 14:55:15": the finding's own evidence, counted after the period ended.
describe('record of processing: undocumented regulated flows known from a finding', () => {
  it('shows no counts and no time outside the period from the finding', () => {
    const catalog = catalogFrom(estate(complete, 'region: IE,'));
    const finding = {
      kind: 'regulated-data-exposure',
      subject: { systems: ['erp', 'crm'], flows: [], domains: ['customer'] },
      evidence: { documented: false, integration: 'writeback', domain: 'customer', traces: 19, records: 2063, sampleTraceIds: ['abc'] },
      firstSeen: '2026-12-02T14:52:18.000Z',
      lastSeen: '2026-12-02T14:55:15.000Z',
    };
    const section = processingRecordSection({
      period: { since: '2026-12-02T14:52:10.000Z', until: '2026-12-02T14:52:40.000Z' },
      catalog,
      edges: [],
      findings: [finding],
    } as unknown as ReportData);
    const t = section.tables.find((x) => x.id === 'undocumented-regulated')!;
    expect(t.rows).toEqual([['erp → crm', 'writeback', 'customer (pii)', null, null, '2026-12-02 14:52:18 UTC', '', 'abc']]);
    expect(section.summary.at(-2)).toContain('1 of them is known from a regulated-data-exposure finding open in the period');
  });
});
