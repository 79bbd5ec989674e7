import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../access/index.ts';
import { buildApiApp, type ApiServer } from '../api/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { strFromU8, unzipSync } from 'fflate';
import { ERR_REPORTS_BUSY, verifyBundle } from '../reports/index.ts';
import type { Drift, Probe } from '../api/schemas/index.ts';
import { severityColor } from './src/lib/charts/palette.ts';
import { hasBrowser, ISO_TIME, poll, SHOWN_TIME, uiWeftOfFile, type UiWeft } from './testing/ui-weft.ts';

/**
 * The UI end to end (ui/testing/ui-weft.ts): Weft started as `weft start` does, spans sent through its
 * collector with the real SDK, and Debian's chromium reading the pages the way a person does. The flow
 * page's ranges and charts are in flow-page.int.test.ts, on a Weft of their own.
 */
describe.skipIf(!hasBrowser)('web UI', () => {
  let ui: UiWeft;
  let dir: string;
  let weft: UiWeft['weft'];
  let browser: UiWeft['browser'];
  let page: UiWeft['page'];
  let cspViolations: string[];
  let frameRefusals: string[];
  let guarded: ApiServer['app'] | undefined;

  const uiWeft = uiWeftOfFile();
  // A loaded machine can take minutes to start the estate and analyse it: the opening has 4 of them, and is stopped
  // whenever it ends (uiWeftOfFile).
  beforeAll(async () => {
    ui = await uiWeft.open();
    ({ dir, weft, browser, page, cspViolations, frameRefusals } = ui);
  }, 240_000);

  afterAll(async () => {
    await guarded?.close();
    await uiWeft.stop();
  }, 240_000);

  it('draws the dependency graph with the systems and shows a flow when it is clicked', async () => {
    await page.goto(`${weft.api!.url}/`);
    const graph = page.getByRole('img', { name: /^Dependency graph of 2 systems and 2 flows/ });
    await poll(() => graph.locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['Sales CRM', 'Finance ERP']));
    await poll(() => page.getByLabel('Estate counts').innerText()).toMatch(/2\s+systems[\s\S]*1\s+documented flows[\s\S]*1\s+undocumented flows/);
    await page.screenshot({ path: join(dir, 'overview.png') });
    expect(statSync(join(dir, 'overview.png')).size).toBeGreaterThan(10_000);

    // A click on a node (ECharts draws it as an SVG path) opens its figures beside the graph.
    const box = await graph.boundingBox();
    const nodes = await graph.locator('svg path[fill="#2456a6"]').all();
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    await nodes[0].click({ force: true });
    await poll(() => page.getByLabel('Selection').innerText()).toMatch(/owner\s+icoe/);
    expect(box!.height).toBeGreaterThan(300);
  });

  it('lists the undocumented flow among the findings, shows its evidence, and acknowledges it with a note', async () => {
    await page.goto(`${weft.api!.url}/findings?kind=undocumented-flow`);
    const row = page.getByRole('link', { name: /Undocumented flow erp → crm/ });
    await row.click();
    await poll(() => page.getByRole('heading', { level: 1 }).innerText()).toMatch(/Undocumented flow erp → crm/);
    await poll(() => page.getByTestId('finding-status').innerText()).toBe('open');
    expect(await page.locator('ul.traces code').count()).toBeGreaterThan(0);
    // Evidence reads as labelled fields, never JSON.
    await poll(() => page.getByTestId('evidence').innerText()).toMatch(/integration\s+erp-writeback/);
    expect(await page.getByTestId('evidence').innerText()).not.toMatch(/[{}"]/);
    // Regression: evidence showed its times as ISO strings where the header above it showed local time.
    expect(await page.getByTestId('evidence').innerText()).not.toMatch(ISO_TIME);
    const seen = page.getByTestId('evidence').locator('time').first();
    expect(await seen.getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(await seen.innerText()).toMatch(SHOWN_TIME);

    await page.getByLabel('Note').fill('CRM team owns this, ticket INT-42');
    // Regression: the form had a free-text "Your name"; who acts is the token's name, "local" without tokens.
    expect(await page.getByLabel('Your name').count()).toBe(0);
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await poll(() => page.getByTestId('finding-status').innerText()).toBe('acknowledged');
    await poll(() => page.locator('table').last().innerText()).toMatch(/local\s+acknowledged\s+CRM team owns this, ticket INT-42/);

    const id = page.url().split('/').pop()!;
    const stored = (await fetch(`${weft.api!.url}/api/v1/findings/${id}`).then((r) => r.json())) as { finding: Record<string, unknown> };
    expect(stored.finding).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'local', note: 'CRM team owns this, ticket INT-42' });
    await page.screenshot({ path: join(dir, 'finding.png'), fullPage: true });
  });

  it('creates a compliance report with the button on the Reports page and downloads a bundle that verifies', async () => {
    await page.goto(`${weft.api!.url}/reports`);
    await page.getByLabel('Period').selectOption('1h');
    await page.getByRole('button', { name: 'Create report' }).click();
    const downloadButton = page.getByRole('button', { name: 'Download bundle' }).first();
    await downloadButton.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), downloadButton.click()]);
    const file = join(dir, 'ui-report.zip');
    await download.saveAs(file);
    expect(verifyBundle(new Uint8Array(readFileSync(file)))).toMatchObject({ ok: true, problems: [] });
    expect(strFromU8(unzipSync(new Uint8Array(readFileSync(file)))['csv/inventory-flows.csv'])).toContain('customer-sync');
    await poll(() => page.locator('table').first().innerText()).toMatch(/done/);
  });

  type RouteHandler = Parameters<UiWeft['page']['route']>[1];
  /** Runs `check` with `page` in a window `width` px wide and `routes` (URL pattern → handler) answered, then puts both back. */
  const inWindow = async (width: number, routes: Record<string, RouteHandler>, check: () => Promise<void>) => {
    const before = page.viewportSize()!;
    await page.setViewportSize({ width, height: 768 });
    for (const [url, handler] of Object.entries(routes)) await page.route(url, handler);
    try {
      await check();
    } finally {
      for (const url of Object.keys(routes)) await page.unroute(url);
      await page.setViewportSize(before);
    }
  };
  /** The page's alert says `message`, whole, inside a window `width` px wide, and the page does not scroll sideways. */
  const expectWholeAlert = async (message: string, width: number) => {
    const alert = page.getByRole('alert');
    await poll(() => alert.innerText()).toBe(message);
    const box = (await alert.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  };
  /** A healthy probe of the customers in `system`, as GET /api/v1/probes lists it. */
  const probeOf = (system: string): Probe => ({
    id: `${system}-customers`,
    kind: 'http',
    system,
    domain: 'customer',
    schedule: 'every 10s',
    timeout: '10s',
    healthy: true,
    consecutiveFailures: 0,
    latest: null,
  });

  // Regression: the 429 of a report beyond the export bound was shown in a one-line badge that ran off the page's right
  // edge, cut mid-sentence ("… listed by GET /api/v1/rep"), in a 1280 px window.
  it('says in full, inside the page, why a report cannot start now (429, every export place taken)', async () => {
    const busy = ERR_REPORTS_BUSY({ running: 1, waiting: 4 }, 30);
    const answer: RouteHandler = (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 429,
            headers: { 'content-type': 'application/json', 'retry-after': '30' },
            body: JSON.stringify({ statusCode: 429, code: busy.code, error: 'Too Many Requests', message: busy.message }),
          })
        : route.continue();
    // A laptop's window: the sentence is longer than the space beside the form.
    await inWindow(1024, { '**/api/v1/reports': answer }, async () => {
      await page.goto(`${weft.api!.url}/reports`);
      await page.getByRole('button', { name: 'Create report' }).click();
      await expectWholeAlert(busy.message, 1024);
    });
  });

  // Regression, the same kind: a probe's run refused (a role that may not run it, a probe the catalog no longer has) was a
  // one-line badge in its table cell, and the table ran past the page.
  it('says in full, inside the page, why a probe could not be run', async () => {
    const message = "The token's role viewer may not run probes: run it with a token of role sre, icoe or admin (weft token create --role sre).";
    const routes: Record<string, RouteHandler> = {
      '**/api/v1/probes': (route) => route.fulfill({ json: { probes: [probeOf('crm')] } }),
      '**/api/v1/probes/crm-customers/run': (route) =>
        route.fulfill({ status: 403, json: { statusCode: 403, code: 'WEFT_ERR_FORBIDDEN', error: 'Forbidden', message } }),
    };
    await inWindow(1024, routes, async () => {
      await page.goto(`${weft.api!.url}/probes`);
      await page.getByRole('button', { name: 'Run now' }).click();
      await expectWholeAlert(message, 1024);
    });
  });

  // Regression: every failed load offered "Retry", a 400 (a bad filter in the address) too, where the same request gets
  // the same answer. Retry is for what can pass (no answer, 408, 429, 5xx); a 4xx says what to change instead.
  it('offers Retry for a failure that can pass, and says what to change for a bad request', async () => {
    await page.goto(`${weft.api!.url}/findings?severity=zzz`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText(), { timeout: 30_000 }).toContain('Invalid querystring field "severity"');
    expect(await alert.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    expect(await alert.getByTestId('error-fix').innerText()).toContain('Change what the message names');
    const busy: RouteHandler = (route) =>
      route.fulfill({ status: 503, json: { statusCode: 503, error: 'Service Unavailable', message: 'The store is busy.' } });
    await page.route(/\/api\/v1\/findings\?/, busy);
    try {
      await page.goto(`${weft.api!.url}/findings`);
      await expect.poll(() => alert.innerText(), { timeout: 30_000 }).toContain('The store is busy.');
      expect(await alert.getByRole('button', { name: 'Retry' }).count()).toBe(1);
    } finally {
      await page.unroute(/\/api\/v1\/findings\?/, busy);
    }
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByRole('alert').count(), { timeout: 30_000 }).toBe(0);
  });

  // Regression: a refusal that echoes a long unbroken token (here the malformed matcher, 200 letters) did not break in
  // its alert block: the page scrolled sideways to 1758 px at 390 px and at 1024 px; a reports refusal with a long
  // URL did the same (2251 px).
  it('breaks a refusal with a long unbroken token inside its alert, on a phone', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await phone.goto(`${weft.api!.url}/alerts`);
      await phone.getByLabel('Matchers').fill('a'.repeat(200));
      await phone.getByLabel('For').fill('2h');
      await phone.getByLabel('Comment').fill('long token');
      await phone.getByRole('button', { name: 'Create silence' }).click();
      await poll(() => phone.getByRole('alert').innerText()).toContain('a'.repeat(200));
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

      const refusal = `Refused: ${weft.api!.url}/${'x'.repeat(250)}`;
      await phone.route('**/api/v1/reports', (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 400,
              contentType: 'application/json',
              body: JSON.stringify({ statusCode: 400, code: 'WEFT_ERR_BAD_REQUEST', error: refusal, message: refusal }),
            })
          : route.continue(),
      );
      await phone.goto(`${weft.api!.url}/reports`);
      await phone.getByRole('button', { name: 'Create report' }).click();
      await poll(() => phone.getByRole('alert').innerText()).toContain('x'.repeat(250));
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    } finally {
      await phone.close();
    }
  });

  // Regression: a refused action was shown in the grey status line a done one uses ("Silence created."): an SRE could
  // take a silence that was never created for one that was, and go on being paged.
  it('says a refused silence is refused, as an alert, never in the line that says what was done', async () => {
    await page.goto(`${weft.api!.url}/alerts`);
    await page.getByLabel('Matchers').fill('flow customer-sync');
    await page.getByLabel('For').fill('2h');
    await page.getByLabel('Comment').fill('maintenance window');
    await page.getByRole('button', { name: 'Create silence' }).click();
    const alert = page.getByRole('alert');
    await poll(() => alert.count()).toBe(1);
    const refusal = await alert.innerText();
    expect(refusal).toMatch(/matcher/i);
    expect(await page.getByRole('status').count()).toBe(0);
    const stored = (await fetch(`${weft.api!.url}/api/v1/silences`).then((r) => r.json())) as { silences: Array<{ comment: string }> };
    expect(stored.silences.map((x) => x.comment)).not.toContain('maintenance window');
  });

  // Regression: at 1024 px the Probes page was 1,099 px wide with the demo's counts: the record-count drift table's last
  // column ("counted") was cut off.
  it('fits the Probes page and its drift table in a 1024 px window', async () => {
    const at = new Date(Date.now() - 2_000).toISOString();
    const drift = (replica: string, replicaCount: number, drifting: boolean): Drift => ({
      domain: 'customer',
      systemOfRecord: 'crm',
      replica,
      at,
      sorCount: 2_066,
      replicaCount,
      difference: replicaCount - 2_066,
      differencePercent: ((replicaCount - 2_066) / 2_066) * 100,
      tolerance: 10,
      diverging: drifting,
      divergingSince: drifting ? new Date(Date.now() - 180_000).toISOString() : null,
      drift: drifting,
      settleMs: 60_000,
      trend: 'shrinking',
      ratePerHour: -1_234,
      recent: [],
    });
    const routes: Record<string, RouteHandler> = {
      '**/api/v1/probes': (route) => route.fulfill({ json: { probes: [probeOf('billing')] } }),
      '**/api/v1/drift': (route) => route.fulfill({ json: { drift: [drift('erp', 2_066, false), drift('billing', 2_046, true)] } }),
    };
    await inWindow(1024, routes, async () => {
      await page.goto(`${weft.api!.url}/probes`);
      await poll(() => page.locator('table').nth(1).innerText()).toMatch(/crm → billing/);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    });
  });

  it("opens a flow's sample trace as a waterfall with the systems it touched, and finds a trace by its id", async () => {
    await page.goto(`${weft.api!.url}/flows/customer-sync`);
    await page.getByTestId('flow-trace').click();
    await poll(() => page.getByTestId('span-row').count()).toBe(3);
    await poll(() => page.locator('section.facts-row').innerText()).toMatch(/read: crm[\s\S]*wrote: erp/);
    await page.getByTestId('span-row').filter({ hasText: 'INSERT' }).click();
    await poll(() => page.locator('aside.detail').innerText()).toMatch(/db\.query\.text\s+INSERT INTO customers/);
    const id = page.url().split('/').pop()!;
    await page.goto(`${weft.api!.url}/traces`);
    await page.getByLabel('Trace id').fill(id.toUpperCase());
    await page.getByRole('button', { name: 'Open' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe(`Trace ${id}`);
  });

  it('filters the graph, focuses on one system, keeps the view in the URL, and colours a flow by its worst finding', async () => {
    await page.goto(`${weft.api!.url}/?documented=undocumented`);
    const graph = () => page.getByRole('img', { name: /^Dependency graph of/ });
    await poll(() => graph().getAttribute('aria-label')).toMatch(/^Dependency graph of 2 systems and 1 flow\b/);
    // The undocumented flow has open findings: its arrow is labelled with the worst one's kind (writing into the system of record).
    await poll(() => graph().locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['sor-violation']));
    await page.goto(`${weft.api!.url}/`);
    await page.getByTestId('focus-select').selectOption('erp');
    await poll(async () => page.url()).toMatch(/focus=erp/);
    await poll(() => graph().getAttribute('aria-label')).toMatch(/^Dependency graph of 2 systems/);
    await page.getByRole('link', { name: 'clear filters' }).click();
    await poll(async () => page.url()).not.toMatch(/focus=/);
  });

  // Regression: asked for groups by owner, the ERP (named by the system-of-record violation of its undocumented
  // writeback into the CRM, a finding without a flow) was drawn inside its team's group.
  it('draws systems named by a finding on their own when grouped by owner or kind, rimmed with its colour', async () => {
    const graph = () => page.getByRole('img', { name: /^Dependency graph of/ });
    for (const by of ['owner', 'kind']) {
      await page.goto(`${weft.api!.url}/`);
      await poll(() => graph().getAttribute('aria-label')).toMatch(/^Dependency graph of 2 systems/);
      await page.getByTestId('group-select').selectOption(by);
      await poll(async () => page.url()).toMatch(new RegExp(`group=${by}`));
      await poll(() => graph().getAttribute('aria-label')).toMatch(new RegExp(`drawn as 0 groups by ${by} and 2 systems on their own$`));
      await poll(() => graph().locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['Sales CRM', 'Finance ERP']));
      // Both systems are rimmed with the finding's colour.
      const rims = () =>
        graph()
          .locator('svg path[fill="#2456a6"]')
          .evaluateAll((els) => els.map((el) => el.getAttribute('stroke')));
      await poll(async () => (await rims()).filter((c) => Object.values(severityColor).includes(c!)).length).toBe(2);
    }
  });

  it('searches systems, flows and findings from one box, keyboard first', { timeout: 120_000 }, async () => {
    await page.goto(`${weft.api!.url}/findings`);
    const box = page.getByRole('combobox', { name: 'Search systems, flows, owners, findings' });
    // "/" focuses the box once the page's scripts have started (on a loaded machine, a moment after load).
    await poll(async () => {
      await page.keyboard.press('/');
      return box.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement);
    }).toBe(true);
    await page.keyboard.type('customers copied');
    await poll(() => page.getByRole('listbox', { name: 'Search results' }).innerText()).toMatch(/Customers copied to the ERP/);
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('Customers copied to the ERP');
  });

  /** The observed flow of an OpenLineage job whose run came without START (so without a duration), read from an unmatched bucket. */
  let lineageFlow = '';

  // Regression (issue #12): such a flow showed "0 ms" latency, and its dataset was an unknown system on the
  // overview but not in `weft audit`'s summary.
  it('shows "no data", not 0 ms, for a flow whose runs carry no latency, and counts its dataset as the audit does', async () => {
    const event = {
      eventType: 'COMPLETE',
      eventTime: new Date().toISOString(),
      run: { runId: '01934b7e-2222-7000-8000-0000000c0001' },
      job: { namespace: 'airflow', name: 'export_customers' },
      inputs: [{ namespace: 'postgres://erp-db:5432', name: 'erp.public.customers' }],
      outputs: [{ namespace: 's3://partner-drop', name: 'exports/customers.csv' }],
      producer: 'https://github.com/apache/airflow/tree/providers-openlineage/2.20.3',
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    };
    const posted = await fetch(`${weft.api!.url}/api/v1/lineage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(posted.status).toBe(200);
    await weft.analyzer!.runNow();
    const flows = (await fetch(`${weft.api!.url}/api/v1/inventory/flows?since=24h`).then((r) => r.json())) as {
      flows: Array<{ id: string; integrations: string[]; stats: { traces: number; p50Ms: number | null; p95Ms: number | null } | null }>;
    };
    const flow = flows.flows.find((f) => f.integrations.includes('airflow/export_customers'))!;
    expect(flow.stats).toMatchObject({ traces: 1, p50Ms: null, p95Ms: null });
    lineageFlow = flow.id;

    await page.goto(`${weft.api!.url}/inventory?tab=flows`);
    const row = page.locator('tr', { hasText: 'airflow/export_customers' });
    await poll(() => row.getByTestId('no-latency').innerText()).toBe('no data');
    expect(await row.getByTestId('no-latency').getAttribute('title')).toMatch(/OpenLineage carry no latency/);
    expect(await row.innerText()).not.toMatch(/\b0 ms/);

    await page.goto(`${weft.api!.url}/flows/${encodeURIComponent(lineageFlow)}`);
    await poll(() => page.getByTestId('flow-latency').innerText()).toBe('no data');
    await poll(() => page.getByTestId('no-latency-chart').innerText()).toMatch(/No latency data\. .*OpenLineage/);
    await page.screenshot({ path: join(dir, 'lineage-flow.png'), fullPage: true });

    // The overview's "N unknown" and the audit's summary count the same systems (the bucket among them).
    const audit = (await fetch(`${weft.api!.url}/api/v1/audit?since=24h`).then((r) => r.json())) as { summary: { systems: { unknown: number } } };
    expect(audit.summary.systems.unknown).toBeGreaterThanOrEqual(1);
    await page.goto(`${weft.api!.url}/`);
    await poll(() => page.getByLabel('Estate counts').innerText()).toMatch(new RegExp(`\\b${audit.summary.systems.unknown} unknown\\b`));
  });

  // Regression: evidence, the reports' periods ("… UTC"), silences' ends (the browser's own format) and old "last
  // seen" dates (2026-01-01) each wrote time their own way; every time now reads one way, its ISO value on hover.
  it('writes every time one way on every page, with its exact ISO value in the title', { timeout: 120_000 }, async () => {
    const findings = (await fetch(`${weft.api!.url}/api/v1/findings?limit=20`).then((r) => r.json())) as { findings: Array<{ id: string }> };
    const flow = (await fetch(`${weft.api!.url}/api/v1/inventory/flows`).then((r) => r.json())) as {
      flows: Array<{ id: string; stats: { sampleTrace: string } | null }>;
    };
    const trace = flow.flows.find((f) => f.id === 'customer-sync')!.stats!.sampleTrace;
    const paths = [
      '/inventory?tab=systems',
      '/inventory?tab=flows',
      '/inventory?tab=domains',
      '/findings',
      ...findings.findings.map((f) => `/findings/${encodeURIComponent(f.id)}`),
      '/flows/customer-sync',
      `/traces/${trace}`,
      '/alerts',
      '/probes',
      '/reports',
    ];
    let times = 0;
    for (const path of paths) {
      await page.goto(`${weft.api!.url}${path}`);
      await page.waitForLoadState('networkidle');
      await poll(() => page.locator('main [aria-busy="true"]').count()).toBe(0);
      expect(await page.locator('main').innerText(), path).not.toMatch(ISO_TIME);
      for (const t of await page.locator('main time').all()) {
        const iso = (await t.getAttribute('datetime'))!;
        expect(Date.parse(iso), `${path}: <time datetime>`).not.toBeNaN();
        expect(await t.getAttribute('title'), path).toContain(iso);
        const shown = await t.innerText();
        if (!/ago$|^just now$/.test(shown)) expect(shown, path).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}(, \d{2}:\d{2}:\d{2})?$/);
        times++;
      }
    }
    expect(times).toBeGreaterThan(10);
  });

  // Regression: at 320 px (the narrowest phones) the overview's focus select and the trace search's id box kept the width
  // of their longest option and their size, and widened the page by 4 and 48 px.
  it('fits a phone screen (390 and 320 px): nothing wider than the page', { timeout: 180_000 }, async () => {
    // regression: a finding's or an observed flow's page widened the page with a long host in its title
    const findings = (await fetch(`${weft.api!.url}/api/v1/findings?limit=20`).then((r) => r.json())) as { findings: Array<{ id: string }> };
    const flows = (await fetch(`${weft.api!.url}/api/v1/inventory/flows`).then((r) => r.json())) as { flows: Array<{ id: string }> };
    const pages = [
      ...findings.findings.map((f) => `/findings/${encodeURIComponent(f.id)}`),
      ...flows.flows.filter((f) => f.id.startsWith('observed:')).map((f) => `/flows/${encodeURIComponent(f.id)}`),
    ];
    expect(pages.length).toBeGreaterThan(2);
    for (const width of [390, 320]) {
      const phone = await browser.newPage({ viewport: { width, height: 844 } });
      for (const path of ['/', '/inventory?tab=flows', '/findings', '/flows/customer-sync', '/reports', '/alerts', '/probes', '/traces', ...pages]) {
        await phone.goto(`${weft.api!.url}${path}`);
        await phone.waitForLoadState('networkidle');
        expect(
          await phone.evaluate(
            () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth,
          ),
          `${path} at ${width} px`,
        ).toBeLessThanOrEqual(width);
      }
      await phone.close();
    }
  });

  // Regression (issue #12): at 390 px the flow charts' time labels overlapped, and the hop-chain,
  // inventory and alerts tables scrolled sideways inside their box.
  it('reads on a phone (390 px): tables as one card a row with every column, time labels apart', { timeout: 120_000 }, async () => {
    const silence = await fetch(`${weft.api!.url}/api/v1/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ matchers: ['flow="customer-sync"'], duration: '2h', comment: 'phone layout check' }),
    });
    expect(silence.status).toBeLessThan(300);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const pages = ['/inventory?tab=systems', '/inventory?tab=flows', '/inventory?tab=domains', '/flows/customer-sync', '/alerts', '/probes', '/reports'];
    for (const path of [...pages, `/flows/${encodeURIComponent(lineageFlow)}`]) {
      await phone.goto(`${weft.api!.url}${path}`);
      await phone.waitForLoadState('networkidle');
      const tables = await phone.locator('table.cards').all();
      for (const table of tables) {
        if (!(await table.isVisible())) continue;
        const [scroll, client] = await table.evaluate((t) => [
          (t as unknown as { scrollWidth: number }).scrollWidth,
          (t as unknown as { clientWidth: number }).clientWidth,
        ]);
        expect(scroll, `a table on ${path} scrolls sideways`).toBeLessThanOrEqual(client + 1);
        // Every cell still says which column it is (nothing dropped to make it fit).
        for (const cell of await table.locator('tbody td').all())
          expect(await cell.getAttribute('data-label'), `a cell on ${path} lost its column name`).not.toBeNull();
      }
      if (path === '/alerts') expect(await phone.locator('td[data-label="matchers"]').allInnerTexts()).toContain('flow="customer-sync"');
      if (path === '/inventory?tab=flows') expect(await phone.locator('td[data-label="p95"]').allInnerTexts()).toContain('no data');
    }
    // The flow's records-per-hop table (its domain's chain crm → erp) as cards too.
    await phone.goto(`${weft.api!.url}/flows/customer-sync`);
    await poll(() => phone.getByTestId('hop-chain').count()).toBeGreaterThan(0);
    await poll(() => phone.getByTestId('hop-chain').first().locator('td[data-label="hop"]').first().innerText()).toMatch(/crm[\s\S]*→ erp/);
    // Time-axis labels of a chart: in one row, none overlapping the next.
    const chart = phone.getByRole('img', { name: /^Throughput of customer-sync/ });
    await poll(() => chart.locator('svg path').count()).toBeGreaterThan(3);
    const box = (await chart.boundingBox())!;
    const labels: Array<{ x: number; right: number }> = [];
    for (const t of await chart.locator('svg text').all()) {
      const b = await t.boundingBox();
      if (b && b.y > box.y + box.height - 30) labels.push({ x: b.x, right: b.x + b.width });
    }
    labels.sort((a, b) => a.x - b.x);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < labels.length; i++) expect(labels[i].x, 'time labels overlap').toBeGreaterThanOrEqual(labels[i - 1].right);
    await phone.screenshot({ path: join(dir, 'phone-flow.png'), fullPage: true });
    await phone.close();
  });

  it('asks for a token when the API wants one, keeps it for the session only, and then shows the data', async () => {
    const token = 'ui-test-viewer-token-0123456789';
    const credentials = await Credentials.create({ configured: [{ token, role: 'viewer', name: 'ui-viewer', source: 'WEFT_API_TOKENS' }] });
    const app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials,
      logger: silentLogger(),
      services: { store: weft.store, analyzer: weft.analyzer },
    });
    guarded = app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await page.goto(`${url}/inventory?tab=systems`);
    await page.getByRole('textbox', { name: 'Token' }).fill(token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await poll(() => page.locator('table').innerText()).toMatch(/Sales CRM[\s\S]*Finance ERP/);
    // Regression: the token was kept in localStorage.
    expect(await page.evaluate("[sessionStorage.getItem('weft.token'), localStorage.getItem('weft.token')]")).toEqual([token, null]);
  });

  it('runs under its Content-Security-Policy with no violation, and cannot be framed', async () => {
    const response = await page.goto(`${weft.api!.url}/findings`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'sha256-/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(response!.headers()['x-frame-options']).toBe('DENY');
    await poll(() => page.getByRole('heading', { level: 1 }).innerText()).toMatch(/Findings/);
    expect(cspViolations).toEqual([]);
    // Another page that frames the UI (clickjacking) is refused by the browser.
    await page.setContent(`<iframe id="f" src="${weft.api!.url}/" width="400" height="300"></iframe>`);
    await poll(async () => frameRefusals.length).toBeGreaterThan(0);
  });
});
