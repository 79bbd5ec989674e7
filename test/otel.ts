import { randomBytes } from 'node:crypto';
import { api, resources, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';

/**
 * Sends spans to a Weft collector (or any OTLP/HTTP endpoint) with the real OpenTelemetry SDK
 * and its OTLP exporters, then shuts the SDK down so that everything is exported. Tests call
 * `collector.flush()` afterwards and query otel_traces.
 */
export interface OtelTarget {
  /** Collector base URL, e.g. weft.collector.url; `/v1/traces` is appended. */
  url: string;
  /** `proto` (application/x-protobuf, the default) or `json` (OTLP/JSON). */
  protocol?: 'proto' | 'json';
  gzip?: boolean;
  /** Bearer token for a collector with ingest tokens. */
  token?: string;
  /** Resource `service.name`; default "test-service". */
  serviceName?: string;
  /** More resource attributes. */
  resource?: api.Attributes;
}

export type Tracer = api.Tracer;

/** A span to send: children run inside it (same trace, parent set). Times default to now. */
export interface SpanSpec {
  name: string;
  kind?: api.SpanKind;
  attributes?: api.Attributes;
  /** Start as epoch milliseconds (or a Date); duration in milliseconds (default 10). */
  start?: number | Date;
  durationMs?: number;
  status?: { code: api.SpanStatusCode; message?: string };
  events?: { name: string; attributes?: api.Attributes; time?: number | Date }[];
  children?: SpanSpec[];
}

/**
 * An HTTP client call as an instrumentation records it: a CLIENT span named by its method, with the URL, host and
 * response status (default 200) under the stable conventions (`http.request.method`, `url.full`, `server.address`,
 * `http.response.status_code`), or under the old ones (`http.method`, `http.url`, `net.peer.name`, `http.status_code`)
 * that the Java agent 1.x and older SDKs still send (`conventions: 'old'`). Throws what `new URL` throws for `url`.
 */
export function httpCall(method: string, url: string, options: { status?: number; conventions?: 'stable' | 'old' } = {}): SpanSpec {
  const status = options.status ?? 200;
  const host = new URL(url).hostname;
  const attributes =
    options.conventions === 'old'
      ? { 'http.method': method, 'http.url': url, 'net.peer.name': host, 'http.status_code': status }
      : { 'http.request.method': method, 'url.full': url, 'server.address': host, 'http.response.status_code': status };
  return { name: method, kind: api.SpanKind.CLIENT, attributes };
}

function exporterFor(target: OtelTarget, failures: string[]): tracing.SpanExporter {
  const config = {
    url: `${target.url.replace(/\/$/, '')}/v1/traces`,
    headers: (target.token ? { Authorization: `Bearer ${target.token}` } : {}) as Record<string, string>,
    compression: (target.gzip ? 'gzip' : 'none') as never,
  };
  const inner: tracing.SpanExporter = target.protocol === 'json' ? new JsonExporter(config) : new ProtoExporter(config);
  // The batch processor only logs export failures; a test must see them.
  return {
    export: (spans, done) =>
      inner.export(spans, (result) => {
        if (result.code !== 0) failures.push(result.error?.message ?? 'export failed');
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/** Runs `fn` with a tracer whose spans go to `target`; resolves after every span is exported. */
export async function withTracer(target: OtelTarget, fn: (tracer: Tracer) => void | Promise<void>): Promise<void> {
  const failures: string[] = [];
  const provider = new tracing.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': target.serviceName ?? 'test-service', ...target.resource }),
    spanProcessors: [new tracing.BatchSpanProcessor(exporterFor(target, failures), { maxExportBatchSize: 512, scheduledDelayMillis: 50 })],
  });
  try {
    await fn(provider.getTracer('weft-test', '1.0.0'));
  } finally {
    await provider.shutdown();
  }
  if (failures.length > 0) throw new Error(`OTLP export to ${target.url} failed: ${failures.join('; ')}`);
}

const toTime = (t: number | Date | undefined) => (t === undefined ? Date.now() : t instanceof Date ? t.getTime() : t);

function emit(tracer: Tracer, spec: SpanSpec, parent: api.Context): string {
  const start = toTime(spec.start);
  const span = tracer.startSpan(spec.name, { kind: spec.kind ?? api.SpanKind.INTERNAL, attributes: spec.attributes, startTime: start }, parent);
  for (const e of spec.events ?? []) span.addEvent(e.name, e.attributes ?? {}, toTime(e.time ?? start));
  if (spec.status) span.setStatus(spec.status);
  const ctx = api.trace.setSpan(parent, span);
  for (const child of spec.children ?? []) emit(tracer, { start, ...child }, ctx);
  span.end(start + (spec.durationMs ?? 10));
  return span.spanContext().traceId;
}

/**
 * A remote parent span's context (a new trace id, sampled) whose W3C tracestate is `traceState`, e.g.
 * `ot=th:e666666666666`: what a sampler upstream (OpenTelemetry probability sampling at 10%) hands on. Spans started
 * under it carry that tracestate.
 */
export function remoteParent(traceState: string): api.Context {
  return api.trace.setSpanContext(api.ROOT_CONTEXT, {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: 1,
    isRemote: true,
    traceState: api.createTraceState(traceState),
  });
}

/**
 * Sends span trees (one trace per root) and returns their trace ids, in order. With `traceState`, each root is the
 * child of a `remoteParent` with that tracestate, which every span of its tree carries.
 */
export async function sendSpans(target: OtelTarget, roots: SpanSpec[], options: { traceState?: string } = {}): Promise<string[]> {
  const traceIds: string[] = [];
  await withTracer(target, (tracer) => {
    for (const root of roots) traceIds.push(emit(tracer, root, options.traceState === undefined ? api.ROOT_CONTEXT : remoteParent(options.traceState)));
  });
  return traceIds;
}
