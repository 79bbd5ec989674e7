import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import type { Store } from '../../clickhouse/index.ts';
import type { FindingCandidate } from '../../core/contracts/index.ts';
import { createFindingStore, findingId } from '../../findings/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { clickhouseReportSource } from '../source/clickhouse-source.ts';
import { readStoredReportData } from '../source/report-source.ts';
import { exceptionsSection } from './exceptions.ts';
import { processingIntegritySection } from './processing-integrity.ts';

const candidate = (key: string): FindingCandidate => ({
  kind: 'undocumented-flow',
  key,
  severity: 'medium',
  title: `flow ${key}`,
  subject: { systems: key.split('->'), flows: [], domains: [] },
  evidence: { traces: 3 },
  hint: 'document it',
});
const at = (hhmm: string) => new Date(`2026-11-10T${hhmm}:00.000Z`);
/** The period reported: 10:00 to 11:00. */
const period = { since: at('10:00').toISOString(), until: at('11:00').toISOString() };

// regression: the exceptions of a period were read from each finding's current state. A finding resolved before the
// period and reopened after it (a reopened finding keeps its first seen) was listed as an exception of the period,
// status "open"; one opened in the period and resolved after it counted as "resolved" in the period's figures.
describe('exceptions of a period, as at its end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-exceptions-period-'));
  let store: Store;
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    const findings = createFindingStore(store);
    const sync = (keys: string[], now: string) => findings.sync(['undocumented-flow'], keys.map(candidate), at(now));
    await sync(['a->b', 'c->d'], '09:00'); // both open before the period
    await sync(['c->d'], '09:30'); // a->b resolved before the period
    await sync(['c->d', 'e->f'], '10:15'); // e->f opened in it
    await sync(['e->f'], '10:45'); // c->d resolved in it
    await sync(['a->b'], '11:30'); // after it: a->b reopened, e->f resolved
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists what was open in the period with its status at the end, and counts resolutions made by then', async () => {
    const data = await readStoredReportData(clickhouseReportSource(store), period, { catalog: catalogFrom('') });
    const section = exceptionsSection(data);
    const population = section.tables.find((t) => t.id === 'population')!;
    const status = population.columns.findIndex((c) => c.key === 'status');
    expect(population.columns[status].label).toBe('Status at the end of the period');
    expect(Object.fromEntries(population.rows.map((r) => [r[1], r[status]]))).toEqual({
      [findingId('undocumented-flow', 'c->d')]: 'resolved',
      [findingId('undocumented-flow', 'e->f')]: 'open',
    });
    expect(section.figures.find((f) => f.label === 'resolved')?.value).toBe(1);
    expect(section.summary[1]).toMatch(/^2 exceptions: 0 acknowledged, 1 resolved, 1 still open or acknowledged at the end of the period\./);
  });

  it('shows drift findings with their status at the end of the period too', async () => {
    const findings = createFindingStore(store);
    const drift = { ...candidate('crm:erp'), kind: 'record-count-drift' as const };
    await findings.sync(['record-count-drift'], [drift], at('10:30'));
    await findings.sync(['record-count-drift'], [], at('11:10'));
    const data = await readStoredReportData(clickhouseReportSource(store), period, { catalog: catalogFrom('') });
    const table = processingIntegritySection(data).tables.find((t) => t.id === 'drift-findings')!;
    const status = table.columns.findIndex((c) => c.key === 'status');
    expect(table.columns[status].label).toBe('Status at the end of the period');
    expect(table.rows.map((r) => r[status])).toEqual(['open']);
  });
});

// regression: a finding's acknowledgement was read from its current row, which a reopening clears: one acknowledged in
// the period and reopened after it showed status "acknowledged" at the end with no one acknowledging it, and the
// summary said "0 acknowledged"; one acknowledged and reopened within the period was not counted acknowledged either.
describe('acknowledgements of a period, as at its end, whatever happened to the finding since', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-exceptions-ack-'));
  let store: Store;
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    let now = at('10:05');
    const findings = createFindingStore(store, { now: () => now });
    await findings.sync(['undocumented-flow'], [candidate('g->h'), candidate('i->j'), candidate('k->l'), candidate('m->n')], now);
    now = at('10:10');
    await findings.acknowledge(findingId('undocumented-flow', 'i->j'), 'carol', 'looking');
    now = at('10:20');
    await findings.acknowledge(findingId('undocumented-flow', 'g->h'), 'ana', 'known batch');
    now = at('10:30');
    await findings.reopen(findingId('undocumented-flow', 'i->j'), 'dave', 'not explained');
    now = at('10:40'); // m->n's condition clears in the period
    await findings.sync(['undocumented-flow'], [candidate('g->h'), candidate('i->j'), candidate('k->l')], now);
    now = at('11:40'); // after the period
    await findings.reopen(findingId('undocumented-flow', 'g->h'), 'ben', 'came back');
    now = at('11:50'); // m->n comes back after it
    await findings.sync(['undocumented-flow'], [candidate('g->h'), candidate('i->j'), candidate('k->l'), candidate('m->n')], now);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names who acknowledged in the period and counts it, beside the status at the end', async () => {
    const data = await readStoredReportData(clickhouseReportSource(store), period, { catalog: catalogFrom('') });
    const section = exceptionsSection(data);
    const population = section.tables.find((t) => t.id === 'population')!;
    const col = (key: string) => population.columns.findIndex((c) => c.key === key);
    const byId = Object.fromEntries(
      population.rows.map((r) => [r[1], [r[col('ackBy')], r[col('ackAt')], r[col('status')], r[col('hoursToAck')], r[col('resolved')]]]),
    );
    expect(byId).toEqual({
      [findingId('undocumented-flow', 'g->h')]: ['ana', '2026-11-10 10:20:00 UTC', 'acknowledged', 0.25, ''],
      [findingId('undocumented-flow', 'i->j')]: ['carol', '2026-11-10 10:10:00 UTC', 'open', 0.08, ''],
      [findingId('undocumented-flow', 'k->l')]: ['', '', 'open', null, ''],
      // resolved in the period, reopened since: its row no longer holds the resolution, its history does
      [findingId('undocumented-flow', 'm->n')]: ['', '', 'resolved', null, '2026-11-10 10:40:00 UTC'],
    });
    expect(section.figures.find((f) => f.label === 'acknowledged')?.value).toBe(2);
    expect(section.summary[1]).toMatch(/^4 exceptions: 2 acknowledged, 1 resolved, 3 still open or acknowledged at the end of the period\./);
  });
});
