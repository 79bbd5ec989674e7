import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../access/index.ts';
import { toChTime, type Store } from '../../clickhouse/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { readAuditLog } from '../source/optional-tables.ts';
import { auditLogSection } from './audit-log.ts';
import type { ReportData } from '../source/report-data.ts';

// regression: the audit-log section listed the period's rows and their hashes and said only that "rows are
// hash-chained": a row altered, removed or forged in the store was exported under the signature as it was, and the
// report said nothing of it
describe('the audit-log section checks the chain of the rows it reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-audit-chain-'));
  let store: Store;
  const since = new Date(Date.now() - 60_000).toISOString();
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 30, rollupDays: 30, recordDays: 30 });
    const log = createAuditLog(store);
    await log.append({ name: 'ana', role: 'admin' }, 'finding.acknowledge', 'f-1', { note: 'known' });
    await log.append({ name: 'ben', role: 'auditor' }, 'report.create', 'r-1', {});
    await log.append({ name: 'ana', role: 'admin' }, 'catalog.reload', 'estate', {});
  }, 60_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const section = async () => {
    const period = { since, until: new Date(Date.now() + 1000).toISOString() };
    return auditLogSection({ period, auditLog: await readAuditLog(store, period) } as unknown as ReportData);
  };

  it('says the rows hold together, naming the last hash, when they do', async () => {
    const s = await section();
    const last = s.tables[0].rows.at(-1)!;
    expect(s.summary[2]).toBe(
      `The period's rows (seq 1 to 3) were checked when this report was made: each matches its hash and follows the one before; the period's last row's hash is ${last[7]}. No row follows the period's last: rows removed from the end of the log cannot be seen from the rows alone; compare its hash with a later report's, or run weft audit-log verify.`,
    );
    expect(s.figures.find((f) => f.label === 'chain of the period')?.value).toBe('intact');
  });

  it('says BROKEN, naming each row, for a forged row and a gap', async () => {
    const rows = (await readAuditLog(store, { since, until: new Date(Date.now() + 1000).toISOString() })) as { recorded: true; rows: Array<{ hash: string }> };
    const at = toChTime(new Date());
    const forged = { at, actor: 'mallory', role: 'admin', action: 'token.create', subject: 'x', detail: '{}', nonce: '00000000000000aa' };
    await store.client.insert({
      table: 'weft_audit_log',
      values: [
        { seq: 4, ...forged, prev_hash: rows.rows[2].hash, hash: 'f'.repeat(64) },
        { seq: 7, ...forged, prev_hash: 'f'.repeat(64), hash: 'e'.repeat(64) },
      ],
      format: 'JSONEachRow',
    });
    const s = await section();
    expect(s.figures.find((f) => f.label === 'chain of the period')?.value).toBe('BROKEN');
    expect(s.summary[2]).toBe(
      "The period's rows (seq 1 to 7) do NOT hold together as a hash chain (3 problems): row 4 was altered: its content does not match its hash; rows 5–6 are missing (removed); row 7 was altered: its content does not match its hash. Run weft audit-log verify.",
    );
  });
});
