import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../access/index.ts';
import { buildApiApp, type ApiApp } from '../api/app.ts';
import { silentLogger } from '../core/log/logger.ts';
import { browserAvailable, chromiumLaunch } from '../test/services.ts';
import { poll } from './testing/ui-weft.ts';

/**
 * The UI in front of the API's limit on wrong tokens (docs/security.md): the API as `weft start` builds it (its guard,
 * the built UI), with a limit of 2 wrong tokens a minute, in Debian's chromium. No store: every request is refused by the
 * guard before a route would read one.
 */
describe.skipIf(!browserAvailable())('the UI after too many wrong tokens', () => {
  let api: ApiApp;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    const credentials = await Credentials.create({
      configured: [{ token: 'ui-limit-viewer-token-0123456789', role: 'viewer', name: 'viewer', source: 'WEFT_API_TOKENS' }],
      authFailures: { maxFailures: 2 },
    });
    api = await buildApiApp({ config: { host: '127.0.0.1', port: 0 }, credentials, logger: silentLogger(), services: { store: undefined as never } });
    await api.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
    browser = await chromium.launch(chromiumLaunch);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('regression: says how long Weft waits before it checks a token again and offers Retry only then (a 429 read "Could not load findings (429)" with a Retry that could only fail)', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${base}/findings`);
    for (const guess of ['wrong-token-one-0123456789', 'wrong-token-two-0123456789', 'wrong-token-three-0123456789']) {
      await page.getByRole('textbox', { name: 'Token' }).fill(guess);
      await page.getByRole('button', { name: 'Use token' }).click();
    }
    const alert = page.getByRole('alert').first();
    await poll(() => alert.innerText()).toMatch(
      /Weft asks to wait before it answers for findings: Too many wrong tokens were sent from this address: Weft checks no token from it for (\d+ s|1 min)\. Then try again with a right token/,
    );
    expect(await alert.innerText()).not.toMatch(/\(429\)/);
    const wait = page.getByTestId('retry-wait');
    expect(await wait.isDisabled()).toBe(true);
    const first = Number(/Retry in (\d+) s/.exec(await wait.innerText())?.[1] ?? '60');
    // The wait counts down as the page stays open.
    await poll(async () => Number(/Retry in (\d+) s/.exec(await wait.innerText())?.[1] ?? '60')).toBeLessThan(first);
    await page.close();
  }, 90_000);
});
