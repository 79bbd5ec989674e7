import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Credentials } from '../../access/index.ts';
import { startAlerting, type AlertingRuntime, type WebhookPayload } from '../../alerting/index.ts';
import { startAnalyzer, type Analyzer } from '../../analyzer/index.ts';
import { baseCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { loadCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { promtoolPath, toolAvailable } from '../../test/alertmanager.ts';
import type { ApiApp } from '../app.ts';
import { buildApiApp } from '../index.ts';

/** Real spans over OTLP → collector → rollups → analyzer → alerting → API and a webhook receiver. */
describe('alert routes', () => {
  let h: Harness;
  let analyzer: Analyzer;
  let alerting: AlertingRuntime;
  let app: ApiApp;
  let hook: Server;
  const payloads: WebhookPayload[] = [];
  const tokens = { 'viewer-token': 'viewer', 'sre-token': 'sre' } as const;
  const secret = (t: keyof typeof tokens) => `alerting-${t}-0000000001`;
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, token: keyof typeof tokens = 'sre-token', payload?: unknown) => {
    const r = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${secret(token)}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: r.statusCode, body: String(r.headers['content-type'] ?? '').includes('json') ? r.json() : r.body };
  };

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => (payloads.push(JSON.parse(body)), res.end()));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    h = await startHarness();
    const file = join(h.dir, 'estate.yaml');
    const receivers = `receivers:\n  - { id: icoe-hook, type: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook" }\nroutes:\n  - { receiver: icoe-hook, groupWait: 0s }\n`;
    writeFileSync(file, `${baseCatalogYaml}${receivers}`);
    // Recent traffic: older than the telemetry-gap limit (60 s) and every flow rule would be held.
    await sendEstateTraffic(h.collector.url, Date.now() - 15_000);
    await h.collector.flush();
    const catalog = loadCatalog([file]);
    analyzer = startAnalyzer({
      store: h.store,
      catalog,
      logger: silentLogger(),
      config: { intervalMs: 3_600_000, windowMs: 86_400_000, lateMs: 0 },
      schedule: false,
    });
    await analyzer.runNow();
    alerting = startAlerting({
      store: h.store,
      catalog: () => analyzer.catalog(),
      findings: analyzer.findings,
      logger: silentLogger(),
      env: () => undefined,
      intervalMs: 10_000,
      externalUrl: 'http://weft.test',
      schedule: false,
    });
    const configured = (Object.keys(tokens) as Array<keyof typeof tokens>).map((t) => ({
      token: secret(t),
      role: tokens[t],
      name: `alerting-${tokens[t]}`,
      source: 'WEFT_API_TOKENS' as const,
    }));
    app = await buildApiApp({
      config: { host: '127.0.0.1', port: 0 },
      credentials: await Credentials.create({ configured }),
      logger: silentLogger(),
      services: { store: h.store, analyzer, findings: analyzer.findings, alerting },
    });
  });
  afterAll(async () => {
    await app?.close();
    await alerting?.stop();
    await analyzer?.stop();
    await h?.close();
    hook?.close();
  });

  it('fires the error-rate alert of a flow that fails, lists it and notifies the webhook with the v4 payload', async () => {
    const report = await alerting.evaluateNow();
    expect(report.errors).toEqual([]);
    await alerting.idle();
    const { status, body } = await call('GET', '/api/v1/alerts', 'viewer-token');
    expect(status).toBe(200);
    // Regression: `?state=` and `?state=,` answered no alerts at all, as if none were in any state.
    for (const query of ['state=', 'state=,', 'state=firing,'])
      expect((await call('GET', `/api/v1/alerts?${query}`, 'viewer-token')).body.message, query).toMatch(
        /^Invalid querystring field "state": it (is empty|has an empty item \(.*\)); expected one or more of pending, firing, resolved, separated by commas\.$/,
      );
    const errors = body.alerts.find((a: { rule: string }) => a.rule === 'flow-error-rate');
    expect(errors).toMatchObject({
      state: 'firing',
      flow: 'customer-sync',
      labels: { alertname: 'flow-error-rate', flow: 'customer-sync', owner: 'icoe', class: 'gold' },
      threshold: 0.1,
      value: 0.5,
    });
    const sent = payloads.flatMap((p) => p.alerts).find((a) => a.labels.alertname === 'flow-error-rate');
    // The link opens the analyzer's error-rate finding on the same flow (see the next test).
    expect(sent).toMatchObject({
      status: 'firing',
      fingerprint: errors.fingerprint,
      generatorURL: `http://weft.test/findings/${errors.finding}`,
      endsAt: '0001-01-01T00:00:00Z',
    });
    const rules: Array<{ id: string; windowMs: number | null; threshold: number | null; flowThresholds: unknown[] }> = (
      await call('GET', '/api/v1/alerts/rules')
    ).body.rules;
    expect(rules.map((r) => r.id)).toContain('flow-stale');
    // Regression: the list said no threshold (the schema had none): a flow's allowed silence could not be read.
    expect(rules.find((r) => r.id === 'flow-stale')?.flowThresholds).toContainEqual({ flow: 'customer-sync', threshold: 600_000 });
    expect(rules.find((r) => r.id === 'weft-behind')?.threshold).toBeGreaterThan(0);
    // Regression: rules whose measure takes no window showed the default's 5 minutes.
    const windowOf = (id: string) => rules.find((r) => r.id === id)?.windowMs;
    expect([
      windowOf('flow-latency-p95'),
      windowOf('system-unreachable'),
      windowOf('telemetry-gap'),
      windowOf('weft-behind'),
      windowOf('unknown-system'),
    ]).toEqual([300_000, 60_000, null, null, null]);
  });

  it("regression: every alert says what it is about — a finding alert its finding and the finding's sample traces, a flow alert the open finding of its kind on the flow and a run's trace (alerts linked to nothing)", async () => {
    const alerts: Array<{ rule: string; flow: string | null; finding: string | null; traceIds: string[]; fingerprint: string }> = (
      await call('GET', '/api/v1/alerts', 'viewer-token')
    ).body.alerts;
    const shadow = alerts.find((a) => a.rule === 'unknown-system');
    expect(shadow).toBeDefined();
    const finding = (await call('GET', `/api/v1/findings/${shadow!.finding}`, 'viewer-token')).body.finding;
    expect(finding.kind).toBe('unknown-system');
    expect(finding.evidence.sampleTraceIds.length).toBeGreaterThan(0);
    expect(shadow!.traceIds).toEqual(finding.evidence.sampleTraceIds);
    const trace = await call('GET', `/api/v1/traces/${shadow!.traceIds[0]}`, 'viewer-token');
    expect(trace.status).toBe(200);

    const errors = alerts.find((a) => a.rule === 'flow-error-rate')!;
    // The analyzer's error-rate finding on customer-sync proves the same thing (it was null).
    const proof = (await call('GET', `/api/v1/findings/${errors.finding}`, 'viewer-token')).body.finding;
    expect([proof.kind, proof.subject.flows, proof.status]).toEqual(['error-rate', ['customer-sync'], 'open']);
    expect(errors.traceIds[0]).toMatch(/^[0-9a-f]{32}$/);
    // A failed run first: the trace the error-rate alert links to has an error span.
    const failed = (await call('GET', `/api/v1/traces/${errors.traceIds[0]}`, 'viewer-token')).body;
    expect(failed.spans.map((x: { status: string }) => x.status)).toContain('Error');
    const sent = payloads.flatMap((p) => p.alerts).find((a) => a.fingerprint === errors.fingerprint)!;
    expect(sent.annotations.trace_url).toBe(`http://weft.test/traces/${errors.traceIds[0]}`);
    const sentShadow = payloads.flatMap((p) => p.alerts).find((a) => a.fingerprint === shadow!.fingerprint)!;
    expect(sentShadow.generatorURL).toBe(`http://weft.test/findings/${shadow!.finding}`);

    const doc = (await call('GET', '/api/v1/openapi.json', 'viewer-token')).body;
    const schema = doc.paths['/api/v1/alerts'].get.responses['200'].content['application/json'].schema.properties.alerts.items;
    expect(schema.required).toEqual(expect.arrayContaining(['finding', 'traceIds']));
    expect(schema.properties.traceIds.type).toBe('array');
  });

  it('acknowledges and silences for sre, refuses a viewer, and says what is wrong with a bad matcher', async () => {
    // The customer-sync alert (the silence below matches its flow), whatever order the list has.
    const alert = (await call('GET', '/api/v1/alerts')).body.alerts.find((a: { labels: Record<string, string> }) => a.labels.flow === 'customer-sync');
    expect(alert).toBeDefined();
    expect((await call('POST', `/api/v1/alerts/${alert.fingerprint}/ack`, 'viewer-token', { note: 'x' })).status).toBe(403);
    const acked = await call('POST', `/api/v1/alerts/${alert.fingerprint}/ack`, 'sre-token', { note: 'on it' });
    expect(acked.body.alert).toMatchObject({ acknowledgedBy: 'alerting-sre', ackNote: 'on it' });
    expect((await call('POST', '/api/v1/alerts/0000000000000000/ack', 'sre-token', {})).status).toBe(404);
    const bad = await call('POST', '/api/v1/silences', 'sre-token', { matchers: ['flow=~"("'], comment: 'x' });
    expect([bad.status, bad.body.message]).toEqual([400, expect.stringMatching(/matchers.*not a regular expression/)]);
    // Regression: alertname=~".*" was accepted and silenced every alert; Alertmanager refuses it.
    for (const matchers of [['alertname=~".*"'], ['flow!="x"', 'team=~"a|"'], ['flow=""']]) {
      const all = await call('POST', '/api/v1/silences', 'sre-token', { matchers, comment: 'x', duration: '1h' });
      expect([all.status, all.body.message], matchers.join()).toEqual([
        400,
        expect.stringMatching(/would silence every alert; give at least one that needs a value/),
      ]);
    }
    // A time the store cannot hold is refused, naming the field (it reached the store before).
    for (const [body, field] of [
      [{ endsAt: '2400-01-01T00:00:00Z' }, 'endsAt'],
      [{ startsAt: '1850-01-01T00:00:00Z', duration: '1h' }, 'startsAt'],
      [{ startsAt: '2299-12-31T23:00:00Z', duration: '2h' }, 'endsAt'],
    ] as const) {
      const far = await call('POST', '/api/v1/silences', 'sre-token', { matchers: ['flow=customer-sync'], comment: 'x', ...body });
      expect([far.status, far.body.message], JSON.stringify(body)).toEqual([
        400,
        expect.stringMatching(new RegExp(`^Invalid body field "${field}": it must lie between the years 1900 and 2299`)),
      ]);
    }
    // A day the calendar lacks, or a time without its offset, is not a time to silence until (the schema's RFC 3339 format).
    for (const endsAt of ['2026-02-30T00:00:00Z', '2026-11-29T08:00:00', 'Nov 29 2026 08:00 GMT']) {
      const bad = await call('POST', '/api/v1/silences', 'sre-token', { matchers: ['flow=customer-sync'], comment: 'x', endsAt });
      expect([bad.status, bad.body.message], endsAt).toEqual([
        400,
        `Invalid body field "endsAt": expected when it ends, an RFC 3339 date-time with its offset such as 2026-11-29T10:00:00Z (or give duration), got "${endsAt}".`,
      ]);
    }
    // Regression: these pass the schema's format but no Date holds them; they were told "must lie between the years".
    for (const [field, text] of [
      ['endsAt', '2026-12-01T09:00:00+01'],
      ['startsAt', '2016-12-31T23:59:60Z'],
    ] as const) {
      const bad = await call('POST', '/api/v1/silences', 'sre-token', {
        matchers: ['flow=customer-sync'],
        comment: 'x',
        duration: field === 'startsAt' ? '1h' : undefined,
        [field]: text,
      });
      expect([bad.status, bad.body.message], text).toEqual([
        400,
        `Invalid body field "${field}": expected an RFC 3339 date-time with its offset such as 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00, got "${text}".`,
      ]);
    }
    const made = await call('POST', '/api/v1/silences', 'sre-token', { matchers: ['flow=customer-sync'], duration: '1h', comment: 'maintenance' });
    expect(made.status).toBe(201);
    expect(made.body.silence).toMatchObject({
      createdBy: 'alerting-sre',
      status: 'active',
      matchers: [{ name: 'flow', value: 'customer-sync', isRegex: false, isEqual: true }],
    });
    await alerting.evaluateNow();
    const silenced = (await call('GET', `/api/v1/alerts/${alert.fingerprint}`)).body.alert;
    expect(silenced.silencedBy).toEqual([made.body.silence.id]);
    expect((await call('DELETE', `/api/v1/silences/${made.body.silence.id}`, 'sre-token', {})).body.silence.status).toBe('expired');
    // Regression (break test): expiring it again answered 200, appended "(expired by …)" to its comment once more and
    // wrote another silence.expire to the audit log. What has ended is not expired again.
    const again = await call('DELETE', `/api/v1/silences/${made.body.silence.id}`, 'sre-token', {});
    expect([again.status, again.body.message]).toEqual([400, expect.stringMatching(/^Silence .* already ended at .*: there is nothing to expire/)]);
    const kept = (await call('GET', '/api/v1/silences')).body.silences.find((x: { id: string }) => x.id === made.body.silence.id);
    expect(kept.comment).toBe('maintenance (expired by alerting-sre)');
    expect((await call('POST', '/api/v1/remediations', 'sre-token', { fingerprint: alert.fingerprint })).body.message).toMatch(/No remediation is attached/);

    // Regression: the object form { isEqual: false, isRegex: false } (a "!=" matcher) was refused as `flow!"x"`:
    // the operator was built as "!" and "~", leaving out the "=" of "!=".
    for (const [given, stored] of [
      [
        { isEqual: false, isRegex: false },
        { isEqual: false, isRegex: false },
      ],
      [
        { isEqual: false, isRegex: true },
        { isEqual: false, isRegex: true },
      ],
      [
        { isEqual: true, isRegex: true },
        { isEqual: true, isRegex: true },
      ],
      [{}, { isEqual: true, isRegex: false }],
      [{ isRegex: true }, { isEqual: true, isRegex: true }],
      [{ isEqual: false }, { isEqual: false, isRegex: false }],
    ]) {
      const r = await call('POST', '/api/v1/silences', 'sre-token', {
        // With one matcher that needs a value: a negative one alone would silence every alert without the label.
        matchers: [
          { name: 'flow', value: 'customer-.*', ...given },
          { name: 'rule', value: 'flow-error-rate' },
        ],
        duration: '1m',
        comment: 'ops',
      });
      expect(r.status, JSON.stringify(given)).toBe(201);
      expect(r.body.silence.matchers, JSON.stringify(given)).toEqual([
        { name: 'flow', value: 'customer-.*', ...stored },
        { name: 'rule', value: 'flow-error-rate', isEqual: true, isRegex: false },
      ]);
      await call('DELETE', `/api/v1/silences/${r.body.silence.id}`, 'sre-token', {});
    }

    // Regression: an object matcher's value went through JSON text and back, so a regex's backslash was doubled
    // (`customer\.sync` stored as `customer\\.sync`, matching a literal backslash).
    const escaped = await call('POST', '/api/v1/silences', 'sre-token', {
      matchers: [{ name: 'flow', value: 'customer\\-sync|\\d+', isRegex: true }],
      duration: '1m',
      comment: 'ops',
    });
    expect(escaped.body.silence.matchers).toEqual([{ name: 'flow', value: 'customer\\-sync|\\d+', isRegex: true, isEqual: true }]);
    await alerting.evaluateNow();
    expect((await call('GET', `/api/v1/alerts/${alert.fingerprint}`)).body.alert.silencedBy).toEqual([escaped.body.silence.id]);
    await call('DELETE', `/api/v1/silences/${escaped.body.silence.id}`, 'sre-token', {});

    // Regression: twenty `.*` in a row before a letter no label holds made every evaluation take seconds on the main
    // thread (the API, the collector and the probes stalled); matchers are RE2 now, linear whatever the pattern.
    const slow = await call('POST', '/api/v1/silences', 'sre-token', { matchers: [`alertname=~${'.*'.repeat(20)}Z`], duration: '1m', comment: 'ops' });
    expect(slow.status).toBe(201);
    await alerting.evaluateNow();
    await call('DELETE', `/api/v1/silences/${slow.body.silence.id}`, 'sre-token', {});
    const backref = await call('POST', '/api/v1/silences', 'sre-token', { matchers: ['alertname=~(a)\\1'], duration: '1m', comment: 'ops' });
    expect([backref.status, backref.body.message]).toEqual([
      400,
      'Invalid body field "matchers": "(a)\\1" is not a regular expression in RE2 syntax, as Alertmanager reads it (invalid escape sequence: `\\1`).',
    ]);
  });

  it('serves Prometheus gauges that promtool accepts', async (ctx) => {
    const { status, body } = await call('GET', '/metrics', 'viewer-token');
    expect(status).toBe(200);
    expect(body).toMatch(/^weft_alerts_firing\{severity="high"\} [1-9]/m);
    expect(body).toMatch(/^weft_flow_error_ratio\{flow="customer-sync"\} 0.5$/m);
    expect(body).toMatch(/^weft_findings_open\{kind="[a-z-]+",severity="[a-z]+"\} \d+$/m);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    if (!toolAvailable(promtoolPath, 'prometheus')) return ctx.skip();
    const out = execFileSync(promtoolPath, ['check', 'metrics'], { input: String(body), encoding: 'utf8' });
    expect(out).toBe('');
  });
});
