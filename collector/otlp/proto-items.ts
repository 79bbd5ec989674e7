import protobuf from 'protobufjs';
import { ERR_OTLP_BAD_INPUT } from './bad-input.ts';
import { brokenHolderReason, brokenItemReason, REFUSED_ITEM, type ItemNoun } from './item-refusal.ts';
import type { IngestReport } from './limits.ts';
import { decodeProto, lenientReader, messages, WARN_INVALID_UTF8, type SignalName } from './proto-codec.ts';
import { protoMessageCount, type FieldCounts } from './decode-cost.ts';
import { Malformed, WireReader } from './wire-reader.ts';

const root = messages.logs.request.root;
const type = (name: string) => root.lookupType(`weft.otlp.${name}`);
const T = {
  logsFrame: type('ExportLogsServiceRequestFrame'),
  metricsFrame: type('ExportMetricsServiceRequestFrame'),
  metricFrame: type('MetricFrame'),
  resource: type('Resource'),
  scope: type('InstrumentationScope'),
  logRecord: type('LogRecord'),
  numberPoint: type('NumberDataPoint'),
  histogramPoint: type('HistogramDataPoint'),
};
for (const t of Object.values(T)) t.resolveAll();

/** The reasons of a log record, data point or metric refused for its own bytes (as a span is: `TRACE_REASONS.brokenSpan`). */
export const BROKEN_REASONS = {
  logRecord: brokenItemReason('log records', 'LogRecord', 'log record'),
  point: brokenItemReason('data points', 'data point', 'data point'),
  metric: brokenHolderReason('data points', 'metric', 'Metric'),
  resource: (items: ItemNoun) => brokenHolderReason(items, 'resource', 'Resource'),
  scope: (items: ItemNoun) => brokenHolderReason(items, 'scope', 'InstrumentationScope'),
} as const;

/**
 * Decodes an OTLP request in protobuf (`decodeProto`). A logs or metrics body found `broken` (`checkDecodeCost`: bytes
 * somewhere in it are no protobuf) is read frame by frame instead (the `…Frame` messages of otlp.proto): each resource,
 * scope, log record, metric and data point is checked on the wire (`malformed`) and decoded alone, and one whose own
 * bytes are broken (a length, varint or fixed-size value inside it runs past its end, or a tag has an invalid wire type)
 * while its length in the message around it is whole is refused alone in `report`, named with the byte, as the trace
 * decoder refuses a span: a resource or scope with its items, a metric with its points. Its place in its list is held by
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

  /** Decodes each resource, scope and log record of `frame` in place. */
  logs(frame: Message): void {
    listOf(frame, 'resourceLogs').forEach((rl, r) => {
      const rw = `resourceLogs[${r}]`;
      const records = () => listOf(rl, 'scopeLogs').reduce<number>((n, sl) => n + listOf(sl, 'logRecords').length, 0);
      if (!this.holder(rl as Message, 'resource', T.resource, `${rw}.resource`, BROKEN_REASONS.resource('log records'), records)) {
        listOf(frame, 'resourceLogs')[r] = REFUSED_ITEM;
        return;
      }
      listOf(rl, 'scopeLogs').forEach((sl, s) => {
        const sw = `${rw}.scopeLogs[${s}]`;
        const logRecords = listOf(sl, 'logRecords');
        if (!this.holder(sl as Message, 'scope', T.scope, `${sw}.scope`, BROKEN_REASONS.scope('log records'), () => logRecords.length)) {
          listOf(rl, 'scopeLogs')[s] = REFUSED_ITEM;
          return;
        }
        logRecords.forEach((bytes, i) => {
          logRecords[i] = this.item(bytes as Uint8Array, T.logRecord, `${sw}.logRecords[${i}]`, BROKEN_REASONS.logRecord, () => 1);
        });
      });
    });
  }

  /** Decodes each resource, scope, metric and data point of `frame` in place. */
  metrics(frame: Message): void {
    listOf(frame, 'resourceMetrics').forEach((rm, r) => {
      const rw = `resourceMetrics[${r}]`;
      const points = () =>
        listOf(rm, 'scopeMetrics').reduce<number>((n, sm) => n + listOf(sm, 'metrics').reduce<number>((k, m) => k + metricPoints(m as Uint8Array), 0), 0);
      if (!this.holder(rm as Message, 'resource', T.resource, `${rw}.resource`, BROKEN_REASONS.resource('data points'), points)) {
        listOf(frame, 'resourceMetrics')[r] = REFUSED_ITEM;
        return;
      }
      listOf(rm, 'scopeMetrics').forEach((sm, s) => {
        const sw = `${rw}.scopeMetrics[${s}]`;
        const metrics = listOf(sm, 'metrics');
        const scopePoints = () => metrics.reduce<number>((k, m) => k + metricPoints(m as Uint8Array), 0);
        if (!this.holder(sm as Message, 'scope', T.scope, `${sw}.scope`, BROKEN_REASONS.scope('data points'), scopePoints)) {
          listOf(rm, 'scopeMetrics')[s] = REFUSED_ITEM;
          return;
        }
        metrics.forEach((bytes, m) => {
          const mw = `${sw}.metrics[${m}]`;
          const metric = this.item(bytes as Uint8Array, T.metricFrame, mw, BROKEN_REASONS.metric, () => metricPoints(bytes as Uint8Array));
          metrics[m] = metric;
          if (metric === REFUSED_ITEM) return;
          for (const [kind, pointType] of [
            ['gauge', T.numberPoint],
            ['sum', T.numberPoint],
            ['histogram', T.histogramPoint],
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
   * items refused for `reason`, at `where` with what broke and at which byte of the body.
   */
  private item(bytes: Uint8Array, type: protobuf.Type, where: string, reason: string, count: () => number): unknown {
    if (bytes.length === 0) return type.decode(bytes);
    const offset = bytes.byteOffset - this.body.byteOffset;
    const broken = malformed(type, this.body, offset, offset + bytes.length);
    if (broken !== undefined) {
      const n = count();
      if (n > 0) this.report.reject(reason, `${where}: ${broken}`, n);
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
