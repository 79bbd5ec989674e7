import { readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../access/index.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { openStore } from '../../clickhouse/index.ts';
import { parseArgs } from '../../core/config/index.ts';
import { reportCommand } from './report.ts';
import { main } from '../main.ts';

// Regression: `weft report --data` wrote a signed bundle of the store's evidence and left no row in that store's
// audit log (the API records a report it starts; the CLI's export went unrecorded), so who took which report out, and
// when, was not on record.
describe('weft report --data records the export in the audit log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await createAuditLog(h.store).append({ name: 'reports-admin', role: 'admin' }, 'token.create', 'someone');
    await h.collector.stop();
    await h.store.close();
  }, 60_000);
  afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

  it('appends report.export (who, which report and period, what format, where), continuing the chain', async () => {
    const out = join(h.dir, 'report.zip');
    const printed: string[] = [];
    await reportCommand.run(parseArgs(['--data', h.dir, '--since', '2h', '--late-arrival', '1s', '--out', out]), {
      out: (t) => printed.push(t),
      err: () => undefined,
      env: {},
      cwd: h.dir,
    });
    const zip = new Uint8Array(readFileSync(out));
    const manifest = JSON.parse(strFromU8(unzipSync(zip)['manifest.json'])) as { reportId: string; period: { since: string; until: string } };
    const store = await openStore({ kind: 'embedded', path: join(h.dir, 'data') });
    try {
      const log = createAuditLog(store);
      const entries = await log.list();
      expect(entries.map((e) => e.action)).toEqual(['token.create', 'report.export']);
      const e = entries[1];
      expect([e.actor, e.role, e.subject]).toEqual([`cli:${userInfo().username}`, 'admin', manifest.reportId]);
      expect(JSON.parse(e.detail)).toMatchObject({
        since: manifest.period.since,
        until: manifest.period.until,
        format: 'bundle',
        file: out,
        bytes: zip.length,
        manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(Math.abs(Date.parse(e.at) - Date.now())).toBeLessThan(120_000);
      expect((await log.verify()).ok).toBe(true);
    } finally {
      await store.close();
    }
    // The check it prints verifies the bundle against the data directory's key, not the key the bundle carries
    const check = printed.join('\n').split('\n').at(-1)!;
    expect(check).toBe(`Check it: weft report verify ${out} --data ${h.dir}`);
    const verified: string[] = [];
    const code = await main(check.replace('Check it: weft ', '').split(' '), {
      out: (t) => verified.push(t),
      err: (t) => verified.push(t),
      env: {},
      cwd: h.dir,
    });
    expect([code, verified.join('\n')]).toEqual([0, expect.stringContaining(`Weft's report key, from the data directory ${h.dir}`)]);
  }, 120_000);
});
