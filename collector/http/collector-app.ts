import type { Readable } from 'node:stream';
import fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { clientErrorAnswer, installSecurityHeaders, securityHeaders, type ListenerGuard, type RequestFacts } from '../../access/index.ts';
import type { Logger } from '../../core/log/logger.ts';
import { isWeftError } from '../../core/errors/index.ts';
import { ERR_OTLP_MEDIA_TYPE, ERR_OTLP_SPOOL_FULL, ERR_OTLP_SPOOL_WRITE } from '../otlp/bad-input.ts';
import { encodeJsonResponse, encodeJsonStatus } from '../otlp/json-codec.ts';
import { encodeProtoResponse, encodeProtoStatus, type SignalName } from '../otlp/proto-codec.ts';
import type { Spool } from '../spool/spool.ts';
import type { IngestLimits } from '../otlp/limits.ts';
import { contentEncoding, readBody, type BodyDeadline } from './body.ts';
import { InflightBudget } from './inflight.ts';
import { ingestBody } from './ingest.ts';
import { RecentRequests } from './recent-requests.ts';
import type { SelfMetrics } from './self-metrics.ts';

export interface CollectorAppOptions {
  logger: Logger;
  /** The one credential check (access/): ingest needs the `ingest` level (ingest or admin tokens). */
  guard: ListenerGuard;
  maxBodyBytes: number;
  /** Bytes of request bodies held in memory at once before new requests get 429. */
  maxInflightBytes: number;
  /** Of which one peer (remote address) may hold at most this many. */
  peerInflightBytes: number;
  /** Attribute limits, nesting depth and the expansion budget of each request. */
  limits: IngestLimits;
  /** How long a body may take to arrive (408 past it). */
  bodyDeadline: BodyDeadline;
  /** Most time to receive a request's headers (Node closes the connection past it). */
  headersTimeoutMs: number;
  /** Quarantined spool segments, for /readyz. */
  quarantine(): { segments: number; rows: number };
  spool: Spool;
  metrics: SelfMetrics;
  ready(): { ok: boolean; reason?: string };
  spoolMaxBytes: number;
  /** Classify spans here and spool their weft_span_touches rows with them (collector/touches/; the embedded store). */
  classify?: boolean;
}

type Wire = 'proto' | 'json';
const PROTO = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
/** HTTP status → gRPC status code of the OTLP/HTTP error body (google.rpc.Code); 13 (INTERNAL) otherwise. */
const GRPC_CODES = new Map([
  [400, 3],
  [401, 16],
  [403, 7],
  [404, 5],
  [405, 12],
  [408, 4],
  [413, 8],
  [415, 3],
  [429, 8],
  [503, 14],
]);
const grpcCode = (status: number) => GRPC_CODES.get(status) ?? 13;

function wireOf(contentType: string | undefined): Wire | undefined {
  const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (base === PROTO || base === 'application/protobuf') return 'proto';
  if (base === JSON_TYPE) return 'json';
  return undefined;
}

/** Sends an error in the request's content type (google.rpc.Status), JSON when unknown. */
function sendError(request: FastifyRequest, reply: FastifyReply, status: number, message: string, retryAfter?: number) {
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  if (status === 413 || status === 408) reply.header('connection', 'close');
  // A sender cut off mid-body (too slow) is not drained: its connection goes once the answer is out.
  if (status === 408) reply.raw.once('finish', () => request.raw.socket?.destroy());
  reply.status(status);
  if (wireOf(request.headers['content-type']) === 'proto') return reply.type(PROTO).send(encodeProtoStatus(grpcCode(status), message));
  return reply.type(JSON_TYPE).send(encodeJsonStatus(grpcCode(status), message));
}

const OTLP_PATHS = new Set(['/v1/traces', '/v1/metrics', '/v1/logs']);

/** What the guard reads of a request: its method, headers (and their lines as received) and the port it arrived on (Host must name it). */
const facts = (request: FastifyRequest): RequestFacts => ({
  method: request.method,
  headers: request.headers,
  localPort: request.raw.socket?.localPort,
  rawHeaders: request.raw.rawHeaders,
  remoteAddress: request.raw.socket?.remoteAddress,
});

/** The OTLP/HTTP receiver: /v1/traces, /v1/metrics, /v1/logs, plus /healthz, /readyz, /metrics. */
export function buildCollectorApp(o: CollectorAppOptions): FastifyInstance {
  const app = fastify({
    loggerInstance: o.logger,
    // A request Node cannot parse (headers over 16 KiB, too slow) is answered with the same headers as every other.
    clientErrorHandler: clientErrorAnswer(securityHeaders([])),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.maxBodyBytes,
    // Slow headers: Node answers 408 and closes; checked every second rather than every 30 s.
    http: { headersTimeout: o.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    // A backstop for the whole request; the body deadline in readBody is the finer one.
    requestTimeout: o.headersTimeoutMs + o.bodyDeadline.maxTimeoutMs + 1000,
  }) as unknown as FastifyInstance;
  const inflight = new InflightBudget(o.maxInflightBytes, o.peerInflightBytes);
  // The same headers as the API's (access/ owns them), and no answer kept by a cache: an export's answer, a refusal,
  // health and metrics are all of the moment.
  installSecurityHeaders(app, securityHeaders([]));

  // Bodies are read by the handler itself, so that limits apply before and after inflating.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const status = isWeftError(err) ? err.statusCode : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    o.metrics.rejectRequest(status);
    if (status >= 500 && status !== 503) {
      request.log.error({ err }, 'ingest failed');
      return sendError(request, reply, 500, 'Internal error; see the Weft log.');
    }
    const retry = status === 429 ? 1 : status === 503 ? 5 : undefined;
    return sendError(request, reply, status, err.message, retry);
  });

  // An exporter without a valid token loses every span it sends, and its own logs are rarely read: say so here.
  const refusals = refusalLog(o.logger);
  const recent = new RecentRequests();
  const ingest = (signal: SignalName) => async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = await o.guard.check(facts(request), 'ingest', request.url);
    if (!decision.ok) {
      o.metrics.rejectRequest(decision.error.statusCode);
      if (decision.error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      refusals.note(decision.error.statusCode, o.guard.clientOf(facts(request)), decision.error.message);
      const retryAfter = decision.error.details?.retryAfterSeconds;
      return sendError(request, reply, decision.error.statusCode, decision.error.message, typeof retryAfter === 'number' ? retryAfter : undefined);
    }
    const wire = wireOf(request.headers['content-type']);
    if (!wire) throw ERR_OTLP_MEDIA_TYPE(request.headers['content-type'] ?? '(none)');
    const encoding = contentEncoding(request.headers['content-encoding']);
    if (o.spool.wouldOverflow(0)) throw ERR_OTLP_SPOOL_FULL();
    const declared = request.headers['content-length'] ? Number(request.headers['content-length']) : undefined;
    // Bytes are charged as they arrive (not as announced), per client (behind a trusted proxy, the one it names) and in all.
    const peer = o.guard.clientOf(facts(request));
    let held = 0;
    let body: Buffer;
    try {
      body = await readBody(request.body as Readable, {
        declaredLength: declared,
        encoding,
        max: o.maxBodyBytes,
        deadline: o.bodyDeadline,
        onChunk: (bytes) => {
          inflight.take(peer, bytes);
          held += bytes;
        },
      });
    } finally {
      inflight.release(peer, held);
    }
    // A traces request stored before, sent again by an exporter that did not hear the answer: accepted, not stored twice.
    // Spans carry ids of their own, so the same bytes are the same spans; log records need no timestamp, and two equal
    // ones from a sender that sets none are two events.
    const key = signal === 'traces' ? recent.key(signal, body) : undefined;
    if (key !== undefined && recent.has(key)) {
      o.metrics.duplicateRequests[signal]++;
      return accepted(reply, signal, wire, 0, '');
    }
    const batch = ingestBody(signal, wire, body, { limits: o.limits, touches: o.classify });
    const bytes = batch.tables.reduce((n, t) => n + t.data.length + (t.touches?.data.length ?? 0), 0);
    if (o.spool.wouldOverflow(bytes)) throw ERR_OTLP_SPOOL_FULL();
    try {
      for (const t of batch.tables) o.spool.append(t.table, t);
    } catch (err) {
      request.log.error({ err }, 'spool write failed');
      throw ERR_OTLP_SPOOL_WRITE((err as NodeJS.ErrnoException).code ?? 'write failed');
    }
    if (key !== undefined) recent.add(key);
    o.metrics.accepted[signal] += batch.accepted;
    o.metrics.rejectedItems[signal] += batch.rejected;
    return accepted(reply, signal, wire, batch.rejected, batch.message);
  };

  app.post('/v1/traces', ingest('traces'));
  app.post('/v1/metrics', ingest('metrics'));
  app.post('/v1/logs', ingest('logs'));
  // Health and metrics hold no secret but are still this listener's: a foreign Host (DNS rebinding)
  // is refused here as on the OTLP routes and the API.
  const sameHost = async (request: FastifyRequest, reply: FastifyReply) => {
    const decision = await o.guard.check(facts(request), 'public', request.url);
    if (!decision.ok) return sendError(request, reply, decision.error.statusCode, decision.error.message);
  };
  app.get('/healthz', { preHandler: sameHost }, async () => ({ status: 'ok' }));
  app.get('/readyz', { preHandler: sameHost }, async (_request, reply) => {
    const r = o.ready();
    const q = o.quarantine();
    const quarantine = q.segments > 0 ? { quarantine: { ...q, note: 'spool segments the store refused; see the log and weft_collector_quarantined_*' } } : {};
    return reply.status(r.ok ? 200 : 503).send(r.ok ? { status: 'ready', ...quarantine } : { status: 'not ready', reason: r.reason, ...quarantine });
  });
  app.get('/metrics', { preHandler: sameHost }, async (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(o.metrics.render({ queuedRows: o.spool.openRows, spooledBytes: o.spool.pendingBytes, spoolMaxBytes: o.spoolMaxBytes })),
  );
  app.setNotFoundHandler(async (request, reply) => {
    const decision = await o.guard.check(facts(request), 'public', request.url);
    if (!decision.ok) return sendError(request, reply, decision.error.statusCode, decision.error.message);
    const path = request.url.split('?')[0];
    // An OTLP path asked with another method than POST: 405 (UNIMPLEMENTED), saying which it takes.
    if (OTLP_PATHS.has(path)) {
      reply.header('allow', 'POST');
      return sendError(request, reply, 405, `${path} takes POST (an OTLP/HTTP export), not ${request.method}.`);
    }
    return sendError(request, reply, 404, `No route ${request.method} ${path}; OTLP/HTTP takes POST /v1/traces, /v1/metrics, /v1/logs.`);
  });
  return app;
}

/** The 200 of an export request, in the request's content type, with `partial_success` when items were refused. */
function accepted(reply: FastifyReply, signal: SignalName, wire: 'proto' | 'json', rejected: number, message: string) {
  reply.status(200);
  if (wire === 'proto') return reply.type(PROTO).send(encodeProtoResponse(signal, rejected, message));
  return reply.type(JSON_TYPE).send(encodeJsonResponse(signal, rejected, message));
}

/** How often the collector says again that it refuses exporters (ms). */
const REFUSAL_LOG_EVERY_MS = 60_000;

/**
 * Logs refused ingest requests (401, 403) as one warning per minute at most: how many, with which status,
 * the last peer address and the answer it got (never a token). The first refusal is logged at once.
 */
function refusalLog(logger: Logger): { note(status: number, peer: string, message: string): void } {
  let count = 0;
  let loggedAt = -Infinity;
  const byStatus = new Map<number, number>();
  return {
    note(status, peer, message) {
      count++;
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      const now = Date.now();
      if (now - loggedAt < REFUSAL_LOG_EVERY_MS) return;
      logger.warn(
        { refused: count, byStatus: Object.fromEntries(byStatus), lastPeer: peer, answer: message },
        `the collector refused ${count === 1 ? 'a request' : `${count} requests`} to ingest telemetry${loggedAt === -Infinity ? '' : ' in the last minute'}: the exporter's spans are lost until it sends a valid ingest token`,
      );
      loggedAt = now;
      count = 0;
      byStatus.clear();
    },
  };
}
