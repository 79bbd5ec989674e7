import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '@opentelemetry/sdk-node';
import { type Box, catalogYaml, dragAcross, hasBrowser, hold, http, overlap, poll, uiWeftOfFile, type UiEstate, type UiWeft } from './testing/ui-weft.ts';
import { countChange, latencyChange, ratioChange } from './src/lib/flows/period-change.ts';
import { durationMs, ms, num, pct, when } from './src/lib/format.ts';
import type { FlowStats, FlowSummary } from './src/lib/api/types.ts';

/**
 * The UI's estate, with customer-sync looking the countries up on the MDM and keeping its watermark in a database of
 * its own on every run, and declaring a lookup it never makes (the tax rates): docs/catalog.md, "Lookups and state stores".
 */
const estate: UiEstate = {
  catalogYaml: catalogYaml
    .replace(
      'domains:',
      `  - { id: mdm, name: Master data, kind: mdm, owner: icoe, match: { hosts: [mdm.internal] } }
  - { id: tax-rates, name: Tax rates, kind: api, owner: icoe, match: { hosts: [tax.internal] } }
  - { id: sync-state, name: Sync state, kind: database, owner: icoe, match: { databases: ["postgresql://sync-db/sync"] } }
domains:`,
    )
    .replace('runtime: { service: customer-sync } }', 'runtime: { service: customer-sync }, lookups: [mdm, tax-rates], stateStores: [sync-state] }'),
  customerSyncCalls: () => [
    http('GET', 'https://mdm.internal/api/countries'),
    {
      name: 'UPDATE',
      kind: api.SpanKind.CLIENT,
      attributes: {
        'db.system': 'postgresql',
        'db.namespace': 'sync',
        'server.address': 'sync-db',
        'db.query.text': 'UPDATE sync_state SET last_synced_at = $1',
      },
    },
  ],
};

const presets: Record<string, string> = { '1h': '1 hour', '6h': '6 hours', '24h': '24 hours', '7d': '7 days' };

/**
 * The flow page's summary states the window in the URL (a preset by name, an absolute range by its two
 * ends widened to whole minutes — the rollups' grain, so the window its figures cover — each in a <time>
 * holding its exact value) and shows the figures the API gives for that window — and, in comparison,
 * those of the period before it (the window the card names) and the change.
 */
async function summaryIsOfTheWindow(view: Page, base: string, where: string): Promise<void> {
  const q = new URL(view.url()).searchParams;
  const [from, to] = [q.get('from'), q.get('to')];
  const compare = q.get('compare') === '1';
  const timeZone = await view.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const at = (iso: string) => when(iso, { timeZone });
  const minute = (iso: string, round: (x: number) => number) => new Date(round(Date.parse(iso) / 60_000) * 60_000).toISOString();
  const [since, until] = from && to ? [minute(from, Math.floor), minute(to, Math.ceil)] : [];
  const stated = view.getByTestId('summary-window');
  await poll(() => stated.innerText(), `${where}: the window stated`).toBe(
    since && until ? `${at(since)} – ${at(until)}` : `the last ${presets[q.get('since') ?? '1h']}`,
  );
  if (since && until) expect(await stated.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime'))), where).toEqual([since, until]);
  const range = from ? `from=${encodeURIComponent(from)}${to ? `&to=${encodeURIComponent(to)}` : ''}` : `since=${q.get('since') ?? '1h'}`;
  const summaryOf = (r: string) => fetch(`${base}/api/v1/flows/customer-sync/summary?${r}`).then((res) => res.json() as Promise<FlowSummary>);
  const now = (await summaryOf(range)).flow.stats;
  let then: FlowStats | null | undefined;
  if (compare) {
    // The period before, as the card names it: the API's answer for exactly that window.
    const ends = view.getByTestId('previous-window').locator('time');
    await poll(() => ends.count(), `${where}: the period before named`).toBe(2);
    const [a, b] = await ends.evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')!));
    // Just before the range, as long as it (a preset's ends are the API's, a moment apart from the test's).
    if (since && until) expect(b, `${where}: the period before ends where the window starts`).toBe(since);
    if (since && until) expect(Date.parse(b) - Date.parse(a), `${where}: the period before is as long`).toBe(Date.parse(until) - Date.parse(since));
    if (!from) expect(Date.parse(b) - Date.parse(a), `${where}: the period before is as long`).toBe(durationMs(q.get('since') ?? '1h'));
    then = (await summaryOf(`from=${encodeURIComponent(a)}&to=${encodeURIComponent(b)}`)).flow.stats;
  }
  if (!now && (!compare || !then)) {
    await poll(() => view.getByTestId('summary-empty').first().innerText(), `${where}: no traffic, said so`).toMatch(/^No traces of this flow in this window/);
    expect(await view.getByTestId('flow-figures').count(), `${where}: no figures for no traffic`).toBe(0);
    return;
  }
  const cells = (s: FlowStats | null | undefined): Record<string, string> => ({
    traces: s ? num(s.traces) : 'none',
    failed: s ? `${num(s.failedTraces)} (${pct(s.errorRate)})` : '–',
    records: s ? num(s.records) : 'none',
    latency: s && s.p95Ms !== null ? `${ms(s.p50Ms)} / ${ms(s.p95Ms)} / ${ms(s.p99Ms)}` : s ? 'no data' : '–',
    'first-seen': s ? at(s.firstSeen) : '–',
    'last-seen': s ? at(s.lastSeen) : '–',
  });
  const changes: Record<string, string> = {
    traces: countChange(now?.traces ?? 0, then?.traces ?? 0),
    failed: ratioChange(now?.errorRate, then?.errorRate),
    records: countChange(now?.records ?? 0, then?.records ?? 0),
    latency: latencyChange(now?.p95Ms, then?.p95Ms) === '–' ? '–' : `p95 ${latencyChange(now?.p95Ms, then?.p95Ms)}`,
    'first-seen': '',
    'last-seen': '',
  };
  const [shown, before] = [cells(now), cells(then)];
  for (const key of Object.keys(shown)) {
    const row = view.getByTestId(`figure-${key}`).locator('td');
    const expected = compare
      ? [key === 'latency' ? 'p50 / p95 / p99' : key.replace('-', ' '), shown[key], before[key], changes[key]]
      : [key === 'latency' ? 'p50 / p95 / p99' : key.replace('-', ' '), shown[key]];
    await poll(async () => (await row.allInnerTexts()).map((t) => t.trim()), `${where}: ${key}`).toEqual(expected);
  }
}

/**
 * The flow page end to end (ui/testing/ui-weft.ts): its summary, charts and comparison over every kind of
 * range, on a Weft and a browser of its own (the rest of the UI is in ui.int.test.ts).
 */
describe.skipIf(!hasBrowser)('web UI: the flow page', () => {
  let ui: UiWeft;
  let dir: string;
  let weft: UiWeft['weft'];
  let browser: UiWeft['browser'];
  let page: UiWeft['page'];

  const uiWeft = uiWeftOfFile(estate);
  // A loaded machine can take minutes to start the estate and analyse it: the opening has 4 of them, and is stopped
  // whenever it ends (uiWeftOfFile).
  beforeAll(async () => {
    ui = await uiWeft.open();
    ({ dir, weft, browser, page } = ui);
  }, 240_000);

  afterAll(async () => {
    await uiWeft.stop();
  }, 240_000);

  it("shows a flow's time series as line charts", async () => {
    await page.goto(`${weft.api!.url}/flows/customer-sync`);
    await poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Customers copied to the ERP');
    await poll(() =>
      page
        .getByRole('img', { name: /^Throughput of customer-sync/ })
        .locator('svg path')
        .count(),
    ).toBeGreaterThan(3);
    await poll(() => page.locator('section.facts-row').innerText()).toMatch(/traces\s+3\s+failed\s+0 \(0\.0%\)/);
  });

  // A flow's lookups and state stores were on no page: the flow page says what it looks up and where it keeps its state,
  // and whether its runtime touched each in the window (a declared one it did not touch is said so: no finding).
  it('says what the flow looks up and where it keeps its state, and which of them its runtime touched in the window', { timeout: 120_000 }, async () => {
    await page.goto(`${weft.api!.url}/flows/customer-sync?since=1h`);
    await poll(() => page.getByTestId('flow-lookup').innerText()).toMatch(/^mdm \(3 reads, last \d+ (s|min) ago\)\s+tax-rates \(not read in this window\)$/);
    expect(await page.getByTestId('flow-state').innerText()).toMatch(/^sync-state \(3 calls, last \d+ (s|min) ago\)$/);
    const labels = await page.locator('section.facts-row dt').allInnerTexts();
    expect(labels).toEqual(expect.arrayContaining(['looks up', 'state']));
    // The one never read is dimmed; the read one carries its exact time.
    const deps = page.getByTestId('dependency');
    expect(await deps.evaluateAll((ds) => ds.map((d) => (d as unknown as { className: string }).className.includes('muted')))).toEqual([false, true, false]);
    expect(await deps.first().locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Still the flow's 3 traces: the lookup and the watermark made no flow of their own, and no finding names them.
    await poll(() => page.locator('section.facts-row').innerText()).toMatch(/traces\s+3\s+failed\s+0 \(0\.0%\)/);
    const { flows } = (await fetch(`${weft.api!.url}/api/v1/inventory/flows`).then((r) => r.json())) as { flows: Array<{ source: string; target: string }> };
    expect(flows.filter((f) => ['mdm', 'tax-rates', 'sync-state'].some((x) => f.source === x || f.target === x))).toEqual([]);
    const { findings } = (await fetch(`${weft.api!.url}/api/v1/findings?status=open`).then((r) => r.json())) as { findings: Array<{ title: string }> };
    expect(findings.map((f) => f.title).filter((t) => /mdm|tax-rates|sync-state/.test(t))).toEqual([]);
    // A range without runs: each said untouched there.
    const quiet = Date.now() - 5 * 3_600_000;
    await page.goto(`${weft.api!.url}/flows/customer-sync?from=${new Date(quiet).toISOString()}&to=${new Date(quiet + 3_600_000).toISOString()}`);
    await poll(() => page.getByTestId('flow-lookup').innerText()).toMatch(/^mdm \(not read in this window\)\s+tax-rates \(not read in this window\)$/);
    expect(await page.getByTestId('flow-state').innerText()).toBe('sync-state (not touched in this window)');
  });

  it('shows a flow over an absolute range from the URL, compares it with the previous period, and zooms by dragging', { timeout: 120_000 }, async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - 30 * 60_000).toISOString();
    await page.goto(`${weft.api!.url}/flows/customer-sync?from=${from}&to=${to}&compare=1`);
    await poll(() => page.getByLabel('Window').inputValue()).toBe('custom');
    const chart = page.getByRole('img', { name: /^Throughput of customer-sync/ });
    await poll(() => chart.locator('svg path[stroke-dasharray]').count()).toBeGreaterThan(0);
    await summaryIsOfTheWindow(page, weft.api!.url, 'absolute range from the URL, compared');
    // Drag across the chart (a drag the comparison arriving redraws the chart under still zooms).
    await dragAcross(page, chart, from);
    const zoomed = new URL(page.url()).searchParams;
    expect(Date.parse(zoomed.get('to')!) - Date.parse(zoomed.get('from')!)).toBeLessThan(Date.parse(to) - Date.parse(from));
    await summaryIsOfTheWindow(page, weft.api!.url, 'zoomed');

    // A range without traffic (nor any before it): said so, with no figures — never zeros.
    const quiet = Date.now() - 5 * 3_600_000;
    await page.goto(`${weft.api!.url}/flows/customer-sync?from=${new Date(quiet).toISOString()}&to=${new Date(quiet + 3_600_000).toISOString()}&compare=1`);
    await summaryIsOfTheWindow(page, weft.api!.url, 'a range without traffic');
    expect(await page.getByTestId('summary-empty').innerText()).toMatch(
      /^No traces of this flow in this window, nor in the period before\. Last seen: \d+ (s|min) ago\.$/,
    );
    expect(await page.locator('section.facts-row').innerText()).not.toMatch(/\b0 ms\b|\(0\.0%\)/);
  });

  // Regression: every option the page gave a chart (each refresh, every 30 s, and the period before arriving) left
  // one more drag handler in it, and a drag then zoomed once for each, each but the first into the window already
  // zoomed: the page went to a range narrower than the one dragged across (lib/charts/chart-update.ts).
  it('zooms into the range dragged across after the page has refreshed its charts', { timeout: 120_000 }, async () => {
    const view = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    view.setDefaultTimeout(20_000);
    const minute = 60_000;
    const end = Math.ceil(Date.now() / minute) * minute + minute;
    const [from, to] = [new Date(end - 60 * minute).toISOString(), new Date(end).toISOString()];
    // The records per hop held back until the charts are drawn, as a slow answer leaves them.
    const hops = await hold(view, /\/api\/v1\/hops\?/);
    await view.goto(`${weft.api!.url}/flows/customer-sync?from=${from}&to=${to}`);
    const chart = view.getByRole('img', { name: /^Throughput of customer-sync/ });
    await poll(async () => Number((await chart.getAttribute('data-rendered')) ?? '0')).toBeGreaterThan(0);
    // Regression: the records per hop were above the charts, and their arrival pushed the charts 400 px down under a
    // drag being aimed at one (a press landed on their heading). They arrive below: the charts stay where they are.
    await poll(() => view.getByTestId('figure-traces').count()).toBe(1);
    const drawn = await chart.boundingBox();
    await hops.release();
    await poll(() => view.getByTestId('hop-chain').count()).toBeGreaterThan(0);
    expect(await chart.boundingBox(), 'the chart where it was before the records per hop arrived').toEqual(drawn);
    const refresh = view.getByRole('button', { name: 'Refresh' });
    for (let i = 0; i < 3; i++) {
      const answered = view.waitForResponse(/\/flows\/customer-sync\/series\?/);
      await refresh.click();
      await answered;
      await poll(() => refresh.isEnabled()).toBe(true);
      await poll(async () => Number((await chart.getAttribute('data-rendered')) ?? '0')).toBeGreaterThan(0);
    }
    const box = await dragAcross(view, chart, from);
    // The plot lies between the grid's margins (series-option.ts: 56 px left, 64 px right with two axes); the
    // range selected is the times under the drag's two ends, widened to whole minutes.
    const at = (x: number) => Date.parse(from) + ((x - box.x - 56) / (box.width - 56 - 64)) * 60 * minute;
    const q = new URL(view.url()).searchParams;
    expect(Math.abs(Date.parse(q.get('from')!) - at(box.x + box.width * 0.3)), `from ${q.get('from')}`).toBeLessThan(minute + 5_000);
    expect(Math.abs(Date.parse(q.get('to')!) - at(box.x + box.width * 0.7)), `to ${q.get('to')}`).toBeLessThan(minute + 5_000);
    await view.close();
  });

  // Regression: the charts were drawn as soon as their series arrived, and the summary above them, arriving after
  // (a custom range's comes from the whole estate's inventory), pushed them down under a drag being aimed at one:
  // 117 px at 1400 px wide, 334 px on a phone, 683 px there with the comparison. They wait for the summary now.
  it('draws the charts only once the summary above them is on the page, at desktop and phone widths', { timeout: 180_000 }, async () => {
    for (const width of [1400, 390]) {
      for (const q of ['since=1h', 'since=1h&compare=1']) {
        const where = `${width} px, ${q}`;
        const view = await browser.newPage({ viewport: { width, height: 900 } });
        view.setDefaultTimeout(20_000);
        const held = await hold(view, /\/flows\/[^/]+\/summary\?/);
        const answered = view.waitForResponse(/\/flows\/customer-sync\/series\?/);
        await view.goto(`${weft.api!.url}/flows/customer-sync?${q}`);
        await answered;
        // The series' answer on the page (Status no longer says it loads them): no chart yet, the summary being away.
        await poll(() => view.getByText("Loading this flow's time series…").count(), where).toBe(0);
        expect(await view.locator('.charts > section').count(), `${where}: charts drawn before the summary above them`).toBe(0);
        await held.release();
        const chart = view.getByRole('img', { name: /^Throughput of customer-sync/ });
        await poll(async () => Number((await chart.getAttribute('data-rendered')) ?? '0'), where).toBeGreaterThan(0);
        const drawn = await chart.boundingBox();
        await poll(() => view.getByTestId('figure-traces').locator('td').nth(1).innerText(), where).toBe('3');
        expect(await chart.boundingBox(), `${where}: the chart where it was drawn`).toEqual(drawn);
        await view.close();
      }
    }
  });

  // Regression: an inverted range in the URL went to the API, whose 400 took the summary and the charts off
  // the page; and the custom range's inputs dropped the seconds of a time.
  it("says what to change in an inverted range and keeps the page; the range's inputs keep seconds", { timeout: 120_000 }, async () => {
    const view = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const zone = { timeZone: await view.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone) };
    const later = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000).toISOString();
    const earlier = new Date(Date.parse(later) - 30 * 60_000).toISOString();
    await view.goto(`${weft.api!.url}/flows/customer-sync?from=${later}&to=${earlier}&compare=1`);
    await poll(() => view.getByTestId('range-problem').innerText()).toBe(
      `'from' must be before 'to': 'from' is ${when(later, zone)}, 'to' is ${when(earlier, zone)}. Pick an earlier 'from' or a later 'to'. Until then the page shows the last 1 hour.`,
    );
    expect(await view.getByTestId('range-to').getAttribute('aria-invalid')).toBe('true');
    // The rest of the page stays, over the last hour: the summary with its figures, the three charts.
    await poll(() => view.getByTestId('summary-window').innerText()).toBe('the last 1 hour');
    await poll(() => view.getByTestId('figure-traces').locator('td').nth(1).innerText()).toBe('3');
    await poll(() => view.locator('.charts > section').count()).toBe(3);
    expect(await view.getByRole('alert').filter({ hasNotText: "'from' must be before 'to'" }).count()).toBe(0);

    // A 'from' with seconds, typed in: kept in the URL and shown again from it; the range is right again.
    const from = view.getByTestId('range-from');
    expect(await from.getAttribute('step')).toBe('1');
    const local = await view.evaluate((iso) => {
      const d = new Date(Date.parse(iso) - 60 * 60_000 + 27_000);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, earlier);
    await from.fill(local);
    const expected = new Date(Date.parse(earlier) - 60 * 60_000 + 27_000).toISOString();
    await poll(async () => new URL(view.url()).searchParams.get('from')).toBe(expected);
    await poll(() => view.getByTestId('range-problem').count()).toBe(0);
    await view.reload();
    await poll(() => view.getByTestId('range-from').inputValue()).toBe(local);
    await summaryIsOfTheWindow(view, weft.api!.url, 'a range with seconds, compared');
    await view.close();
  });

  // Regression: a custom range, then "compare with the previous period", hid the flow's summary: the card was
  // drawn only once its row had loaded, every change of range cleared it, and the row of a custom range comes
  // from the whole estate's 7-day inventory (seconds on a large store). Its answers are held here, so what the
  // page shows in the meantime is checked without timing anything.
  it("keeps the flow's summary and its charts on the page in every kind of range, with and without the comparison", { timeout: 240_000 }, async () => {
    for (const width of [1400, 390]) {
      const view = await browser.newPage({ viewport: { width, height: 900 } });
      view.setDefaultTimeout(20_000);
      /** The summary (the flow's id in it) under the toolbar, and the three charts under the summary, each with its chart drawn. */
      const laidOut = async (step: string) => {
        const summary = view.locator('section.facts-row');
        await poll(() => summary.isVisible(), `${width} px, ${step}: the summary is on the page`).toBe(true);
        await poll(() => summary.innerText(), `${width} px, ${step}: the summary names the flow`).toContain('customer-sync');
        const charts = view.locator('.charts > section');
        await poll(() => charts.count(), `${width} px, ${step}: three charts`).toBe(3);
        // One reading of every box at once (measured one by one, a card still growing or shrinking between two
        // readings looked like an overlap), repeated until the page has settled into its layout.
        const misplaced = () =>
          view.evaluate((pageWidth) => {
            // The page's document, typed by what is read of it (the tests compile without the DOM's types).
            type Rect = { top: number; bottom: number; right: number; height: number };
            type Node = { getBoundingClientRect(): Rect };
            const document = (globalThis as unknown as { document: { querySelector(s: string): Node | null; querySelectorAll(s: string): Node[] } }).document;
            const box = (el: Node | null) => el?.getBoundingClientRect();
            const [bar, card] = [box(document.querySelector('.toolbar')), box(document.querySelector('section.facts-row'))];
            if (!bar || !card) return ['the toolbar or the summary is missing'];
            const out: string[] = [];
            if (card.height <= 20) out.push(`the summary is ${card.height} px high`);
            if (card.top < bar.bottom - 1) out.push(`the summary (top ${card.top}) is not under the toolbar (bottom ${bar.bottom})`);
            [...document.querySelectorAll('.charts > section')].forEach((chart, i) => {
              const b = chart.getBoundingClientRect();
              if (b.top < card.bottom - 1) out.push(`chart ${i + 1} (top ${b.top}) is not under the summary (bottom ${card.bottom})`);
              if (b.right > pageWidth) out.push(`chart ${i + 1} ends at ${b.right} px, outside the page`);
            });
            return out;
          }, width);
        await poll(misplaced, `${width} px, ${step}: the summary under the toolbar, the charts under the summary, inside the page`).toEqual([]);
        for (const chart of await charts.all())
          await poll(async () => (await chart.getByRole('img', { name: /of customer-sync$/ }).boundingBox())?.height ?? 0).toBeGreaterThan(150);
      };
      const slow = () => hold(view, /\/api\/v1\/(hops|flows\/[^/]+\/(series|summary))/);
      const dashed = () =>
        view
          .getByRole('img', { name: /^Throughput of customer-sync/ })
          .locator('svg path[stroke-dasharray]')
          .count();

      await view.goto(`${weft.api!.url}/flows/customer-sync?since=1h`);
      await poll(() => view.locator('section.facts-row').innerText()).toMatch(/traces\s+3\s+failed\s+0 \(0\.0%\)/);
      await laidOut('preset');
      await summaryIsOfTheWindow(view, weft.api!.url, `${width} px, preset`);

      // A custom range, then the comparison, each while the new answers are on their way, then with them.
      let held = await slow();
      await view.getByLabel('Window').selectOption('custom');
      await poll(async () => new URL(view.url()).searchParams.has('from')).toBe(true);
      await laidOut('custom range, loading');
      // The figures on screen are the preset's until the custom range's arrive, and the summary says so, naming the range.
      const custom = new URL(view.url()).searchParams;
      const zone = { timeZone: await view.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone) };
      await poll(() => view.getByTestId('summary-window').innerText()).toBe(
        `loading ${when(custom.get('from'), zone)} – ${when(custom.get('to'), zone)}… (dimmed: the window before)`,
      );
      await view.getByTestId('compare').check();
      await poll(async () => new URL(view.url()).searchParams.get('compare')).toBe('1');
      await laidOut('custom range and comparison, loading');
      await held.release();
      await poll(dashed).toBeGreaterThan(0);
      await laidOut('custom range and comparison');
      await summaryIsOfTheWindow(view, weft.api!.url, `${width} px, custom range and comparison`);

      // Zoomed by dragging across a chart, with the comparison on.
      held = await slow();
      await dragAcross(view, view.getByRole('img', { name: /^Throughput of customer-sync/ }), new URL(view.url()).searchParams.get('from'));
      await laidOut('zoomed with comparison, loading');
      await held.release();
      await laidOut('zoomed with comparison');
      await summaryIsOfTheWindow(view, weft.api!.url, `${width} px, zoomed with comparison`);
      await view.getByTestId('compare').uncheck();
      await poll(async () => new URL(view.url()).searchParams.has('compare')).toBe(false);
      await laidOut('zoomed');
      await summaryIsOfTheWindow(view, weft.api!.url, `${width} px, zoomed`);

      // Back to a preset, with and without the comparison.
      held = await slow();
      await view.getByLabel('Window').selectOption('6h');
      await poll(async () => new URL(view.url()).searchParams.get('since')).toBe('6h');
      await laidOut('preset, loading');
      await view.getByTestId('compare').check();
      await laidOut('preset and comparison, loading');
      await held.release();
      await poll(dashed).toBeGreaterThan(0);
      await laidOut('preset and comparison');
      await summaryIsOfTheWindow(view, weft.api!.url, `${width} px, preset and comparison`);
      await view.screenshot({ path: join(dir, `flow-compare-${width}.png`), fullPage: true });
      await view.close();
    }
  });

  // Regression: in compare mode ECharts drew the legend over the axis names (on a phone, three rows of it
  // over the names and the plot). The legend is the page's, above the chart; nothing written may overlap. The summary's
  // figures are checked on the same pages.
  it("draws every flow chart's legend, axis names and labels apart, at desktop and phone widths", { timeout: 180_000 }, async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - 30 * 60_000).toISOString();
    for (const width of [390, 1024, 1400]) {
      for (const q of [`from=${from}&to=${to}&compare=1`, 'since=1h&compare=1', 'since=1h']) {
        const view = await browser.newPage({ viewport: { width, height: 900 } });
        await view.goto(`${weft.api!.url}/flows/customer-sync?${q}`);
        const sections = view.locator('.charts > section');
        await poll(() => sections.count()).toBe(3);
        if (q.includes('compare'))
          await poll(() =>
            view
              .getByRole('img', { name: /^Throughput of customer-sync/ })
              .locator('svg path[stroke-dasharray]')
              .count(),
          ).toBeGreaterThan(0);
        // Measured once the page has settled (the summary and the records per hop loaded), in one go per chart.
        await view.waitForLoadState('networkidle');
        await poll(() => view.getByTestId('figure-traces').locator('td').nth(1).innerText()).toBe('3');
        await poll(() => view.getByTestId('hop-chain').count()).toBeGreaterThan(0);
        // Regression: at 390 px the summary's figures ran on one line past the card's right edge, "40.0 ms / 40.0 ms /
        // 40.0 ms" cut off there (in a table scrolling sideways): every figure whole on the screen, and the page no wider.
        const figures = view.getByTestId('flow-figures');
        const hidden = await figures.evaluate((e: unknown) => (e as { scrollWidth: number }).scrollWidth - (e as { clientWidth: number }).clientWidth);
        expect(hidden, `the figures at ${width} px (${q}) scroll sideways`).toBeLessThanOrEqual(0);
        for (const cell of await figures.locator('td').all()) {
          const box = await cell.boundingBox();
          if (!box) continue; // an empty cell, not shown on a phone's card
          const what = `figure "${(await cell.innerText()).trim()}" at ${width} px (${q})`;
          expect(box.x, what).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width, `${what} runs off the screen`).toBeLessThanOrEqual(width);
        }
        expect(await view.evaluate('document.documentElement.scrollWidth'), `the page at ${width} px (${q}) scrolls sideways`).toBeLessThanOrEqual(width);
        for (const section of await sections.all()) {
          const title = await section.getByRole('heading').innerText();
          const where = `${title} at ${width} px (${q})`;
          const chart = section.getByRole('img', { name: /of customer-sync$/ });
          await poll(async () => chart.locator('svg text').count()).toBeGreaterThan(3);
          const m = await section.evaluate((el: unknown) => {
            type Node = { getBoundingClientRect(): Box; querySelectorAll(q: string): ArrayLike<Node>; textContent: string | null };
            const rect = (n: Node) => {
              const r = n.getBoundingClientRect();
              return { x: r.x, y: r.y, width: r.width, height: r.height };
            };
            const root = el as Node;
            return {
              panel: rect(root),
              plot: rect(root.querySelectorAll('[role="img"]')[0]),
              legend: Array.from(root.querySelectorAll('[data-testid="chart-legend"] li')).map((n) => ({
                what: `legend "${n.textContent?.trim()}"`,
                box: rect(n),
              })),
              texts: Array.from(root.querySelectorAll('[role="img"] svg text'))
                .map((n) => ({ what: `"${n.textContent?.trim() ?? ''}"`, box: rect(n) }))
                .filter((t) => t.what !== '""' && t.box.width > 0),
            };
          });
          // Nothing written over anything else: legend items, axis names, axis labels (and any legend drawn in the chart).
          const boxes = [...m.legend, ...m.texts];
          for (let i = 0; i < boxes.length; i++)
            for (let j = i + 1; j < boxes.length; j++)
              expect(overlap(boxes[i].box, boxes[j].box), `${where}: ${boxes[i].what} overlaps ${boxes[j].what}`).toBe(false);
          expect(m.legend.length, where).toBe(q.includes('compare') ? (title === 'Errors' ? 2 : 4) : title === 'Errors' ? 1 : 2);
          for (const { what, box } of m.legend) {
            // Whole, inside the panel, and above the chart: never on its axis names or its plot.
            expect(box.x, `${where}: ${what}`).toBeGreaterThanOrEqual(m.panel.x);
            expect(box.x + box.width, `${where}: ${what}`).toBeLessThanOrEqual(m.panel.x + m.panel.width + 0.5);
            expect(box.y + box.height, `${where}: ${what} above the chart`).toBeLessThanOrEqual(m.plot.y + 0.5);
          }
          // The axis names are drawn, inside the chart.
          const names = title === 'Throughput' ? ['traces', 'records'] : title === 'Errors' ? ['failed traces'] : ['ms'];
          for (const name of names) {
            const found = m.texts.find((b) => b.what === `"${name}"`);
            expect(found, `${where}: axis name ${name}`).toBeDefined();
            expect(found!.box.x, where).toBeGreaterThanOrEqual(m.plot.x - 0.5);
            expect(found!.box.x + found!.box.width, where).toBeLessThanOrEqual(m.plot.x + m.plot.width + 0.5);
          }
        }
        if (width === 390 && q.startsWith('from')) await view.screenshot({ path: join(dir, 'phone-compare.png'), fullPage: true });
        await view.close();
      }
    }
  });

  it('runs the flow pages under the Content-Security-Policy with no violation', () => {
    expect(ui.cspViolations).toEqual([]);
  });
});
