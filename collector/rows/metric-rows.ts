import { attributeMap, type ValueContext } from '../otlp/any-value.ts';
import { cutText, resourceLimits } from '../otlp/limits.ts';
import { enumNumber } from '../otlp/ids-and-times.ts';
import { itemsIn, readItem, REFUSED_ITEM } from '../otlp/item-refusal.ts';
import { checkWireTypes, checkWireTypesDeep } from '../otlp/wire-types.ts';
import { ExpansionBudget } from './expansion.ts';
import { exemplarColumns, histogramValues, isRefusal, METRIC_REASONS, pointTimes, pointValue, type Refusal } from './metric-points.ts';
import { list, mapRowBytes, num, obj, serviceName, str, uint32 } from './shape.ts';

const TEMPORALITY = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'] as const;
/** The warning for an aggregationTemporality name this collector does not know (OTLP enums are open; only OTLP/JSON sends names). */
export const WARN_UNKNOWN_TEMPORALITY = 'metrics with an unknown aggregationTemporality name (stored as 0, unspecified)';

export interface MetricRows {
  sum: unknown[][];
  gauge: unknown[][];
  histogram: unknown[][];
  rejected: number;
  message: string;
}

/**
 * Rows for otel_metrics_sum, otel_metrics_gauge and otel_metrics_histogram from an
 * ExportMetricsServiceRequest. Exponential histograms and summaries are not stored: their points
 * are counted as rejected and named in the partial_success message. A point with a malformed time, value, exemplar or
 * histogram (`METRIC_REASONS`) is refused alone, the request's other points kept. Attribute limits and the
 * expansion budget of `ctx` apply (resource and scope attributes are repeated in every point's row).
 */
export function metricRows(request: unknown, ctx: ValueContext): MetricRows {
  const budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
  const out: MetricRows = { sum: [], gauge: [], histogram: [], rejected: 0, message: '' };
  const reasons = new Set<string>();
  const report = ctx.report;
  // A field of the request itself sent with another wire type (resourceMetrics as a varint) holds no resource: refused as one.
  readItem(
    report,
    'data points',
    () => 1,
    () => checkWireTypes(request, 'request'),
  );
  const resourceMetrics = list(obj(request, 'request').resourceMetrics, 'resourceMetrics');
  for (let r = 0; r < resourceMetrics.length; r++) {
    // Refused as its bytes were decoded (proto-items.ts): said there.
    if (resourceMetrics[r] === REFUSED_ITEM) continue;
    const rw = `resourceMetrics[${r}]`;
    // A field of the wrong type refuses what holds it: the points of the resource, scope or metric, or the point alone.
    const resource = readItem(
      report,
      'data points',
      () => pointsIn(resourceMetrics[r], ['scopeMetrics', 'metrics']),
      () => {
        // A field of the ResourceMetrics, or of its resource, sent with another wire type refuses the resource's points.
        checkWireTypes(resourceMetrics[r], rw);
        const rm = obj(resourceMetrics[r], rw);
        const res = obj(rm.resource, `${rw}.resource`);
        checkWireTypes(res, `${rw}.resource`);
        const attributes = attributeMap(res.attributes, `${rw}.resource.attributes`, { ...ctx, limits: resourceLimits(ctx.limits) });
        const schema = str(rm.schemaUrl, `${rw}.schemaUrl`);
        return {
          attributes,
          schema,
          service: serviceName(attributes, report, `${rw}.resource.attributes`),
          scopeMetrics: list(rm.scopeMetrics, `${rw}.scopeMetrics`),
        };
      },
    );
    if (!resource) continue;
    const { attributes: resAttrs, schema: resSchema, service, scopeMetrics } = resource;
    for (let s = 0; s < scopeMetrics.length; s++) {
      if (scopeMetrics[s] === REFUSED_ITEM) continue;
      const sw = `${rw}.scopeMetrics[${s}]`;
      const scope = readItem(
        report,
        'data points',
        () => pointsIn(scopeMetrics[s], ['metrics']),
        () => {
          checkWireTypes(scopeMetrics[s], sw);
          const sm = obj(scopeMetrics[s], sw);
          const sc = obj(sm.scope, `${sw}.scope`);
          checkWireTypes(sc, `${sw}.scope`);
          const attributes = attributeMap(sc.attributes, `${sw}.scope.attributes`, ctx);
          const head = [
            resAttrs,
            resSchema,
            cutText(str(sc.name, `${sw}.scope.name`), ctx.limits, report, `${sw}.scope.name`),
            cutText(str(sc.version, `${sw}.scope.version`), ctx.limits, report, `${sw}.scope.version`),
            attributes,
            num(sc.droppedAttributesCount, `${sw}.scope.droppedAttributesCount`),
            str(sm.schemaUrl, `${sw}.schemaUrl`),
            service,
          ];
          return { attributes, head, metrics: list(sm.metrics, `${sw}.metrics`) };
        },
      );
      if (!scope) continue;
      const { attributes: scopeAttrs, head, metrics } = scope;
      budget.charge(countPoints(metrics), mapRowBytes(resAttrs) + mapRowBytes(scopeAttrs) + Buffer.byteLength(service), `${sw} (resource and scope)`);
      for (let m = 0; m < metrics.length; m++) {
        if (metrics[m] === REFUSED_ITEM) continue;
        const mw = `${sw}.metrics[${m}]`;
        readItem(
          report,
          'data points',
          // A metric refused holds at least one point (its data's dataPoints sent as a varint hold none).
          () => Math.max(pointsIn(metrics[m], []), 1),
          () => metricPoints(obj(metrics[m], mw), mw, head, ctx, out, reasons),
        );
      }
    }
  }
  out.rejected += ctx.report.rejected;
  out.message = [...reasons, ctx.report.message].filter(Boolean).join('; ');
  return out;
}

/**
 * The rows of one metric's points, appended to `out` (`head`: the resource and scope columns). A field of the wrong type
 * in the metric itself (its name, its sum, gauge or histogram) throws, for `readItem` to refuse its points; one in a
 * point refuses that point alone.
 */
function metricPoints(metric: Record<string, unknown>, mw: string, head: unknown[], ctx: ValueContext, out: MetricRows, reasons: Set<string>): void {
  const report = ctx.report;
  // A field sent with another wire type than its type has (protobuf) refuses the metric's points, or the point.
  checkWireTypes(metric, mw);
  const named = [
    ...head,
    cutText(str(metric.name, `${mw}.name`), ctx.limits, report, `${mw}.name`),
    cutText(str(metric.description, `${mw}.description`), ctx.limits, report, `${mw}.description`),
    cutText(str(metric.unit, `${mw}.unit`), ctx.limits, report, `${mw}.unit`),
  ];
  // The columns every point has (metric, attributes, times), or its refusal; `refused` reports one.
  const point = (p: Record<string, unknown>, pw: string): unknown[] | Refusal => {
    const times = pointTimes(p, pw);
    if (isRefusal(times)) return times;
    return [...named, attributeMap(p.attributes, `${pw}.attributes`, ctx), ...times];
  };
  const refused = (r: Refusal) => report.reject(r.refused, r.where);
  // A sum's or a gauge's point: the common columns, its value, flags and exemplars, then `tail`.
  const numberPoint = (p: Record<string, unknown>, pw: string, tail: unknown[]) => {
    const head = point(p, pw);
    if (isRefusal(head)) return refused(head);
    const value = pointValue(p);
    if (value === undefined) return refused({ refused: METRIC_REASONS.badValue, where: `${pw}.${Object.hasOwn(p, 'asInt') ? 'asInt' : 'asDouble'}` });
    const ex = exemplarColumns(p, pw, ctx);
    if (isRefusal(ex)) return refused(ex);
    return [...head, value, uint32(p.flags, `${pw}.flags`), ...ex, ...tail];
  };
  // Each point read alone: a field of the wrong type in it refuses it, not its metric's other points.
  const points = (data: Record<string, unknown>, dw: string, each: (p: Record<string, unknown>, pw: string) => void) =>
    list(data.dataPoints, `${dw}.dataPoints`).forEach((dp, i) => {
      if (dp === REFUSED_ITEM) return;
      const pw = `${dw}.dataPoints[${i}]`;
      readItem(
        report,
        'data points',
        () => 1,
        () => {
          checkWireTypes(dp, pw);
          each(obj(dp, pw), pw);
        },
      );
    });
  // A field of its data (a sum's aggregationTemporality as LEN) sent with another wire type refuses the metric's points.
  for (const kind of ['sum', 'gauge', 'histogram'] as const) checkWireTypes(metric[kind], `${mw}.${kind}`);
  if (metric.sum) {
    const sum = obj(metric.sum, `${mw}.sum`);
    const temporality = temporalityOf(sum.aggregationTemporality, `${mw}.sum.aggregationTemporality`, ctx);
    points(sum, `${mw}.sum`, (p, pw) => {
      const row = numberPoint(p, pw, [temporality, Boolean(sum.isMonotonic)]);
      if (row) out.sum.push(row);
    });
  } else if (metric.gauge) {
    points(obj(metric.gauge, `${mw}.gauge`), `${mw}.gauge`, (p, pw) => {
      const row = numberPoint(p, pw, []);
      if (row) out.gauge.push(row);
    });
  } else if (metric.histogram) {
    const h = obj(metric.histogram, `${mw}.histogram`);
    const temporality = temporalityOf(h.aggregationTemporality, `${mw}.histogram.aggregationTemporality`, ctx);
    points(h, `${mw}.histogram`, (p, pw) => {
      const head = point(p, pw);
      if (isRefusal(head)) return refused(head);
      const v = histogramValues(p, pw);
      if (isRefusal(v)) return refused(v);
      const ex = exemplarColumns(p, pw, ctx);
      if (isRefusal(ex)) return refused(ex);
      out.histogram.push([...head, v.count, v.sum, v.bucketCounts, v.explicitBounds, ...ex, uint32(p.flags, `${pw}.flags`), v.min, v.max, temporality]);
    });
  } else {
    const kind = metric.exponentialHistogram ? 'exponentialHistogram' : metric.summary ? 'summary' : '';
    if (!kind) {
      out.rejected++;
      reasons.add(`metric ${JSON.stringify(metric.name ?? '')} has no data`);
      return;
    }
    // A field of it (its dataPoints as a varint) sent with another wire type refuses the metric's points, at least one.
    const data = obj(metric[kind], `${mw}.${kind}`);
    checkWireTypes(data, `${mw}.${kind}`);
    const dataPoints = list(data.dataPoints, `${mw}.${kind}.dataPoints`);
    // Each point read alone: one with a field of another wire type at any depth (its buckets, quantile values,
    // attributes) is refused for it, naming the field, as a stored kind's point is; the others as not stored.
    let notStored = 0;
    dataPoints.forEach((dp, i) => {
      if (dp === REFUSED_ITEM) return;
      const pw = `${mw}.${kind}.dataPoints[${i}]`;
      if (
        readItem(
          report,
          'data points',
          () => 1,
          () => (checkWireTypesDeep(dp, pw), true),
        )
      )
        notStored++;
    });
    out.rejected += notStored;
    if (notStored > 0 || dataPoints.length === 0) reasons.add(`${kind} metrics are not stored (only sum, gauge and histogram)`);
  }
}

/**
 * How many data points `v` holds down the list fields `path` and then its metrics' data (any kind), for `readItem`'s
 * count; a list that is no list counts as one point, and so does a metric without data (refused as one).
 */
function pointsIn(v: unknown, path: readonly string[]): number {
  if (v === REFUSED_ITEM) return 0;
  if (path.length > 0) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return 1;
    const next = (v as Record<string, unknown>)[path[0]];
    if (next === undefined || next === null) return 0;
    if (!Array.isArray(next)) return 1;
    let n = 0;
    for (const x of next) n += pointsIn(x, path.slice(1));
    return n;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 1;
  for (const kind of ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary']) {
    const data = (v as Record<string, unknown>)[kind];
    if (data) return itemsIn(data, ['dataPoints']);
  }
  return 1;
}

/**
 * A sum's or a histogram's AggregationTemporality as stored: its number, or 0 (unspecified) for a name this collector
 * does not know, with a warning naming `where` (it was stored as -1); a value of the wrong type is a 400.
 */
function temporalityOf(v: unknown, where: string, ctx: ValueContext): number {
  const t = enumNumber(v, TEMPORALITY, where);
  if (t >= 0 || typeof v !== 'string' || /^-?\d+$/.test(v)) return t;
  ctx.report.warn(WARN_UNKNOWN_TEMPORALITY, where);
  return 0;
}

/** Data points of the metrics of one scope, whatever their kind (each becomes a row). */
function countPoints(metrics: unknown[]): number {
  let n = 0;
  for (const m of metrics) {
    if (!m || typeof m !== 'object' || m === REFUSED_ITEM) continue;
    for (const kind of ['sum', 'gauge', 'histogram'] as const) {
      const data = (m as Record<string, unknown>)[kind] as { dataPoints?: unknown } | undefined;
      if (data && Array.isArray(data.dataPoints)) n += data.dataPoints.length;
    }
  }
  return n;
}
