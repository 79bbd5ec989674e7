import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { parseArgs } from '../../core/config/index.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import { lastPairingWindows, runPairing } from '../../analyzer/index.ts';
import { openStore } from '../../clickhouse/index.ts';
import { strFromU8, unzipSync } from 'fflate';
import { toolAvailable } from '../../test/services.ts';
import { auditCommand } from './audit.ts';
import { reportCommand } from './report.ts';
import { tokenListCommand } from './token.ts';
import { main } from '../main.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { CatalogVersionStore } from '../../reports/index.ts';

const catalogYaml = `
owners:
  - { id: icoe }
systems:
  - { id: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, owner: icoe, match: { hosts: [erp.internal] } }
flows:
  - { id: nightly-sync, source: crm, target: erp, owner: icoe, runtime: { service: nightly-sync } }
`;

const call = (method: string, url: string, start: number): SpanSpec => ({
  name: method,
  kind: api.SpanKind.CLIENT,
  start,
  durationMs: 20,
  attributes: { 'http.request.method': method, 'url.full': url },
});

/**
 * A stopped Weft's store holding one run of an integration that loses trace context: its read and its write are
 * two traces 45 s apart, one run for a Weft started with `--run-gap 2m` (two pieces with the default 30 s).
 */
async function storeOfAStoppedWeft(ranWith?: { lateMs: number; runGapMs: number }): Promise<Harness> {
  const h = await startHarness();
  // The stopped Weft's analyzer ran once before the spans came (it pairs at start), with its own windows.
  if (ranWith) await runPairing(h.store, new Date(), ranWith.lateMs, { runGapMs: ranWith.runGapMs });
  writeFileSync(join(h.dir, 'estate.yaml'), catalogYaml);
  const t = Date.now() - 10 * 60_000;
  await sendSpans({ url: h.collector.url, serviceName: 'nightly-sync' }, [
    call('GET', 'https://crm.internal/api/customers', t),
    call('POST', 'https://erp.internal/api/customers', t + 45_000),
  ]);
  await h.collector.flush();
  await h.collector.stop();
  await h.store.close();
  return h;
}

// Regression: `weft audit --data` (and `weft report --data`) paired what a stopped Weft had not paired with the default
// run gap, whatever Weft ran with (WEFT_RUN_GAP was not read, and the commands took no --run-gap or --late-arrival): a
// run Weft saw as one became a read and a write, the documented flow "never observed".
describe('weft audit of a stopped Weft pairs with the windows Weft ran with', () => {
  const stores: Harness[] = [];
  beforeAll(async () => {
    const ranWith = { lateMs: 1000, runGapMs: 120_000 };
    stores.push(
      await storeOfAStoppedWeft(),
      await storeOfAStoppedWeft(),
      await storeOfAStoppedWeft(ranWith),
      await storeOfAStoppedWeft(ranWith),
      await storeOfAStoppedWeft(ranWith),
    );
  });
  afterAll(() => {
    for (const h of stores) rmSync(h.dir, { recursive: true, force: true });
  });
  const auditText = async (h: Harness, argv: string[], env: Record<string, string> = {}, format = 'json') => {
    const out: string[] = [];
    await auditCommand.run(parseArgs(['--catalog', 'estate.yaml', '--data', h.dir, '--since', '1h', '--format', format, ...argv]), {
      out: (s) => out.push(s),
      err: () => undefined,
      env,
      cwd: h.dir,
    });
    return out.join('\n');
  };
  const audit = async (h: Harness, argv: string[], env: Record<string, string> = {}) =>
    JSON.parse(await auditText(h, argv, env)) as {
      summary: { flows: { observed: number; undocumented: number } };
      pairing: { pairedWith?: { windows: unknown; sources: unknown; recorded: unknown } };
    };

  // A late-arrival window of 1 s: the spans arrived moments ago (a window of minutes would leave them pending, as stated).
  it('takes --run-gap as weft start does', async () => {
    expect((await audit(stores[0], ['--run-gap', '2m', '--late-arrival', '1s'])).summary.flows).toMatchObject({ observed: 1, undocumented: 0 });
  });

  it('reads WEFT_RUN_GAP as weft start does', async () => {
    expect((await audit(stores[1], [], { WEFT_RUN_GAP: '2m', WEFT_LATE_ARRIVAL: '1s' })).summary.flows).toMatchObject({ observed: 1, undocumented: 0 });
  });

  // The helper's break test: an audit without the flags paired with the defaults, for good (a later audit with the right
  // windows, or Weft itself restarted, found the runs split). The store says which windows its Weft last paired with.
  it('pairs with the windows the store was last paired with when none is given, and says which', async () => {
    const audit3 = await audit(stores[2], []);
    expect(audit3.summary.flows).toMatchObject({ observed: 1, undocumented: 0 });
    expect(audit3.pairing.pairedWith).toEqual({
      windows: { lateMs: 1000, runGapMs: 120_000 },
      sources: { lateMs: 'recorded', runGapMs: 'recorded' },
      recorded: { lateMs: 1000, runGapMs: 120_000 },
    });
    // Regression (second break test): an audit that pairs nothing claimed to have paired with the windows it was given.
    expect((await audit(stores[2], ['--run-gap', '30s'])).pairing.pairedWith).toBeUndefined();
  });

  // Regression (second break test): a window given to one audit became the store's, and a different one went by unsaid.
  it("warns when a window given differs from the store's, and does not make it the store's", async () => {
    const table = await auditText(stores[3], ['--run-gap', '30s'], {}, 'table');
    expect(table).toContain(
      "paired first what the stopped Weft had not: late-arrival window 1s (as the store's Weft paired), run gap 30s (as given); the store's Weft paired with a run gap of 2m, and what is paired now stays paired",
    );
    const store = await openStore({ kind: 'embedded', path: join(stores[3].dir, 'data') });
    try {
      expect(await lastPairingWindows(store)).toEqual({ lateMs: 1000, runGapMs: 120_000 });
    } finally {
      await store.close();
    }
  });

  // Regression (known since the second break test): `weft report --data` said how it paired only on the terminal; the
  // bundle an auditor receives did not, though its flow figures include the runs that pairing found.
  it('states in the report bundle (report.json and the PDF) the windows a stopped store was paired with', async () => {
    const out = join(stores[4].dir, 'report.zip');
    const err: string[] = [];
    const argv = ['--catalog', 'estate.yaml', '--data', stores[4].dir, '--since', '1h', '--late-arrival', '1s', '--out', out];
    await reportCommand.run(parseArgs(argv), { out: () => {}, err: (s) => err.push(s), env: {}, cwd: stores[4].dir });
    const line = "paired first what the stopped Weft had not: late-arrival window 1s (as given), run gap 2m (as the store's Weft paired)";
    expect(err).toEqual([line]);
    const files = unzipSync(new Uint8Array(readFileSync(out)));
    const report = JSON.parse(strFromU8(files['report.json'])) as { pairing?: unknown };
    expect(report.pairing).toEqual({
      pairedWith: {
        windows: { lateMs: 1000, runGapMs: 120_000 },
        sources: { lateMs: 'given', runGapMs: 'recorded' },
        recorded: { lateMs: 1000, runGapMs: 120_000 },
      },
    });
    if (toolAvailable('/usr/bin/pdftotext', 'poppler-utils')) {
      writeFileSync(join(stores[4].dir, 'report.pdf'), files['report.pdf']);
      const text = execFileSync('pdftotext', ['-raw', join(stores[4].dir, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      expect(text).toContain(`PAIRING ${line}`);
    }
  });

  it('refuses them for a ClickHouse server, whose running analyzer pairs', async () => {
    await expect(
      auditCommand.run(parseArgs(['--clickhouse', 'http://127.0.0.1:1', '--run-gap', '2m']), { out: () => {}, err: () => {}, env: {}, cwd: '/' }),
    ).rejects.toThrow(
      /^--run-gap is for a stopped Weft's embedded store \(--data\); on a ClickHouse server the running analyzer pairs with its own windows: leave it out\.$/,
    );
  });

  // The break test: on a running Weft's directory the audit said to stop that process or start this one elsewhere.
  it('says to ask a running Weft with --url when it holds the data directory (audit, token list)', async () => {
    const running = spawn('sleep', ['30']);
    try {
      writeFileSync(join(stores[0].dir, 'data', 'weft.pid'), String(running.pid));
      const held =
        /^The data directory .*\/data is held by a running Weft: ask it with --url and its API address \(as weft start printed it, e\.g\. --url http:\/\/127\.0\.0\.1:3000\), or stop it first\.$/;
      await expect(audit(stores[0], [])).rejects.toThrow(held);
      await expect(tokenListCommand.run(parseArgs(['--data', stores[0].dir]), { out: () => {}, err: () => {}, env: {}, cwd: '/' })).rejects.toThrow(held);
    } finally {
      running.kill();
      rmSync(join(stores[0].dir, 'data', 'weft.pid'), { force: true });
    }
  });

  // The second break test: an audit of the demo's directory without --catalog printed its flows undocumented and its
  // systems unknown (36 false findings on the demo) and exited 0, with only a note on stderr pointing to the catalog.
  // Regression: it now audits against the catalog the store's Weft last ran with, and refuses a store that has none.
  it("refuses a store with no catalog recorded, naming --catalog (the demo's file in its directory), and prints no findings", async () => {
    const demoDir = join(stores[0].dir, 'demo');
    mkdirSync(demoDir, { recursive: true });
    writeFileSync(join(demoDir, 'demo-catalog.yaml'), catalogYaml);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['audit', '--data', stores[0].dir, '--since', '1h'], { out: (s) => out.push(s), err: (s) => err.push(s), env: {}, cwd: '/' });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain(
      `No catalog to audit against: this store has none recorded. Pass the estate catalog its Weft runs with: --catalog FILE… (this directory is the demo's: --catalog ${join(demoDir, 'demo-catalog.yaml')}).`,
    );
  });

  it('audits against the catalog the store last ran with when no --catalog is given, and says so', async () => {
    const store = await openStore({ kind: 'embedded', path: join(stores[0].dir, 'data') });
    try {
      await new CatalogVersionStore(store).record(parseCatalog([{ file: join(stores[0].dir, 'estate.yaml'), text: catalogYaml }]).catalog, {
        actor: 'weft start',
        reason: 'start',
      });
    } finally {
      await store.close();
    }
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['audit', '--data', stores[0].dir, '--since', '1h', '--format', 'json'], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      env: {},
      cwd: '/',
    });
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(
      /^note: no --catalog given: auditing against the catalog this store's Weft last ran with \(.*estate\.yaml, loaded .* by weft start\); pass --catalog FILE… for another$/,
    );
    const report = JSON.parse(out.join('\n'));
    expect(report.catalog).toMatchObject({ systems: 2, flows: 1 });
    expect(report.findings.map((f: { kind: string }) => f.kind)).not.toContain('unknown-system');
    expect(report.findings.map((f: { kind: string }) => f.kind)).not.toContain('undocumented-flow');
  });

  it('refuses them beside --url, where the running Weft pairs', async () => {
    await expect(
      auditCommand.run(parseArgs(['--url', 'http://127.0.0.1:1', '--run-gap', '2m']), { out: () => {}, err: () => {}, env: {}, cwd: '/' }),
    ).rejects.toThrow(/leave out --run-gap/);
  });
});
