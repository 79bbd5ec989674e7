import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../clickhouse/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { SelfMetrics } from '../http/self-metrics.ts';
import { Loader } from './loader.ts';
import { dedupToken, type Segment } from './segment.ts';

/**
 * The server-mode writer against the ClickHouse HTTP interface it relies on. A node:http server
 * stands in for ClickHouse and answers as a ClickHouse server does (`/ping` → `Ok.`, errors as
 * `Code: N. DB::Exception: … (NAME)` with `X-ClickHouse-Exception-Code`, 503 for SOCKET_TIMEOUT,
 * 400 for a parse error, `X-ClickHouse-Summary` on success, an empty JSONEachRow answer to the
 * loader's `SELECT 1 FROM <table> LIMIT 0` probe, which tells an outage from a refusal). The exchange is recorded, stripped of
 * secrets and of what changes per run (query ids, ports, versions), and compared with
 * `fixtures/server-insert-exchange.json`; `WEFT_UPDATE_FIXTURES=1` rewrites that file.
 */

interface Exchange {
  request: string;
  params: Record<string, string>;
  /** The query when it travels in the body (queries without data); inserts carry it in `params.query`. */
  bodyQuery?: string;
  headers: Record<string, string>;
  bodyBytes: number;
  status: number;
  responseHeaders: Record<string, string>;
}

const fixture = join(import.meta.dirname, 'fixtures', 'server-insert-exchange.json');
const VERSION = '(version 24.8.4.13 (official build))';
/** Headers that change per run: kept out of the record (authorization is kept as its scheme only). */
const DROP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive']);

type Answer = { status: number; headers: Record<string, string>; body: string };
const ok = (rows: number): Answer => ({
  status: 200,
  headers: {
    'content-type': 'text/plain; charset=UTF-8',
    'x-clickhouse-summary': JSON.stringify({
      read_rows: String(rows),
      read_bytes: '0',
      written_rows: String(rows),
      written_bytes: '0',
      total_rows_to_read: '0',
    }),
  },
  body: '',
});
const error = (status: number, code: number, name: string, text: string): Answer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-exception-code': String(code) },
  body: `Code: ${code}. DB::Exception: ${text}. (${name}) ${VERSION}\n`,
});

describe('spool loader against a ClickHouse server (HTTP interface)', () => {
  let server: Server;
  let url: string;
  let store: Store;
  let dir: string;
  const exchanges: Exchange[] = [];
  const bodies: Buffer[] = [];
  /** Answers for the coming INSERTs, in order; `ok` once empty. */
  const script: Answer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-server-insert-'));
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const u = new URL(req.url ?? '/', 'http://x');
        const isPing = req.method === 'GET' && u.pathname === '/ping';
        const isInsert = /^INSERT\b/.test(u.searchParams.get('query') ?? '');
        const probe: Answer = { status: 200, headers: { 'content-type': 'application/x-ndjson; charset=UTF-8' }, body: '' };
        const answer: Answer = isPing
          ? { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body: 'Ok.\n' }
          : isInsert
            ? (script.shift() ?? ok(2))
            : probe;
        const params: Record<string, string> = {};
        for (const [k, v] of u.searchParams) params[k] = k === 'query_id' ? '<uuid>' : v;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if (DROP.has(k) || v === undefined) continue;
          if (k === 'authorization') headers[k] = `${String(v).split(' ')[0]} <redacted>`;
          else
            headers[k] =
              k === 'user-agent'
                ? String(v)
                    .replace(/\d+\.\d+\.\d+/g, '<v>')
                    .replace(/os:\w+/, 'os:<os>')
                : String(v);
        }
        if (isInsert) bodies.push(body);
        exchanges.push({
          request: `${req.method} ${u.pathname} HTTP/${req.httpVersion}`,
          params,
          ...(isPing || isInsert ? {} : { bodyQuery: body.toString() }),
          headers,
          bodyBytes: body.length,
          status: answer.status,
          responseHeaders: answer.headers,
        });
        const queryId = u.searchParams.get('query_id') ?? 'none';
        res.writeHead(answer.status, { ...answer.headers, 'x-clickhouse-query-id': queryId, 'x-clickhouse-server-display-name': 'stand-in' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = await openStore({ kind: 'server', url, user: 'weft', password: 'scale-not-a-real-secret', database: 'observability' });
  });
  afterAll(async () => {
    await store?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  function segment(id: string, content: string): Segment {
    const path = join(dir, `otel_traces.${id}.ready`);
    writeFileSync(path, content);
    return { table: 'otel_traces', id, path, rows: 2, bytes: content.length };
  }

  async function load(segments: Segment[]): Promise<{ loaded: string[]; metrics: SelfMetrics }> {
    const metrics = new SelfMetrics();
    const loaded: string[] = [];
    const spool = {
      loaded: (s: Segment) => loaded.push(s.id),
      quarantine: (s: Segment) => {
        const to = s.path.replace(/\.ready$/, '.quarantine');
        renameSync(s.path, to);
        loaded.push(s.id);
        return to;
      },
      replaceWithParts: (): Segment[] => {
        throw new Error('not expected: no segment here spans several days');
      },
    };
    const loader = new Loader({ store, logger: silentLogger(), metrics, spool, maxAttempts: 5 });
    for (const s of segments) loader.enqueue(s);
    await loader.idle();
    loader.stop();
    return { loaded, metrics };
  }

  it('streams the segment as the body of INSERT … SELECT FROM input() with its dedup token, and retries a 503', async () => {
    script.push(error(503, 209, 'SOCKET_TIMEOUT', 'Timeout exceeded while receiving data from client'), ok(2));
    const s = segment('r1.1', 'rowbinary-bytes-of-two-spans');
    const { loaded, metrics } = await load([s]);

    expect(loaded).toEqual(['r1.1']);
    expect(metrics.insertErrors).toBe(1);
    expect(existsSync(s.path)).toBe(false); // deleted only after the 200
    const inserts = exchanges.filter((e) => e.params.query?.startsWith('INSERT'));
    expect(inserts.map((e) => e.status)).toEqual([503, 200]);
    // Between the two, the loader asks whether the store answers at all (an outage is retried for as long as it lasts).
    expect(exchanges.filter((e) => e.bodyQuery !== undefined).map((e) => e.bodyQuery)).toEqual(['SELECT 1 FROM `otel_traces` LIMIT 0 \nFORMAT JSONEachRow']);
    // Both attempts are the same insert: same token, same body, so the retry cannot store twice.
    for (const e of inserts) {
      expect(e.params.query).toMatch(/^INSERT INTO `observability`\.`otel_traces` \(.+\) SELECT .+ FROM input\('.+'\) FORMAT RowBinary$/s);
      expect(e.params.insert_deduplicate).toBe('1');
      expect(e.params.insert_deduplication_token).toBe('weft-spool-otel_traces-r1.1');
      expect(e.params.deduplicate_blocks_in_dependent_materialized_views).toBe('1');
      expect(e.params.insert_distributed_sync).toBe('1');
      // The views classify a server's spans: every branch evaluated once, not again per branch (SQL_CLASSIFICATION_SETTINGS).
      expect(e.params.short_circuit_function_evaluation).toBe('disable');
      expect(e.params.database).toBe('observability');
      // The spool already batches (one insert per sealed segment), so async inserts are not asked for.
      expect(e.params).not.toHaveProperty('async_insert');
      expect(e.bodyBytes).toBe(s.bytes);
      expect(e.headers.authorization).toBe('Basic <redacted>');
    }
    expect(bodies.map((b) => b.toString())).toEqual([s.bytes, s.bytes].map(() => 'rowbinary-bytes-of-two-spans'));
  });

  it('replays a segment with the same token, so the server deduplicates it', async () => {
    const before = exchanges.length;
    const again = segment('r1.1', 'rowbinary-bytes-of-two-spans');
    await load([again]);
    const [replay] = exchanges.slice(before).filter((e) => e.params.query?.startsWith('INSERT'));
    expect(replay.params.insert_deduplication_token).toBe(dedupToken(again));
    expect(replay.params.insert_deduplication_token).toBe('weft-spool-otel_traces-r1.1');
  });

  it('sets aside (quarantines) a segment the server cannot parse (400) instead of retrying it for ever', async () => {
    script.push(error(400, 27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'Cannot parse input: expected end of input'));
    const bad = segment('r1.2', 'not-rowbinary');
    const { loaded, metrics } = await load([bad]);
    expect(loaded).toEqual(['r1.2']);
    expect(metrics.insertErrors).toBe(1);
    expect(existsSync(bad.path.replace(/\.ready$/, '.quarantine'))).toBe(true);
  });

  it('matches the recorded exchange (request line, settings, headers without secrets)', () => {
    expect(JSON.stringify(exchanges)).not.toContain('scale-not-a-real-secret');
    expect(JSON.stringify(exchanges)).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    if (process.env.WEFT_UPDATE_FIXTURES === '1') writeFileSync(fixture, JSON.stringify(exchanges, null, 2) + '\n');
    expect(exchanges).toEqual(JSON.parse(readFileSync(fixture, 'utf8')));
  });
});
