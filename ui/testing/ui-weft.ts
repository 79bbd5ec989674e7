import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api } from '@opentelemetry/sdk-node';
import { chromium, type Browser, type Locator, type Page, type Route } from 'playwright-core';
import { expect } from 'vitest';
import { buildConfig, parseArgs } from '../../core/config/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startWeft, type RunningWeft } from '../../runtime/start-weft.ts';
import { sendSpans, type SpanSpec } from '../../test/otel.ts';
import { browserAvailable, chromiumLaunch } from '../../test/services.ts';
import { seedWeftStore } from '../../test/migrated-store.ts';
import { startedForFile } from '../../test/started-for-file.ts';
import { uiBuildDir } from '../index.ts';

export const catalogYaml = `
owners:
  - { id: icoe, name: Integration team, email: icoe@example.com }
systems:
  - { id: crm, name: Sales CRM, kind: crm, owner: icoe, match: { hosts: [crm.internal] } }
  - { id: erp, name: Finance ERP, kind: erp, owner: icoe, match: { databases: ["postgresql://erp-db/erp"] } }
domains:
  - { id: customer, systemOfRecord: crm, replicas: [erp], owner: icoe }
flows:
  - { id: customer-sync, name: Customers copied to the ERP, source: crm, target: erp, domain: customer, owner: icoe, runtime: { service: customer-sync } }
`;

export const http = (method: string, url: string): SpanSpec => ({
  name: method,
  kind: api.SpanKind.CLIENT,
  attributes: { 'http.request.method': method, 'url.full': url, 'integration.domain': 'customer' },
});
export const insert = (): SpanSpec => ({
  name: 'INSERT',
  kind: api.SpanKind.CLIENT,
  attributes: {
    'db.system': 'postgresql',
    'db.namespace': 'erp',
    'server.address': 'erp-db',
    'db.query.text': 'INSERT INTO customers VALUES ($1)',
    'integration.records': 10,
  },
});
export const select = (): SpanSpec => ({
  name: 'SELECT',
  kind: api.SpanKind.CLIENT,
  attributes: { 'db.system': 'postgresql', 'db.namespace': 'erp', 'server.address': 'erp-db', 'db.query.text': 'SELECT * FROM customers' },
});
export const run = (name: string, start: number, children: SpanSpec[]): SpanSpec => ({ name, kind: api.SpanKind.INTERNAL, start, durationMs: 40, children });

/** The estate a UI test file opens: its catalog, and the calls of each of customer-sync's three runs. */
export interface UiEstate {
  catalogYaml: string;
  /** Every run reads the CRM and writes the ERP (3 traces of customer-sync), with whatever else this adds. */
  customerSyncCalls?: () => SpanSpec[];
}

/**
 * Runs the analyzer until the API shows all four traces paired (the pairing job takes traces once
 * their late-arrival window has passed, which may be a run or two later).
 */
export async function analyzed(weft: RunningWeft): Promise<void> {
  const get = (path: string) => fetch(`${weft.api!.url}/api/v1${path}`).then((r) => r.json() as Promise<Record<string, Array<Record<string, unknown>>>>);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await weft.analyzer!.runNow();
    expect(run.errors).toEqual([]);
    const flows = (await get('/inventory/flows')).flows;
    const sync = flows.find((f) => f.id === 'customer-sync')?.stats as { traces: number } | null | undefined;
    if (sync?.traces === 3 && flows.some((f) => f.documented === false)) return;
    if (Date.now() > deadline) throw new Error(`the analyzer did not pair the test traces within 60 s: ${JSON.stringify(flows)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const hasBrowser = browserAvailable();
/** Waits for what the page shows (a loaded machine answers slowly); fails with the last value seen. */
export const poll = <T>(read: () => Promise<T>, message?: string) => expect.poll(read, { timeout: 30_000, interval: 250, message });

/** An ISO 8601 date-time anywhere in a text: what no page may show (format.ts `when` writes times). */
export const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** A time as the UI writes it: "30 Nov 2026, 07:08:12". */
export const SHOWN_TIME = /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2}$/;

export type Box = { x: number; y: number; width: number; height: number };
/** Two boxes cover a common area (touching edges do not count). */
export const overlap = (a: Box, b: Box) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;

/**
 * Holds the API's answers to the requests matching `pattern` until `release()`: a slow server (a 7-day
 * inventory of a large estate) without waiting for one, so what the page shows meanwhile can be checked.
 */
export async function hold(page: Page, pattern: RegExp): Promise<{ release: () => Promise<void> }> {
  const held: Route[] = [];
  const handler = (route: Route) => void held.push(route);
  await page.route(pattern, handler);
  return {
    release: async () => {
      await page.unroute(pattern, handler);
      for (const route of held.splice(0)) await route.continue().catch(() => undefined);
    },
  };
}

/**
 * Drags once across a chart, from 30 % to 70 % of its width at half its height, once it has drawn its
 * option (its `data-rendered`), and waits for the page to zoom (its URL's `from` no longer `before`).
 * The press goes through the chart's locator: Playwright scrolls it into view, waits until its box holds
 * still and checks that the chart, not what moved over its place, takes the pointer. A press at a box read
 * beforehand landed, on a loaded machine, on the records per hop, which arrived meanwhile above the charts
 * (they are below them now) and pushed them 250 px down. One drag: a drag the page loses is a bug a person would see, not
 * something to try again. Returns the chart's box once pressed; fails when the page did not zoom within 30 s.
 */
export async function dragAcross(page: Page, chart: Locator, before: string | null): Promise<Box> {
  await expect
    .poll(async () => Number((await chart.getAttribute('data-rendered')) ?? '0'), { timeout: 30_000, message: 'the chart drew its option' })
    .toBeGreaterThan(0);
  const { width, height } = (await chart.boundingBox())!;
  await chart.hover({ position: { x: width * 0.3, y: height * 0.5 } });
  await page.mouse.down();
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 8 });
  await page.mouse.up();
  await poll(async () => new URL(page.url()).searchParams.get('from'), 'a drag across the chart zoomed').not.toBe(before);
  return box;
}

/**
 * The UI end to end: Weft started as `weft start` does (temp data dir, port 0), spans sent through its
 * collector with the real SDK, and Debian's chromium reading the pages the way a person does.

/** The UI's test estate: a Weft started as `weft start` does, its traces analysed, a browser on a page. */
export interface UiWeft {
  /** The Weft's data directory (removed by `stop`); screenshots are written here. */
  dir: string;
  weft: RunningWeft;
  browser: Browser;
  page: Page;
  /** What the browser reports against the Content-Security-Policy while the pages run. */
  cspViolations: string[];
  /** The browser's refusals to show Weft inside a frame (frame-ancestors 'none'). */
  frameRefusals: string[];
  /** Closes the browser, stops the Weft and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts Weft as `weft start` does (temp data dir, port 0, `estate`: the catalog above by default), sends the test traces
 * through its collector with the real SDK, waits until the analyzer has paired them, and opens
 * Debian's chromium on a 1400 × 900 page. Throws when the UI is not built or the traces are not paired
 * within 60 s.
 */
export async function openUiWeft(estate: UiEstate = { catalogYaml }): Promise<UiWeft> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-ui-'));
  statSync(join(uiBuildDir, 'index.html')); // built by `npm install` (prepare) or `npm run build:ui`
  const catalog = join(dir, 'estate.yaml');
  writeFileSync(catalog, estate.catalogYaml);
  const config = buildConfig(
    parseArgs(['--data', dir, '--port', '0', '--otlp-port', '0', '--catalog', catalog, '--analyze-every', '1h', '--late-arrival', '1ms']),
    {},
    dir,
  );
  // A store already migrated: what these tests look at is the pages, not a first start (test/migrated-store.ts).
  await seedWeftStore(config);
  const weft = await startWeft(config, silentLogger());
  try {
    return await estateAndBrowser(dir, weft, estate);
  } catch (e) {
    // What started is stopped: its store left open, no other file of this worker could open one.
    await weft.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The UI's test Weft for one describe block: `open()` (in its beforeAll) starts it once, `stop()` (in its afterAll)
 * stops it, whether the opening finished within its hook or after the hook gave up (test/started-for-file.ts).
 */
export function uiWeftOfFile(estate?: UiEstate): { open(): Promise<UiWeft>; stop(): Promise<void> } {
  const started = startedForFile<UiWeft>();
  return { open: () => started.open(() => openUiWeft(estate)), stop: started.stop };
}

/** The rest of openUiWeft, on a started Weft: the estate's traces sent and analysed, a browser on a page. */
async function estateAndBrowser(dir: string, weft: Awaited<ReturnType<typeof startWeft>>, estate: UiEstate): Promise<UiWeft> {
  const cspViolations: string[] = [];
  const frameRefusals: string[] = [];
  // The analyzer pairs traces that ended after its last run (its watermark): let the run that
  // startWeft began finish, then send traces that lie between it and the next run.
  await weft.analyzer!.runNow();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 600));
  const target = (serviceName: string) => ({ url: weft.collector!.url, serviceName });
  await sendSpans(
    target('customer-sync'),
    [0, 200, 400].map((s) =>
      run('sync customers', t0 + s, [http('GET', 'https://crm.internal/api/customers'), ...(estate.customerSyncCalls?.() ?? []), insert()]),
    ),
  );
  // Not in the catalog: the ERP writes customers back into the CRM.
  await sendSpans(target('erp-writeback'), [run('writeback', t0 + 100, [select(), http('PUT', 'https://crm.internal/api/customers')])]);
  await weft.collector!.flush();
  await analyzed(weft);
  const browser = await chromium.launch(chromiumLaunch);
  try {
    return await onPage(dir, weft, browser, cspViolations, frameRefusals);
  } catch (e) {
    await browser.close().catch(() => undefined);
    throw e;
  }
}

/** The page of openUiWeft, on its browser, recording Content-Security-Policy violations and frame refusals. */
async function onPage(
  dir: string,
  weft: Awaited<ReturnType<typeof startWeft>>,
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  cspViolations: string[],
  frameRefusals: string[],
): Promise<UiWeft> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(20_000);
  page.on('console', (m) => {
    if (/frame-ancestors/.test(m.text())) frameRefusals.push(m.text());
    else if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => {
    if (/Content Security Policy/i.test(e.message)) cspViolations.push(e.message);
  });
  return {
    dir,
    weft,
    browser,
    page,
    cspViolations,
    frameRefusals,
    async stop() {
      await browser.close();
      await weft.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
