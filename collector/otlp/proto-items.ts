import protobuf from 'protobufjs';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { brokenEntryReason, brokenHolderReason, brokenItemReason, REFUSED_ITEM, type ItemNoun } from './item-refusal.ts';
import type { IngestReport } from './limits.ts';
import { decodeProto, lenientReader, messages, WARN_INVALID_UTF8, type SignalName } from './proto-codec.ts';
import { protoMessageCount, type FieldCounts } from './decode-cost.ts';
import { Malformed, WireReader } from './wire-reader.ts';

const root = messages.logs.request.root;
const type = (name: string) => root.lookupType(`weft.otlp.${name}`);
const T = {
  logsFrame: type('ExportLogsServiceRequestFrame'),
  metricsFrame: type('ExportMetricsServiceRequestFrame'),
  resourceLogs: type('ResourceLogsFrame'),
  scopeLogs: type('ScopeLogsFrame'),
  resourceMetrics: type('ResourceMetricsFrame'),
  scopeMetrics: type('ScopeMetricsFrame'),
  metricFrame: type('MetricFrame'),
  resource: type('Resource'),
  scope: type('InstrumentationScope'),
  logRecord: type('LogRecord'),
  numberPoint: type('NumberDataPoint'),
  histogramPoint: type('HistogramDataPoint'),
  exponentialPoint: type('ExponentialHistogramDataPoint'),
  summaryPoint: type('SummaryDataPoint'),
};
for (const t of Object.values(T)) t.resolveAll();

/** The reasons of a log record, data point or metric refused for its own bytes (as a span is: `TRACE_REASONS.brokenSpan`). */
export const BROKEN_REASONS = {
  logRecord: brokenItemReason('log records', 'LogRecord', 'log record'),
  point: brokenItemReason('data points', 'data point', 'data point'),
  metric: brokenHolderReason('data points', 'metric', 'Metric'),
  resource: (items: ItemNoun) => brokenHolderReason(items, 'resource', 'Resource'),
  scope: (items: ItemNoun) => brokenHolderReason(items, 'scope', 'InstrumentationScope'),
  resourceLogs: brokenEntryReason('log records', 'resourceLogs', 'ResourceLogs'),
  scopeLogs: brokenEntryReason('log records', 'scopeLogs', 'ScopeLogs'),
  resourceMetrics: brokenEntryReason('data points', 'resourceMetrics', 'ResourceMetrics'),
  scopeMetrics: brokenEntryReason('data points', 'scopeMetrics', 'ScopeMetrics'),
} as const;

/**
 * Decodes an OTLP request in protobuf (`decodeProto`). A logs or metrics body found `broken` (`checkDecodeCost`: bytes
 * somewhere in it are no protobuf) is read frame by frame instead (the `…Frame` messages of otlp.proto): each resource
 * list entry, resource, scope list entry, scope, log record, metric and data point is checked on the wire (`malformed`)
 * and decoded alone, and one whose own bytes are broken (a length, varint or fixed-size value inside it runs past its
 * end, or a tag has an invalid wire type) while its length in the message around it is whole is refused alone in
 * `report`, named with the byte, as the trace decoder refuses a span: a list entry, resource or scope with its items (a
 * list entry's as far as they can be counted, at least one), a metric with its points. Its place in its list is held by
 * `REFUSED_ITEM`, which the row mappers pass over, so that the other items keep their indices in messages. Protobufjs
 * alone failed the whole request (400), or, bounded by the buffer's end rather than the item's, read on into the next
 * item. A body whose frames are broken is a 400 naming what broke and the byte.
 */
export function decodeProtoItems(signal: SignalName, body: Buffer, read: { keepUnknown: boolean; broken: boolean }, report: IngestReport): unknown {
  if (signal === 'traces' || !read.broken) return decodeProto(signal, body, read.keepUnknown, report);
  const frameType = signal === 'logs' ? T.logsFrame : T.metricsFrame;
  const broken = malformed(frameType, body, 0, body.length);
  if (broken !== undefined) throw ERR_OTLP_BAD_INPUT(`The body is not a valid OTLP ${messages[signal].request.name} in protobuf: ${broken}.`);
  const items = new FrameReader(body, read.keepUnknown, report);
  const frame = frameType.decode(items.reader) as unknown as Message;
  if (signal === 'logs') items.logs(frame);
  else items.metrics(frame);
  return frame;
}

type Message = Record<string, unknown>;
const listOf = (m: unknown, field: string): unknown[] => ((m as Message | null)?.[field] as unknown[] | undefined) ?? [];

/** Reads the items of a frame decoded from `body`, in place. */
class FrameReader {
  readonly reader: protobuf.Reader;
  constructor(
    private readonly body: Buffer,
    keepUnknown: boolean,
    private readonly report: IngestReport,
  ) {
    this.reader = lenientReader(body, (at) => report.warn(WARN_INVALID_UTF8, `byte ${at} of the body`));
    this.reader.discardUnknown = !keepUnknown;
  }

  /** Decodes each resource list entry, resource, scope list entry, scope and log record of `frame` in place. */
  logs(frame: Message): void {
    const resourceLogs = listOf(frame, 'resourceLogs');
    resourceLogs.forEach((bytes, r) => {
      const rw = `resourceLogs[${r}]`;
      const records = () => itemsOnWire(bytes as Uint8Array, [2, 2]);
      const rl = this.item(
        bytes as Uint8Array,
        T.resourceLogs,
        rw,
        BROKEN_REASONS.resourceLogs,
        () => Math.max(records(), 1),
        () => breakAt(bytes as Uint8Array, 2, 'scopeLogs'),
      );
      resourceLogs[r] = rl;
      if (rl === REFUSED_ITEM) return;
      if (!this.holder(rl as Message, 'resource', T.resource, `${rw}.resource`, BROKEN_REASONS.resource('log records'), records)) {
        resourceLogs[r] = REFUSED_ITEM;
        return;
      }
      const scopeLogs = listOf(rl, 'scopeLogs');
      scopeLogs.forEach((scopeBytes, s) => {
        const sw = `${rw}.scopeLogs[${s}]`;
        const scopeRecords = () => itemsOnWire(scopeBytes as Uint8Array, [2]);
        const sl = this.item(
          scopeBytes as Uint8Array,
          T.scopeLogs,
          sw,
          BROKEN_REASONS.scopeLogs,
          () => Math.max(scopeRecords(), 1),
          () => breakAt(scopeBytes as Uint8Array, 2, 'logRecords'),
        );
        scopeLogs[s] = sl;
        if (sl === REFUSED_ITEM) return;
        const logRecords = listOf(sl, 'logRecords');
        if (!this.holder(sl as Message, 'scope', T.scope, `${sw}.scope`, BROKEN_REASONS.scope('log records'), () => logRecords.length)) {
          scopeLogs[s] = REFUSED_ITEM;
          return;
        }
        logRecords.forEach((record, i) => {
          logRecords[i] = this.item(record as Uint8Array, T.logRecord, `${sw}.logRecords[${i}]`, BROKEN_REASONS.logRecord, () => 1);
        });
      });
    });
  }

  /** Decodes each resource list entry, resource, scope list entry, scope, metric and data point of `frame` in place. */
  metrics(frame: Message): void {
    const resourceMetrics = listOf(frame, 'resourceMetrics');
    resourceMetrics.forEach((bytes, r) => {
      const rw = `resourceMetrics[${r}]`;
      const points = () => itemsOnWire(bytes as Uint8Array, [2, 2], metricPoints);
      const rm = this.item(
        bytes as Uint8Array,
        T.resourceMetrics,
        rw,
        BROKEN_REASONS.resourceMetrics,
        () => Math.max(points(), 1),
        () => breakAt(bytes as Uint8Array, 2, 'scopeMetrics'),
      );
      resourceMetrics[r] = rm;
      if (rm === REFUSED_ITEM) return;
      if (!this.holder(rm as Message, 'resource', T.resource, `${rw}.resource`, BROKEN_REASONS.resource('data points'), points)) {
        resourceMetrics[r] = REFUSED_ITEM;
        return;
      }
      const scopeMetrics = listOf(rm, 'scopeMetrics');
      scopeMetrics.forEach((scopeBytes, s) => {
        const sw = `${rw}.scopeMetrics[${s}]`;
        const scopePoints = () => itemsOnWire(scopeBytes as Uint8Array, [2], metricPoints);
        const sm = this.item(
          scopeBytes as Uint8Array,
          T.scopeMetrics,
          sw,
          BROKEN_REASONS.scopeMetrics,
          () => Math.max(scopePoints(), 1),
          () => breakAt(scopeBytes as Uint8Array, 2, 'metrics'),
        );
        scopeMetrics[s] = sm;
        if (sm === REFUSED_ITEM) return;
        const metrics = listOf(sm, 'metrics');
        if (!this.holder(sm as Message, 'scope', T.scope, `${sw}.scope`, BROKEN_REASONS.scope('data points'), scopePoints)) {
          scopeMetrics[s] = REFUSED_ITEM;
          return;
        }
        metrics.forEach((metricBytes, m) => {
          const mw = `${sw}.metrics[${m}]`;
          const metric = this.item(metricBytes as Uint8Array, T.metricFrame, mw, BROKEN_REASONS.metric, () => metricPoints(metricBytes as Uint8Array));
          metrics[m] = metric;
          if (metric === REFUSED_ITEM) return;
          for (const [kind, pointType] of [
            ['gauge', T.numberPoint],
            ['sum', T.numberPoint],
            ['histogram', T.histogramPoint],
            ['exponentialHistogram', T.exponentialPoint],
            ['summary', T.summaryPoint],
          ] as const) {
            const dataPoints = listOf((metric as Message)[kind], 'dataPoints');
            dataPoints.forEach((p, i) => {
              dataPoints[i] = this.item(p as Uint8Array, pointType, `${mw}.${kind}.dataPoints[${i}]`, BROKEN_REASONS.point, () => 1);
            });
          }
        });
      });
    });
  }

  /**
   * Decodes the `field` (bytes) of `holder` as `type` in place; false when its bytes are broken: its `count()` items are
   * refused (`reason`, at `where`). An absent field is left absent.
   */
  private holder(holder: Message, field: string, type: protobuf.Type, where: string, reason: string, count: () => number): boolean {
    // Absent, it is null, as the message type's default.
    if (!Object.hasOwn(holder, field)) {
      holder[field] = null;
      return true;
    }
    const bytes = holder[field] as Uint8Array;
    const decoded = this.item(bytes, type, where, reason, count);
    if (decoded === REFUSED_ITEM) return false;
    holder[field] = decoded;
    return true;
  }

  /**
   * `bytes` (a view of the body) decoded as `type`, or REFUSED_ITEM when its own bytes are broken (`malformed`): `count()`
   * items refused for `reason`, at `where` (and `at()` in it: `breakAt`) with what broke and at which byte of the body.
   */
  private item(bytes: Uint8Array, type: protobuf.Type, where: string, reason: string, count: () => number, at = () => ''): unknown {
    if (bytes.length === 0) return type.decode(bytes);
    const offset = bytes.byteOffset - this.body.byteOffset;
    const broken = malformed(type, this.body, offset, offset + bytes.length);
    if (broken !== undefined) {
      const n = count();
      if (n > 0) this.report.reject(reason, `${where}${at()}: ${broken}`, n);
      return REFUSED_ITEM;
    }
    this.reader.pos = offset;
    return type.decode(this.reader, bytes.length);
  }
}

/**
 * What is broken in the message `b[start, end)` of `type`, walked on the wire as a protobuf parser reads it (each field
 * of a message type walked into, `protoMessageCount`'s walk): the `Malformed` message (what ran past its end, and the
 * byte), or undefined when it is whole.
 */
export function malformed(type: protobuf.Type, b: Uint8Array, start: number, end: number): string | undefined {
  const fields: FieldCounts = { wrongWire: 0, unknown: 0 };
  protoMessageCount(type, b, Infinity, fields, start, end);
  return fields.malformed;
}

/**
 * The items the message `bytes` holds down the LEN fields numbered `path` (`[2, 2]`: a ResourceLogs' scope_logs, then
 * their log_records), each counted as `leaf(itsBytes)`, on the wire up to where the bytes break: an item whose length
 * runs past its message counts as one, what follows the break is not counted.
 */
function itemsOnWire(bytes: Uint8Array, path: readonly number[], leaf: (b: Uint8Array) => number = () => 1): number {
  const r = new WireReader(bytes);
  const end = bytes.length;
  let n = 0;
  try {
    while (r.p < end) {
      const tag = r.varint(end);
      if (tag !== ((path[0] << 3) | 2)) {
        r.skip(tag & 7, end);
        continue;
      }
      n++;
      const len = r.len(end);
      n--;
      const item = bytes.subarray(r.p, r.p + len);
      r.p += len;
      n += path.length === 1 ? leaf(item) : itemsOnWire(item, path.slice(1), leaf);
    }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
  }
  return n;
}

/**
 * Where the message `bytes` breaks when it is the length of its `k`th field numbered `field` (LEN) that runs past its
 * end: `.name[k]` (`.logRecords[2]`); else '' (the message itself).
 */
function breakAt(bytes: Uint8Array, field: number, name: string): string {
  const r = new WireReader(bytes);
  let k = 0;
  let at = '';
  try {
    while (r.p < bytes.length) {
      const tag = r.varint(bytes.length);
      if (tag === ((field << 3) | 2)) at = `.${name}[${k++}]`;
      r.skip(tag & 7, bytes.length);
      at = '';
    }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
  }
  return at;
}

/** The data points a metric's bytes hold, counted on the wire up to where they break; a metric holding none counts as one. */
function metricPoints(bytes: Uint8Array): number {
  const r = new WireReader(bytes);
  let n = 0;
  try {
    while (r.p < bytes.length) {
      const tag = r.varint(bytes.length);
      if ((tag & 7) !== 2 || ![5, 7, 9, 10, 11].includes(tag >>> 3)) {
        r.skip(tag & 7, bytes.length);
        continue;
      }
      const end = r.len(bytes.length) + r.p;
      while (r.p < end) {
        const t = r.varint(end);
        if (t === ((1 << 3) | 2)) n++;
        r.skip(t & 7, end);
      }
    }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
  }
  return Math.max(n, 1);
}
