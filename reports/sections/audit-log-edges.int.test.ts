import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowHash, type AuditEntry } from '../../access/index.ts';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { readAuditLog } from '../source/optional-tables.ts';
import type { ReportData } from '../source/report-data.ts';
import { auditLogSection } from './audit-log.ts';

const H = 3_600_000;
const day = Date.parse('2026-03-02T00:00:00.000Z');
/** The period the report covers: 10:00 to 12:00 of the day. */
const period = { since: new Date(day + 10 * H).toISOString(), until: new Date(day + 12 * H).toISOString() };

/** A hash-chained log of rows stamped at `hours` of the day (row i is seq i + 1), as appenders write it. */
function chain(hours: number[]): AuditEntry[] {
  const rows: AuditEntry[] = [];
  for (const [i, h] of hours.entries()) {
    const base = {
      seq: i + 1,
      at: new Date(day + h * H).toISOString(),
      actor: 'ana',
      role: 'admin',
      action: 'finding.acknowledge',
      subject: `f-${i + 1}`,
      detail: '{}',
      prevHash: rows[i - 1]?.hash ?? '',
      nonce: `${i + 1}`.padStart(16, '0'),
    };
    rows.push({ ...base, hash: rowHash(base) });
  }
  return rows;
}

// Regression: the report's audit-log section checked only the rows stamped in its period against one another. Rows
// removed at the period's start or end, or every row of the period, left the rows that remained consistent, and the
// signed report said "intact" (or, with none left, nothing); and a row an appender's clock stamped just outside the
// period, between two inside it, was reported as removed.
describe("the audit-log section checks the chain across the period's edges", () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-audit-edges-'));
  let store: Store;
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 30, recordDays: 30 });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The section for the period over a log holding `rows` only (the table emptied first). */
  const section = async (rows: AuditEntry[]) => {
    await store.client.command({ query: 'TRUNCATE TABLE weft_audit_log' });
    const values = rows.map((r) => ({ ...r, at: toChTime(new Date(r.at)), prev_hash: r.prevHash }));
    if (values.length > 0) await store.client.insert({ table: 'weft_audit_log', values, format: 'JSONEachRow' });
    const s = auditLogSection({ period, auditLog: await readAuditLog(store, period) } as unknown as ReportData);
    return { text: s.summary[2], chain: s.figures.find((f) => f.label === 'chain of the period')?.value, listed: s.tables[0].rows.map((r) => r[0]) };
  };
  // Rows 1–2 before the period, 3–6 in it, 7–8 after it.
  const log = chain([8, 9, 10.5, 10.6, 11, 11.5, 13, 14]);
  const without = (...seqs: number[]) => log.filter((r) => !seqs.includes(r.seq));

  it('says intact for an untouched log, having checked the rows either side', async () => {
    expect(await section(log)).toEqual({
      text: `The period's rows (seq 3 to 6), with the rows either side of them (seq 2, seq 7), were checked when this report was made: each matches its hash and follows the one before; the period's last row's hash is ${log[5].hash}.`,
      chain: 'intact',
      listed: [3, 4, 5, 6],
    });
  });

  it("says BROKEN when the period's first rows were removed", async () => {
    const s = await section(without(3, 4));
    expect([s.chain, s.listed]).toEqual(['BROKEN', [5, 6]]);
    expect(s.text).toContain('(1 problem): rows 3–4 are missing (removed)');
  });

  it("says BROKEN when the period's last rows were removed, a row following them", async () => {
    const s = await section(without(5, 6));
    expect([s.chain, s.listed]).toEqual(['BROKEN', [3, 4]]);
    expect(s.text).toContain('(1 problem): rows 5–6 are missing (removed)');
  });

  it('says BROKEN when every row of the period was removed', async () => {
    expect(await section(without(3, 4, 5, 6))).toEqual({
      text: 'No row was stamped in the period, and the rows either side of it (seq 2, seq 7) do NOT hold together as a hash chain (1 problem): rows 3–6 are missing (removed). Run weft audit-log verify.',
      chain: 'BROKEN',
      listed: [],
    });
  });

  it('says BROKEN when the row just before the period was removed', async () => {
    const s = await section(without(2));
    expect(s.chain).toBe('BROKEN');
    expect(s.text).toContain('(1 problem): row 2 is missing (removed)');
  });

  it('says so when a period without rows has none removed', async () => {
    expect(await section(chain([8, 9, 13]))).toEqual({
      text: 'No row was stamped in the period; the rows either side of it (seq 2, seq 3) follow one another: none was removed from it.',
      chain: 'no row',
      listed: [],
    });
  });

  it("takes a row an appender's clock stamped outside the period, between two inside it, as the chain's", async () => {
    // Row 4's appender ran 40 minutes behind: stamped 09:50, between 10:30 and 11:00.
    const skewed = chain([8, 9, 10.5, 9.84, 11, 11.5, 13, 14]);
    const s = await section(skewed);
    expect([s.chain, s.listed]).toEqual(['intact', [3, 5, 6]]);
    expect(s.text).toContain('with the rows either side of them (seq 2, seq 4, seq 7), were checked');
  });

  it("says that rows removed from the log's end cannot be seen when the period reaches it", async () => {
    const s = await section(chain([8, 9, 10.5, 11]));
    expect(s.chain).toBe('intact');
    expect(s.text).toMatch(/No row follows the period's last: rows removed from the end of the log cannot be seen from the rows alone/);
  });

  it('names the row after the period, or before it, when only one side has one; and a period of one row as one', async () => {
    expect((await section(chain([10.5, 10.6, 13]))).text).toMatch(/^The period's rows \(seq 1 to 2\), with the row after them \(seq 3\), were checked/);
    expect((await section(chain([9, 10.5]))).text).toMatch(
      /^The period's one row \(seq 2\), with the row before it \(seq 1\), was checked when this report was made: it matches its hash/,
    );
  });

  it('checks from the first row when the period starts the log', async () => {
    const first = chain([10.5, 11, 13]);
    expect((await section(first)).chain).toBe('intact');
    expect((await section(first.slice(1))).text).toContain('row 1 is missing (removed)');
  });
});
