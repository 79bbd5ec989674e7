import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { parseArgs } from '../../core/config/index.ts';
import { auditCommand } from './audit.ts';

describe('weft audit', () => {
  let h: Harness;
  const weft = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await auditCommand.run(parseArgs(argv), { out: (t) => out.push(t), err: () => undefined, env: {}, cwd: h.dir });
    return { code, out: out.join('\n') };
  };

  beforeAll(async () => {
    h = await startHarness();
    writeFileSync(join(h.dir, 'estate.yaml'), baseCatalogYaml);
    await sendEstateTraffic(h.collector.url, Date.now() - 15 * 60_000);
    await h.collector.flush();
    // The audit opens the data directory itself, as it would after Weft stopped.
    await h.collector.stop();
    await h.store.close();
  });
  afterAll(async () => {
    const { rmSync } = await import('node:fs');
    rmSync(h.dir, { recursive: true, force: true });
  });

  it('prints the stable JSON contract and fails on findings at or above --fail-on', async () => {
    const r = await weft('--catalog', 'estate.yaml', '--data', h.dir, '--since', '1h', '--format', 'json', '--fail-on', 'critical');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ version: 1, failOn: 'critical', failed: true, catalog: { systems: 5, flows: 5 } });
    expect(report.summary.flows).toMatchObject({ documented: 5, undocumented: 2, neverObserved: 1 });
    expect(report.summary.systems).toMatchObject({ documented: 5, unknown: 1 });
    expect(report.findings[0]).toMatchObject({ kind: 'regulated-data-exposure', severity: 'critical', subject: { domains: ['customer'] } });
    // No flow-never-observed: the spans arrived moments ago, and coverage is measured in arrival time (a fresh store is not an alarm).
    // No stale-flow either: runs 15 minutes old by their own clocks arrived moments ago, and a flow's silence is counted
    // from the later of the two (a writer's clock behind Weft's, or spans exported late, is not a flow that stopped).
    expect(Object.keys(report.summary.findings.byKind).sort()).toEqual([
      'deprecated-in-use',
      'error-rate',
      'latency-slo-breach',
      'owner-missing',
      'regulated-data-exposure',
      'sor-violation',
      'undocumented-flow',
      'unknown-system',
    ]);
  });

  it('passes when nothing reaches the threshold, and prints a table and markdown', async () => {
    const table = await weft('--catalog', 'estate.yaml', '--data', h.dir, '--since', '1h');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^CRITICAL  regulated-data-exposure +pii data \(customer\) moves crm → unknown:api.unknown-saas.com/m);
    const md = await weft('--catalog', 'estate.yaml', '--data', h.dir, '--format', 'markdown');
    expect(md.out).toContain('| severity | kind | finding | subject | what to do |');
  });

  it('rejects a bad --format or --fail-on with what it takes', async () => {
    await expect(weft('--catalog', 'estate.yaml', '--data', h.dir, '--format', 'xml')).rejects.toThrow('--format takes table, json or markdown, got "xml".');
    await expect(weft('--catalog', 'estate.yaml', '--data', h.dir, '--fail-on', 'severe')).rejects.toThrow(
      '--fail-on takes info, low, medium, high, critical, got "severe".',
    );
    await expect(weft('--catalog', 'estate.yaml', '--data', join(h.dir, 'nowhere'))).rejects.toThrow(
      `No Weft data to audit: ${join(h.dir, 'nowhere')} does not exist. Pass --data`,
    );
  });

  it('takes --data exactly as weft start prints the store, and says so for an empty or foreign directory instead of creating a store', async () => {
    const printed = await weft('--catalog', 'estate.yaml', '--data', join(h.dir, 'data'), '--since', '1h', '--format', 'json');
    expect(JSON.parse(printed.out).summary.flows.documented).toBe(5);
    const { mkdirSync, writeFileSync, readdirSync } = await import('node:fs');
    mkdirSync(join(h.dir, 'empty'));
    await expect(weft('--catalog', 'estate.yaml', '--data', join(h.dir, 'empty'))).rejects.toThrow(`No Weft data to audit: ${join(h.dir, 'empty')} is empty.`);
    expect(readdirSync(join(h.dir, 'empty'))).toEqual([]);
    mkdirSync(join(h.dir, 'photos'));
    writeFileSync(join(h.dir, 'photos', 'cat.jpg'), 'x');
    await expect(weft('--catalog', 'estate.yaml', '--data', join(h.dir, 'photos'))).rejects.toThrow('holds no Weft store');
  });
});
