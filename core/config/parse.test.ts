import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfig, isLoopback, parseArgs, unknownWeftVariables, weftVariables } from './index.ts';
import { MAX_LATE_ARRIVAL_MS, MAX_RETENTION_DAYS, MAX_TIMER_MS } from './parse.ts';

const cfg = (argv: string[], env: Record<string, string> = {}) => buildConfig(parseArgs(argv), env, '/srv/weft');

describe('buildConfig', () => {
  it('defaults to the embedded store under .weft/data and loopback ports 4318 and 3000', () => {
    const c = cfg([]);
    expect(c.store).toEqual({ kind: 'embedded', path: '/srv/weft/.weft/data' });
    expect([c.collector.host, c.collector.port, c.api.host, c.api.port]).toEqual(['127.0.0.1', 4318, '127.0.0.1', 3000]);
  });

  it('bounds report exports at 1 built and 4 waiting, or as --report-exports / --report-queue (or their variables) say', () => {
    expect(cfg([]).reports).toEqual({ concurrency: 1, queue: 4 });
    expect(cfg(['--report-exports', '2', '--report-queue', '0']).reports).toEqual({ concurrency: 2, queue: 0 });
    expect(cfg([], { WEFT_REPORT_EXPORTS: '3', WEFT_REPORT_QUEUE: '10' }).reports).toEqual({ concurrency: 3, queue: 10 });
    expect(() => cfg(['--report-exports', '0'])).toThrow('--report-exports must be 1 or more (a report must be able to be built), got "0".');
    expect(() => cfg([], { WEFT_REPORT_QUEUE: '-1' })).toThrow('WEFT_REPORT_QUEUE must be a whole number, got "-1".');
    expect(() => cfg(['--report-queue', 'many'])).toThrow('--report-queue must be a whole number, got "many".');
  });

  // Regression: numbers were read with JavaScript's Number, so `--report-queue 1e3` was 1000, `WEFT_OTLP_PORT=0x10` port
  // 16, and a value past 2^53 was rounded; and a retention past the engine's last date (2106) wrapped its rows' expiry
  // around to 1970: `--retention-raw-days 30000` deleted every span as it was stored, 0 days did the same.
  it('reads whole numbers in decimal digits only, up to 2^53 − 1, and retentions of 1 to 10,000 days', () => {
    for (const v of ['1e3', '0x10', '+5', '5.0', '1_000', '0b1', '٣', '5 5', 'Infinity'])
      expect(() => cfg(['--report-queue', v]), v).toThrow(`--report-queue must be a whole number, got "${v}".`);
    expect(() => cfg([], { WEFT_BATCH_ROWS: '9007199254740993' })).toThrow('WEFT_BATCH_ROWS must be at most 9007199254740991, got "9007199254740993".');
    expect(() => cfg(['--otlp-port', '0x10'])).toThrow('--otlp-port must be a whole number, got "0x10".');
    expect(() => cfg([], { WEFT_BODY_TIMEOUT_MS: '1e4' })).toThrow('WEFT_BODY_TIMEOUT_MS must be a whole number, got "1e4".');
    expect(() => cfg([], { WEFT_SPOOL_MAX_BYTES: `${'9'.repeat(300)}` })).toThrow(
      `WEFT_SPOOL_MAX_BYTES must be at most 9007199254740991, got "${'9'.repeat(100)}…".`,
    );
    expect(() => cfg([], { WEFT_SPOOL_MAX_BYTES: `x${'9'.repeat(300)}` })).toThrow(`WEFT_SPOOL_MAX_BYTES must be a whole number, got "x${'9'.repeat(99)}…".`);
    expect(cfg(['--report-queue', ' 7 ']).reports.queue).toBe(7);
    expect(cfg([], { WEFT_BATCH_ROWS: '0010' }).collector.batchRows).toBe(10);

    expect(cfg(['--retention-raw-days', '1', '--retention-record-days', '10000']).retention).toEqual({ rawDays: 1, rollupDays: 400, recordDays: 10_000 });
    expect(() => cfg(['--retention-raw-days', '0'])).toThrow('--retention-raw-days must be 1 or more: 0 days would delete every row as it is stored, got "0".');
    expect(() => cfg([], { WEFT_RETENTION_ROLLUP_DAYS: '30000' })).toThrow(
      'WEFT_RETENTION_ROLLUP_DAYS must be at most 10000 days (27 years): a longer one ends past the engine\'s last date, 2106-02-07, and would delete rows as they are stored; got "30000".',
    );
    expect(() => cfg(['--retention-record-days', '10001'])).toThrow(/--retention-record-days must be at most 10000 days/);
    expect(() => cfg(['--retention-raw-days', '1e3'])).toThrow('--retention-raw-days must be a whole number, got "1e3".');
    // The longest retention ends before the engine's last date (2106-02-07 06:28:15 UTC) for rows stamped until 2078.
    expect(Date.UTC(2078, 0, 1) + MAX_RETENTION_DAYS * 86_400_000).toBeLessThan(Date.UTC(2106, 1, 7, 6, 28, 15));
  });

  // Regression: a delay past 2^31 − 1 ms does not fit Node's timers, which fire it at once: `--analyze-every 30d` ran the
  // analysis back to back with a TimeoutOverflowWarning each time, WEFT_BODY_TIMEOUT_MS and WEFT_BODY_MAX_TIMEOUT_MS of
  // 3000000000 re-armed the body deadline every millisecond of a slow upload (4,192 warnings for a 5 s body),
  // WEFT_BATCH_MAX_WAIT_MS of 3000000000 sealed each batch at once, and WEFT_HEADERS_TIMEOUT_MS=9007199254740991 made
  // the start fail with Node's RangeError about "headersTimeout".
  it('refuses delays longer than a timer holds (2^31 − 1 ms) and keeps those up to it', () => {
    const max = String(MAX_TIMER_MS);
    const over = String(MAX_TIMER_MS + 1);
    for (const name of ['WEFT_BATCH_MAX_WAIT_MS', 'WEFT_HEADERS_TIMEOUT_MS', 'WEFT_BODY_TIMEOUT_MS', 'WEFT_BODY_MAX_TIMEOUT_MS'])
      expect(() => cfg([], { [name]: over }), name).toThrow(
        `${name} must be at most 2147483647 ms (24.8 days): a longer delay does not fit Node's timers, which fire it at once, over and over; got "${over}".`,
      );
    expect(() => cfg(['--analyze-every', '30d'])).toThrow(/^--analyze-every must be at most 2147483647 ms \(24.8 days\).*got "30d"\.$/);
    expect(() => cfg([], { WEFT_ANALYZE_EVERY: '25d' })).toThrow(/^WEFT_ANALYZE_EVERY must be at most 2147483647 ms/);
    const c = cfg(['--analyze-every', '24d'], {
      WEFT_BATCH_MAX_WAIT_MS: max,
      WEFT_HEADERS_TIMEOUT_MS: max,
      WEFT_BODY_TIMEOUT_MS: '0',
      WEFT_BODY_MAX_TIMEOUT_MS: max,
    });
    expect([c.analyzer.intervalMs, c.collector.batchMaxWaitMs]).toEqual([24 * 86_400_000, MAX_TIMER_MS]);
    expect(c.collector.limits).toEqual({ headersTimeoutMs: MAX_TIMER_MS, bodyTimeoutMs: 0, bodyMaxTimeoutMs: MAX_TIMER_MS });
    // A window is compared with times, never given to a timer: it stays up to 100 years (a late-arrival window has its own
    // bound, 36 hours, below).
    expect(cfg(['--window', '36500d', '--late-arrival', '36h']).analyzer).toMatchObject({ windowMs: 36_500 * 86_400_000, lateMs: 36 * 3_600_000 });
  });

  // Regression: a value past 2^53 − 1 given to a setting with a smaller bound of its own was refused as "must be at most
  // 9007199254740991": `--retention-raw-days 99999999999999999999`, a port, WEFT_MAX_ANY_VALUE_DEPTH and the timer
  // delays were told a bound that is not theirs (10000 days, 65535, 256, 2147483647 ms), and a longer value was told
  // more and more about a limit it would still exceed.
  it("names a setting's own bound, not 2^53 − 1, however many digits it is given", () => {
    const huge = ['99999999999999999999', '9007199254740992', '9'.repeat(400)];
    const shown = (v: string) => (v.length > 100 ? `${v.slice(0, 100)}…` : v);
    for (const v of huge) {
      for (const name of ['--retention-raw-days', '--retention-rollup-days', '--retention-record-days'])
        expect(() => cfg([name, v]), `${name} ${v}`).toThrow(
          `${name} must be at most 10000 days (27 years): a longer one ends past the engine's last date, 2106-02-07, and would delete rows as they are stored; got "${shown(v)}".`,
        );
      expect(() => cfg([], { WEFT_RETENTION_RAW_DAYS: v })).toThrow(/^WEFT_RETENTION_RAW_DAYS must be at most 10000 days/);
      for (const [argv, env, name] of [
        [['--port', v], {}, '--port'],
        [['--otlp-port', v], {}, '--otlp-port'],
        [[], { WEFT_PORT: v }, 'WEFT_PORT'],
        [[], { WEFT_OTLP_PORT: v }, 'WEFT_OTLP_PORT'],
      ] as const)
        expect(() => cfg([...argv], { ...env }), `${name} ${v}`).toThrow(`${name} must be a port number (0-65535), got "${shown(v)}".`);
      expect(() => cfg([], { WEFT_MAX_ANY_VALUE_DEPTH: v })).toThrow(/^WEFT_MAX_ANY_VALUE_DEPTH must be 1 to 256: /);
      for (const name of ['WEFT_BATCH_MAX_WAIT_MS', 'WEFT_HEADERS_TIMEOUT_MS', 'WEFT_BODY_TIMEOUT_MS', 'WEFT_BODY_MAX_TIMEOUT_MS'])
        expect(() => cfg([], { [name]: v }), `${name} ${v}`).toThrow(`${name} must be at most 2147483647 ms (24.8 days): a longer delay does not fit`);
      // A duration set as a timer: its own bound, not the 100 years every duration has.
      for (const unit of ['ms', 's', 'd'])
        expect(() => cfg(['--analyze-every', `${v.slice(0, 60)}${unit}`]), unit).toThrow(/^--analyze-every must be at most 2147483647 ms \(24.8 days\)/);
    }
    // Settings bounded by 2^53 − 1 alone still say it.
    expect(() => cfg([], { WEFT_BATCH_ROWS: '99999999999999999999' })).toThrow('WEFT_BATCH_ROWS must be at most 9007199254740991, got "99999999999999999999".');
    expect(() => cfg(['--report-queue', '99999999999999999999'])).toThrow('--report-queue must be at most 9007199254740991');
  });

  // Regression: `--analyze-every 1ms` (or 0.0001ms) was taken, and the analysis (a pairing run and every detector, hundreds
  // of ms) ran back to back, holding a core; `--late-arrival 0.5ms` and `--run-gap 1.5ms` were taken, and every pairing
  // run failed with "Cannot parse input" (the store records both windows in whole ms), flows never paired.
  it('takes --analyze-every of 1s or more, and the analyzer windows in whole milliseconds', () => {
    for (const v of ['0.0001ms', '1ms', '999ms', '0.5s'])
      expect(() => cfg(['--analyze-every', v]), v).toThrow(
        `--analyze-every must be 1s or more: an analysis takes hundreds of milliseconds, so a shorter interval runs them back to back; got "${v}". Write 1s or more (the default is 30s).`,
      );
    expect(() => cfg([], { WEFT_ANALYZE_EVERY: '100ms' })).toThrow(/^WEFT_ANALYZE_EVERY must be 1s or more: /);
    expect(() => cfg(['--demo', '--analyze-every', '10ms'])).toThrow(/^--analyze-every must be 1s or more/);
    expect(cfg(['--analyze-every', '1s']).analyzer.intervalMs).toBe(1000);
    expect(cfg(['--analyze-every', '2s']).analyzer.intervalMs).toBe(2000);

    expect(() => cfg(['--late-arrival', '0.5ms'])).toThrow('--late-arrival must be a whole number of milliseconds, got "0.5ms" (0.5 ms): write 0ms or 1ms.');
    expect(() => cfg(['--run-gap', '1.5ms'])).toThrow('--run-gap must be a whole number of milliseconds, got "1.5ms" (1.5 ms): write 1ms or 2ms.');
    expect(() => cfg([], { WEFT_RUN_GAP: '0.0001s' })).toThrow(
      'WEFT_RUN_GAP must be a whole number of milliseconds, got "0.0001s" (0.1 ms): write 0ms or 1ms.',
    );
    expect(() => cfg(['--window', '0.0001ms'])).toThrow('--window must be a whole number of milliseconds, got "0.0001ms" (0.0001 ms): write 1ms.');
    expect(() => cfg([], { WEFT_LATE_ARRIVAL: '1.0005s' })).toThrow(/^WEFT_LATE_ARRIVAL must be a whole number of milliseconds, got "1.0005s"/);
    // A late-arrival window or a run gap of 0 pairs at once, or joins no separate traces into a run: both are kept.
    expect(cfg(['--late-arrival', '0s', '--run-gap', '0ms', '--window', '1.5s']).analyzer).toMatchObject({ lateMs: 0, runGapMs: 0, windowMs: 1500 });
  });

  // Regression: `--late-arrival 40d` was taken: a pairing run never holds its frontier further back than 36 hours before
  // the newest arrival (and arrival rows are kept two days), so a trace without its root span waiting longer than that
  // was passed by and never paired; a late-arrival window longer than the raw retention (`--retention-raw-days 1
  // --late-arrival 30h`) had the spans deleted before their traces were paired; and one as long as the findings' window
  // left every such trace out of it without a word.
  it('bounds the late-arrival window by what pairing reads back and by the raw retention, and warns when it fills the window', () => {
    expect(MAX_LATE_ARRIVAL_MS).toBe(36 * 3_600_000);
    for (const [argv, env, name, got] of [
      [['--late-arrival', '40d'], {}, '--late-arrival', '40d'],
      [['--late-arrival', '36h1ms'], {}, '--late-arrival', '36h1ms'],
      [[], { WEFT_LATE_ARRIVAL: '3d' }, 'WEFT_LATE_ARRIVAL', '3d'],
      [['--late-arrival', '99999999999999999999d'], {}, '--late-arrival', '99999999999999999999d'],
    ] as const)
      expect(() => cfg([...argv], { ...env }), got).toThrow(
        `${name} must be at most 36h: pairing looks for a trace's spans among those that arrived in the last 36 hours (arrivals are kept two days), so a trace waiting longer is never paired; got "${got}".`,
      );
    expect(() => cfg(['--retention-raw-days', '1', '--late-arrival', '30h'])).toThrow(
      '--late-arrival (30h) is longer than the raw retention (--retention-raw-days, 1 day): spans would be deleted before their traces are paired. Shorten --late-arrival or raise --retention-raw-days.',
    );
    expect(() => cfg([], { WEFT_RETENTION_RAW_DAYS: '1', WEFT_LATE_ARRIVAL: '24h1s' })).toThrow(
      'WEFT_LATE_ARRIVAL (24h1s) is longer than the raw retention (WEFT_RETENTION_RAW_DAYS, 1 day): spans would be deleted before their traces are paired. Shorten WEFT_LATE_ARRIVAL or raise WEFT_RETENTION_RAW_DAYS.',
    );
    expect(cfg(['--retention-raw-days', '1', '--late-arrival', '24h']).analyzer.lateMs).toBe(86_400_000);
    expect(cfg(['--late-arrival', '36h']).analyzer.lateMs).toBe(36 * 3_600_000);

    // As long as the window or longer: started, with a warning saying both values and what to change.
    expect(cfg(['--window', '1m', '--late-arrival', '2m']).warnings).toEqual([
      '--late-arrival (2m) is not shorter than --window (1m): a trace whose root span does not arrive is paired only after the window it ran in has passed, so the findings over the window never count it. Shorten --late-arrival or lengthen --window.',
    ]);
    expect(cfg(['--window', '2m']).warnings).toEqual([
      'the default of --late-arrival (2m) is not shorter than --window (2m): a trace whose root span does not arrive is paired only after the window it ran in has passed, so the findings over the window never count it. Shorten the default of --late-arrival or lengthen --window.',
    ]);
    expect(cfg([], { WEFT_LATE_ARRIVAL: '30h' }).warnings).toEqual([
      expect.stringMatching(/^WEFT_LATE_ARRIVAL \(30h\) is not shorter than the default of --window \(24h\)/),
    ]);
    expect(cfg([]).warnings).toEqual([]);
    expect(cfg(['--demo', '--window', '30s']).warnings).toEqual([]);
  });

  // Regression: sizes that no request fits were taken: WEFT_MAX_BODY_BYTES=0 failed the start with fastify's
  // "'bodyLimit' option must be an integer > 0"; WEFT_MAX_EXPANDED_BYTES=0 answered 413 to every request;
  // WEFT_SPOOL_MAX_BYTES=0 answered 503 "spool is full while storage catches up" to every request, for ever;
  // WEFT_PEER_INFLIGHT_BYTES=1 answered 429 "retry" to a 375 KB request, for ever.
  it('refuses collector sizes that no request (or no large request) could ever fit', () => {
    expect(() => cfg([], { WEFT_MAX_BODY_BYTES: '0' })).toThrow('WEFT_MAX_BODY_BYTES must be 1 or more (a body limit of 0 takes no request), got "0".');
    expect(() => cfg([], { WEFT_MAX_EXPANDED_BYTES: '0' })).toThrow(/^WEFT_MAX_EXPANDED_BYTES must be 1 or more/);
    expect(() => cfg([], { WEFT_SPOOL_MAX_BYTES: '0' })).toThrow(/^The spool \(WEFT_SPOOL_MAX_BYTES, 0 bytes\) must hold at least the rows one request/);
    expect(() => cfg([], { WEFT_SPOOL_MAX_BYTES: '1000', WEFT_MAX_EXPANDED_BYTES: '1001' })).toThrow(/WEFT_MAX_EXPANDED_BYTES, 1001 bytes/);
    expect(() => cfg([], { WEFT_PEER_INFLIGHT_BYTES: '1' })).toThrow(/^WEFT_PEER_INFLIGHT_BYTES must be at least the body limit/);
    // Small but consistent sizes work, and stay accepted.
    const c = cfg([], { WEFT_MAX_BODY_BYTES: '1', WEFT_MAX_EXPANDED_BYTES: '1000', WEFT_SPOOL_MAX_BYTES: '1000', WEFT_PEER_INFLIGHT_BYTES: '1' });
    expect([c.collector.maxBodyBytes, c.collector.spoolMaxBytes, c.collector.limits]).toEqual([1, 1000, { maxExpandedBytes: 1000, peerInflightBytes: 1 }]);
  });

  // Regression: WEFT_SPOOL_MAX_BYTES=1000 was refused as smaller than "WEFT_MAX_EXPANDED_BYTES, 83886080", a variable the
  // user never set (83886080 is its default: 4 × the body limit); WEFT_MAX_BODY_BYTES=209715200 alone was refused as
  // WEFT_SPOOL_MAX_BYTES … got "undefined", and the peer share named the body limit's default as if it were set.
  // Regression (new-user pass): the refusal of a 1000-byte spool advised "set WEFT_MAX_EXPANDED_BYTES to at most 1000";
  // followed, Weft started and refused 10 spans of an SDK with 413. A smaller budget is offered only from 16 MiB.
  it('says which setting each size of a collector refusal comes from, and which of them are defaults', () => {
    expect(() => cfg([], { WEFT_SPOOL_MAX_BYTES: '1000' })).toThrow(
      'The spool (WEFT_SPOOL_MAX_BYTES, 1000 bytes) must hold at least the rows one request may expand to (83886080 bytes, the default of WEFT_MAX_EXPANDED_BYTES, which is not set: 4 × the body limit (20971520 bytes, the default of WEFT_MAX_BODY_BYTES, which is not set), at least 16 MiB): a smaller spool answers 503 to such a request for ever, even when empty. Raise WEFT_SPOOL_MAX_BYTES to at least 83886080.',
    );
    expect(() => cfg([], { WEFT_SPOOL_MAX_BYTES: '1000', WEFT_MAX_EXPANDED_BYTES: '1001' })).toThrow(
      'The spool (WEFT_SPOOL_MAX_BYTES, 1000 bytes) must hold at least the rows one request may expand to (WEFT_MAX_EXPANDED_BYTES, 1001 bytes): a smaller spool answers 503 to such a request for ever, even when empty. Raise WEFT_SPOOL_MAX_BYTES to at least 1001.',
    );
    expect(() => cfg([], { WEFT_MAX_BODY_BYTES: '209715200' })).toThrow(
      'The spool (536870912 bytes, the default of WEFT_SPOOL_MAX_BYTES, which is not set) must hold at least the rows one request may expand to (838860800 bytes, the default of WEFT_MAX_EXPANDED_BYTES, which is not set: 4 × the body limit (WEFT_MAX_BODY_BYTES, 209715200 bytes), at least 16 MiB): a smaller spool answers 503 to such a request for ever, even when empty. Raise WEFT_SPOOL_MAX_BYTES to at least 838860800, or set WEFT_MAX_EXPANDED_BYTES to at most 536870912 (or WEFT_MAX_BODY_BYTES to at most 134217728).',
    );
    expect(() => cfg([], { WEFT_PEER_INFLIGHT_BYTES: '1' })).toThrow(
      'WEFT_PEER_INFLIGHT_BYTES must be at least the body limit (20971520 bytes, the default of WEFT_MAX_BODY_BYTES, which is not set): a peer that may hold less than one body gets 429 for a large request for ever; got "1".',
    );
    expect(() => cfg([], { WEFT_PEER_INFLIGHT_BYTES: '1', WEFT_MAX_BODY_BYTES: '2' })).toThrow(
      'WEFT_PEER_INFLIGHT_BYTES must be at least the body limit (WEFT_MAX_BODY_BYTES, 2 bytes): ',
    );
    // What each message says to set is taken.
    expect(cfg([], { WEFT_SPOOL_MAX_BYTES: '1000', WEFT_MAX_EXPANDED_BYTES: '1000' }).collector.spoolMaxBytes).toBe(1000);
    expect(cfg([], { WEFT_MAX_BODY_BYTES: '134217728' }).collector.spoolMaxBytes).toBe(536870912);
  });

  // Regression: a limit of 0 was taken, and every span was stored as unknown_service with no attributes and no system.
  it('takes attribute limits of 1 or more', () => {
    expect(cfg([], { WEFT_ATTRIBUTE_COUNT_LIMIT: '1', WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1' }).collector.limits).toMatchObject({
      attributeCountLimit: 1,
      attributeValueLengthLimit: 1,
    });
    for (const name of ['WEFT_ATTRIBUTE_COUNT_LIMIT', 'WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT'])
      expect(() => cfg([], { [name]: '0' }), name).toThrow(
        `${name} must be 1 or more: 0 drops (or empties) every attribute, service.name and the URLs, queries and hosts included, so every span is stored as unknown_service and touches no system; got "0".`,
      );
  });

  it('takes WEFT_MAX_ANY_VALUE_DEPTH from 1 to 256', () => {
    expect(cfg([], { WEFT_MAX_ANY_VALUE_DEPTH: '256' }).collector.limits?.maxAnyValueDepth).toBe(256);
    for (const v of ['0', '257', '1000000'])
      expect(() => cfg([], { WEFT_MAX_ANY_VALUE_DEPTH: v }), v).toThrow(
        `WEFT_MAX_ANY_VALUE_DEPTH must be 1 to 256: 0 refuses every array attribute (the OpenTelemetry SDKs send process.command_args as one) and a deeper nesting overflowed the decoder's stack (500 instead of 400); got "${v}".`,
      );
  });

  it('reads the collector limits from the environment and leaves unset ones to the collector defaults', () => {
    const c = cfg([], { WEFT_ATTRIBUTE_COUNT_LIMIT: '64', WEFT_BODY_TIMEOUT_MS: '5000', WEFT_MAX_EXPANDED_BYTES: '' });
    expect(c.collector.limits).toEqual({ attributeCountLimit: 64, bodyTimeoutMs: 5000 });
    expect(() => cfg([], { WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'lots' })).toThrow('WEFT_ATTRIBUTE_VALUE_LENGTH_LIMIT must be a whole number, got "lots".');
  });

  it('reads a ClickHouse server from --clickhouse with user, password and database', () => {
    const c = cfg(['--clickhouse', 'http://u:p%40ss@ch:8123/weft']);
    expect(c.store).toEqual({ kind: 'server', url: 'http://ch:8123', user: 'u', password: 'p@ss', database: 'weft', cluster: undefined });
  });

  it('takes WEFT_CLICKHOUSE_URL and its user/password/database variables', () => {
    const c = cfg([], { WEFT_CLICKHOUSE_URL: 'http://ch:8123', WEFT_CLICKHOUSE_USER: 'w', WEFT_CLICKHOUSE_PASSWORD: 'x', WEFT_CLICKHOUSE_DATABASE: 'd' });
    expect(c.store).toMatchObject({ kind: 'server', user: 'w', password: 'x', database: 'd' });
  });

  it('refuses --only on the embedded store, saying why', () => {
    expect(() => cfg(['--only', 'collector'])).toThrow(/embedded store cannot share.*--clickhouse/);
  });

  it('reads configured tokens with role and name; ingest tokens take the ingest role', () => {
    const c = cfg([], { WEFT_API_TOKENS: 'abcdefghijklmnop:viewer,0123456789abcdef0:sre:ana', WEFT_INGEST_TOKENS: 'ingest-token-000001' });
    expect(c.access.tokens).toEqual([
      { token: 'abcdefghijklmnop', role: 'viewer', name: 'WEFT_API_TOKENS#1', source: 'WEFT_API_TOKENS' },
      { token: '0123456789abcdef0', role: 'sre', name: 'ana', source: 'WEFT_API_TOKENS' },
      { token: 'ingest-token-000001', role: 'ingest', name: 'WEFT_INGEST_TOKENS#1', source: 'WEFT_INGEST_TOKENS' },
    ]);
  });

  it('regression: an empty token (":admin", what "${UNSET}:admin" gives) is refused at start, naming the variable', () => {
    expect(() => cfg([], { WEFT_API_TOKENS: ':admin' })).toThrow(/WEFT_API_TOKENS item 1 has an empty token/);
    expect(() => cfg([], { WEFT_API_TOKENS: 'abcdefghijklmnop:admin,' })).toThrow(/WEFT_API_TOKENS item 2 is empty/);
    // Regression: a space before ":" became part of the token, which no request can present (Weft started, and refused everyone).
    for (const value of [' Sup3rS3cretValue-0123456789 :viewer', 'Sup3rS3cretValue-0123456789: viewer', 'Sup3rS3cret Value-0123456789:viewer'])
      expect(() => cfg([], { WEFT_API_TOKENS: value }), value).toThrow(
        /WEFT_API_TOKENS item 1 has a space inside it \(around a ":"\?\): write token:role\[:name\] without spaces/,
      );
    expect(cfg([], { WEFT_API_TOKENS: ' Sup3rS3cretValue-0123456789:viewer , other-token-0123456789:sre' }).access.tokens.map((t) => t.token)).toEqual([
      'Sup3rS3cretValue-0123456789',
      'other-token-0123456789',
    ]);
    expect(() => cfg([], { WEFT_INGEST_TOKENS: ':ingest' })).toThrow(/WEFT_INGEST_TOKENS item 1 has an empty token/);
  });

  it('regression: an API token given without a role is refused, not made an admin (WEFT_API_TOKENS=<token> started Weft with an admin token)', () => {
    for (const value of ['Sup3rS3cretValue-0123456789', 'abcdefghijklmnop:viewer,Sup3rS3cretValue-0123456789']) {
      let message = '';
      try {
        cfg([], { WEFT_API_TOKENS: value });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, value).toMatch(/WEFT_API_TOKENS item \d has no role: write token:role\[:name\] with one of ingest, viewer, sre, icoe, auditor, admin/);
      expect(message).not.toContain('Sup3rS3cretValue');
    }
    // Ingest tokens have one role: it may be left out.
    expect(cfg([], { WEFT_INGEST_TOKENS: 'ingest-token-000001' }).access.tokens.map((t) => t.role)).toEqual(['ingest']);
  });

  it('refuses short, duplicate and wrongly-roled tokens, naming the variable', () => {
    expect(() => cfg([], { WEFT_API_TOKENS: 'abc:viewer' })).toThrow(/WEFT_API_TOKENS item 1 is 3 characters long: tokens must be at least 16/);
    expect(() => cfg([], { WEFT_API_TOKENS: 'abcdefghijklmnop:viewer', WEFT_INGEST_TOKENS: 'abcdefghijklmnop' })).toThrow(
      /WEFT_INGEST_TOKENS item 1 repeats the token of WEFT_API_TOKENS item 1/,
    );
    expect(() => cfg([], { WEFT_API_TOKENS: 'abcdefghijklmnop:root' })).toThrow(/role "root"/);
    expect(() => cfg([], { WEFT_INGEST_TOKENS: 'abcdefghijklmnop:admin' })).toThrow(/WEFT_INGEST_TOKENS takes ingest/);
  });

  // Regression: a configured token could be named `weft` or `local`, so its actions showed in the audit log as Weft's
  // own or as no-token mode's; and two tokens joined with ":" printed the second one in the error as its "role".
  it('refuses reserved token names, and never echoes a token given where a role goes', () => {
    for (const name of ['weft', 'local', 'WEFT', 'Local'])
      expect(() => cfg([], { WEFT_API_TOKENS: `abcdefghijklmnop:admin:${name}` }), name).toThrow(/WEFT_API_TOKENS item 1 has name ".*", which is reserved/);
    expect(() => cfg([], { WEFT_INGEST_TOKENS: 'abcdefghijklmnop:ingest:weft' })).toThrow(/reserved/);
    let message = '';
    try {
      cfg([], { WEFT_API_TOKENS: 'abcdefghijklmnop:Sup3rS3cretValue-0123456789' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/WEFT_API_TOKENS item 1 has role of 27 characters \(a token\? items are separated by ","\)/);
    expect(message).not.toContain('Sup3rS3cretValue');
  });

  it('reads public names as host or host:port and refuses anything else, saying what to give', () => {
    expect(cfg(['--public-name', 'Weft.Internal,proxy.example:8443']).access.publicNames).toEqual(['weft.internal', 'proxy.example:8443']);
    for (const bad of ['https://weft.internal', 'weft.internal/ui', 'weft.internal:', 'weft.internal:99999', 'user@weft.internal']) {
      expect(() => cfg([], { WEFT_PUBLIC_NAMES: bad }), bad).toThrow(
        /^WEFT_PUBLIC_NAMES \(--public-name\) takes host names, optionally with a port \(weft\.internal, weft\.internal:8443\)/,
      );
    }
  });

  it('reads trusted proxies as addresses and CIDR ranges (none by default) and refuses anything else, naming the field and the item', () => {
    expect(cfg([]).access.trustedProxies).toEqual([]);
    expect(cfg(['--trusted-proxies', '127.0.0.1, 10.0.0.0/8,fd00::/8']).access.trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(cfg([], { WEFT_TRUSTED_PROXIES: '::1' }).access.trustedProxies).toEqual(['::1']);
    const refused: [string, RegExp][] = [
      ['proxy.internal', /"proxy\.internal" is not an IP address or a CIDR range\.$/],
      ['10.0.0.0/33', /"10\.0\.0\.0\/33" has a prefix length that is not 0 to 32\.$/],
      ['10.0.0.1:8080', /"10\.0\.0\.1:8080" is not an IP address/],
      ['0.0.0.0/0', /"0\.0\.0\.0\/0" trusts every address/],
    ];
    for (const [bad, why] of refused) {
      expect(() => cfg([], { WEFT_TRUSTED_PROXIES: bad }), bad).toThrow(
        /^WEFT_TRUSTED_PROXIES \(--trusted-proxies\) takes the IP addresses or CIDR ranges of reverse proxies/,
      );
      expect(() => cfg(['--trusted-proxies', bad]), bad).toThrow(why);
    }
  });

  // regression: a bind address was loopback when its text started with "127."
  it('counts as loopback only 127.0.0.0/8, ::1 and localhost, not names that start like them', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['127.0.0.1.example.com', '127.evil.example', '0.0.0.0', '10.0.0.5', 'localhost.example.com'])
      expect(isLoopback(host), host).toBe(false);
  });

  it('names the variable when a number is not one', () => {
    expect(() => cfg([], { WEFT_OTLP_PORT: 'http' })).toThrow(/WEFT_OTLP_PORT must be a whole number, got "http"/);
  });

  // Regression: `--trace-link foo` was refused as "WEFT_TRACE_LINK must be …", a variable the user never set.
  it('names the flag when the value came from a flag, the variable when it came from the environment', () => {
    expect(() => cfg(['--trace-link', 'foo'])).toThrow(/^--trace-link must be an http\(s\) URL with \{traceId\} in it/);
    expect(() => cfg([], { WEFT_TRACE_LINK: 'foo' })).toThrow(/^WEFT_TRACE_LINK must be an http\(s\) URL/);
    expect(() => cfg(['--port', '99999'])).toThrow('--port must be a port number (0-65535), got "99999".');
    expect(() => cfg(['--otlp-port', 'x'], { WEFT_OTLP_PORT: '4318' })).toThrow('--otlp-port must be a whole number, got "x".');
    expect(() => cfg(['--retention-raw-days', '-1'])).toThrow('--retention-raw-days must be a whole number, got "-1".');
    expect(() => cfg(['--catalog-env-allow', 'a-b'])).toThrow(/^--catalog-env-allow takes variable names/);
  });

  // Regression: WEFT_CATALOG_ENV_ALLOW=',' (or ' ', or "$ALLOW" with ALLOW unset) was no allow-list, and a catalog could
  // read every variable but WEFT_*; an empty item among others was dropped without a word.
  it('refuses a catalog env list set to nothing, or holding an empty item', () => {
    for (const value of [',', ' ', '', ' , '])
      for (const variable of ['WEFT_CATALOG_ENV_ALLOW', 'WEFT_CATALOG_ENV_DENY'])
        expect(() => cfg([], { [variable]: value })).toThrow(
          `${variable} is set but names no variable: give the names or patterns (CRM_*,ERP_DB_URL), or leave it unset.`,
        );
    expect(() => cfg([], { WEFT_CATALOG_ENV_ALLOW: 'CRM_*,,HOOK_URL' })).toThrow(
      'WEFT_CATALOG_ENV_ALLOW has an empty item ("CRM_*,,HOOK_URL"): remove the extra comma.',
    );
    expect(() => cfg([], { WEFT_CATALOG_ENV_DENY: 'AWS_*,' })).toThrow(/^WEFT_CATALOG_ENV_DENY has an empty item/);
    expect(cfg([], { WEFT_CATALOG_ENV_ALLOW: 'CRM_*, HOOK_URL' }).catalogEnv.allow).toEqual(['CRM_*', 'HOOK_URL']);
    expect(cfg([]).catalogEnv).toEqual({ allow: [], deny: [] });
  });

  // Regression: `weft report --until ''` (what `--until "$UNSET"` gives) reported up to now, and `--data ''` read
  // the default store: an empty value was taken as an absent flag, so its default silently stood in for it.
  it('refuses a value flag given an empty value, naming it, in both spellings', () => {
    for (const argv of [
      ['report', '--until', ''],
      ['report', '--until='],
      ['audit', '--since', ''],
      ['start', '--data', ''],
      ['alerts', 'silence', '--note='],
    ])
      expect(() => parseArgs(argv), argv.join(' ')).toThrow(
        /^--(until|since|data|note) was given an empty value \(an unset variable\?\): give it a value, or leave the flag out\.$/,
      );
    expect(parseArgs(['report', '--until', 'now-ish', '--since=1h']).flags).toEqual({ until: ['now-ish'], since: ['1h'] });
    expect(parseArgs(['start', '--demo', '--faults']).flags).toEqual({ demo: ['true'], faults: ['true'] });
  });

  const spec = { values: new Set(['since', 'until', 'url']), booleans: new Set(['json', 'demo']), optional: new Set(['faults']) };

  // Regression: `--demo=yes`, `--demo=` and `--json=1` were taken as "off" without a word, as `--faults=` was
  // taken as "no faults": a switch reads true or false only, and an optional value is never empty.
  it('reads a switch as given alone, =true or =false, and refuses any other value, naming the switch', () => {
    expect(parseArgs(['--json', '--demo=false'], spec).flags).toEqual({ json: ['true'], demo: ['false'] });
    expect(parseArgs(['--json=true'], spec).flags).toEqual({ json: ['true'] });
    for (const [arg, value] of [
      ['--demo=yes', 'yes'],
      ['--demo=', ''],
      ['--json=1', '1'],
      ['--json=TRUE', 'TRUE'],
      ['--help=please', 'please'],
    ]) {
      const name = arg.slice(2, arg.indexOf('='));
      expect(() => parseArgs([arg], spec), arg).toThrow(
        `--${name} takes no value (or =true / =false), got "${value}": write --${name} alone, or leave it out.`,
      );
    }
    expect(() => parseArgs(['--faults='], spec)).toThrow('--faults= was given an empty value (an unset variable?): write --faults alone, or --faults=VALUE.');
    // An optional value comes only after "=": the next word stays an operand, for the command to refuse.
    expect(parseArgs(['--faults', 'shadow-it'], spec)).toEqual({ positionals: ['shadow-it'], flags: { faults: ['true'] } });
    expect(parseArgs(['--faults=shadow-it'], spec).flags).toEqual({ faults: ['shadow-it'] });
  });

  // Regression: `weft audit --sinc 30s` audited the default 7 days, `weft token create --nam x` said --name was
  // missing: a flag the command does not take was dropped. Now it is refused, with the one likely meant.
  it('refuses a flag the command does not take, with the closest it does take or the list of them', () => {
    expect(() => parseArgs(['--sinc', '30s'], spec)).toThrow(/^unknown flag --sinc \(did you mean --since\?\)\.$/);
    expect(() => parseArgs(['--Until=now'], spec)).toThrow(/^unknown flag --Until \(did you mean --until\?\)\.$/);
    expect(() => parseArgs(['--jsno'], spec)).toThrow(/^unknown flag --jsno \(did you mean --json\?\)\.$/);
    expect(() => parseArgs(['--catalog', 'x.yaml'], spec)).toThrow(
      /^unknown flag --catalog: this command takes --since, --until, --url, --json, --demo, --faults\.$/,
    );
    expect(() => parseArgs(['--constructor'], spec)).toThrow(/^unknown flag --constructor/);
    expect(() => parseArgs(['--x'], { values: new Set(), booleans: new Set() })).toThrow(/^unknown flag --x: this command takes none\.$/);
    // --help is every command's; without `values` (scripts, tests) any flag is read.
    expect(parseArgs(['--help'], spec).flags).toEqual({ help: ['true'] });
    expect(parseArgs(['-h'], spec).flags).toEqual({ help: ['true'] });
    expect(parseArgs(['--anything', 'v']).flags).toEqual({ anything: ['v'] });
  });

  // Regression: `--port 3000 --port 4000` took 4000 and `--no-record=false --no-record` the first: a flag given twice
  // was read as one of its values, without a word. --catalog adds a file each time.
  it('refuses a flag given twice with different values, and keeps every --catalog', () => {
    const withCatalog = { ...spec, values: new Set([...spec.values, 'catalog']) };
    expect(() => parseArgs(['--since', '1h', '--since=7d'], spec)).toThrow('--since is given more than once ("1h", "7d"): give it once.');
    expect(() => parseArgs(['--json=false', '--json'], spec)).toThrow('--json is given more than once ("false", "true"): give it once.');
    expect(parseArgs(['--since', '1h', '--since', '1h'], spec).flags).toEqual({ since: ['1h', '1h'] });
    expect(parseArgs(['--catalog', 'a.yaml', '--catalog', 'b.yaml'], withCatalog).flags).toEqual({ catalog: ['a.yaml', 'b.yaml'] });
  });

  it('refuses a single-dash word as a flag, saying flags take two dashes; "--" ends the flags', () => {
    expect(() => parseArgs(['-since', '1h'], spec)).toThrow('"-since": flags take two dashes (--since).');
    expect(() => parseArgs(['-until=now'], spec)).toThrow('"-until=now": flags take two dashes (--until).');
    expect(parseArgs(['--since', '-1h', '--', '--json', '-x'], spec)).toEqual({ positionals: ['--json', '-x'], flags: { since: ['-1h'] } });
  });

  it("keeps the demo's data apart from the user's estate, and reads the propagation switch", () => {
    expect(cfg(['--demo']).dataDir).toMatch(/\/\.weft\/demo$/);
    expect(cfg([]).dataDir).toMatch(/\/\.weft$/);
    expect(cfg(['--demo', '--catalog', 'mine.yaml']).dataDir).toMatch(/\/\.weft$/);
    expect(cfg(['--demo', '--data', '/tmp/x']).dataDir).toBe('/tmp/x');
    expect(cfg(['--demo', '--no-propagation']).demo.propagation).toBe(false);
    expect(cfg(['--demo']).demo.propagation).toBe(true);
  });

  it('reads which demo faults are on: a list, all, none', () => {
    expect(cfg(['--demo', '--faults=shadow-it']).demo.faults).toEqual(['shadow-it']);
    expect(cfg(['--demo', '--faults=shadow-it,stale-flow']).demo.faults).toEqual(['shadow-it', 'stale-flow']);
    expect(cfg(['--demo', '--faults']).demo.faults).toBe(true);
    expect(cfg(['--demo', '--faults=all']).demo.faults).toBe(true);
    expect(cfg(['--demo', '--faults=none']).demo.faults).toBe(false);
    expect(cfg(['--demo', '--no-faults']).demo.faults).toBe(false);
  });

  // Regression: one port for both listeners failed at start with EADDRINUSE and a stack, after the store was made.
  it('refuses one port for the API and the collector, naming where each came from', () => {
    expect(() => cfg(['--port', '3911', '--otlp-port', '3911'])).toThrow(
      '--port and --otlp-port are both 3911: the API and the OTLP collector need a port each.',
    );
    expect(() => cfg(['--otlp-port', '3000'])).toThrow('the default of --port and --otlp-port are both 3000: the API and the OTLP collector need a port each.');
    expect(() => cfg([], { WEFT_PORT: '4318' })).toThrow('WEFT_PORT and the default of --otlp-port are both 4318');
    expect(cfg(['--port', '0', '--otlp-port', '0']).api.port).toBe(0);
    expect(cfg(['--port', '4318', '--host', '127.0.0.2']).api.port).toBe(4318);
  });

  // Regression: WEFT_AUTO_REMEDIATION=0 (or no, off) left remediation on: only the exact text "false" turned it off.
  it('reads an on/off variable as true or false only, and refuses anything else, naming it', () => {
    expect(cfg([], { WEFT_AUTO_REMEDIATION: 'false' }).alerting.autoRemediate).toBe(false);
    expect(cfg([], { WEFT_AUTO_REMEDIATION: 'FALSE' }).alerting.autoRemediate).toBe(false);
    expect(cfg([], { WEFT_AUTO_REMEDIATION: 'true' }).alerting.autoRemediate).toBe(true);
    expect(cfg([], { WEFT_AUTO_REMEDIATION: '' }).alerting.autoRemediate).toBe(true);
    for (const value of ['0', 'no', 'off', '1', 'yes'])
      expect(() => cfg([], { WEFT_AUTO_REMEDIATION: value }), value).toThrow(`WEFT_AUTO_REMEDIATION takes true or false, got "${value}".`);
  });
});

describe('WEFT_* variables', () => {
  // Regression: WEFT_PROT=3001 started Weft on 3000 without a word.
  it('warns of each WEFT_* variable Weft never reads, with the one meant, never its value', () => {
    expect(unknownWeftVariables({ WEFT_PROT: '3001', WEFT_PORT: '3000', WEFT_CLICKHOUSE_URLL: 'http://u:secret@ch', HOME: '/root', WEFT_NEW: 'x' })).toEqual([
      'WEFT_CLICKHOUSE_URLL is set, but Weft reads no such variable (did you mean WEFT_CLICKHOUSE_URL?): it has no effect.',
      'WEFT_NEW is set, but Weft reads no such variable: it has no effect.',
      'WEFT_PROT is set, but Weft reads no such variable (did you mean WEFT_PORT?): it has no effect.',
    ]);
    expect(unknownWeftVariables({ WEFT_API_TOKENS: 'x', WEFT_TOKEN: 'y', WEFT_REQUIRE_SERVICES: '1' })).toEqual([]);
  });

  it('knows every WEFT_* variable the code reads', () => {
    const root = join(import.meta.dirname, '..', '..');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (['node_modules', 'build', '.svelte-kit', '.weft', '.git'].includes(name)) continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|mjs|js)$/.test(name) && !/\.test\.ts$/.test(name)) files.push(path);
      }
    };
    walk(root);
    const read = new Set<string>();
    for (const file of files)
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:env\.|env\[['"]|\[['"]|, ['"]|\(['"])(WEFT_[A-Z][A-Z0-9_]*)/g)) read.add(m[1]);
    expect(read.size).toBeGreaterThan(30);
    expect([...read].filter((name) => !weftVariables.includes(name) && !name.startsWith('WEFT_ERR_')).sort()).toEqual([]);
  });
});
