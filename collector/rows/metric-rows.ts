import { attributeMap, intText, type ValueContext } from '../otlp/any-value.ts';
import { resourceLimits } from '../otlp/limits.ts';
import { enumNumber, idHex, nanosText } from '../otlp/ids-and-times.ts';
import { ExpansionBudget } from './expansion.ts';
import { list, mapRowBytes, num, obj, serviceName, str } from './shape.ts';

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const TEMPORALITY = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'] as const;

export interface MetricRows {
  sum: unknown[][];
  gauge: unknown[][];
  histogram: unknown[][];
  rejected: number;
  message: string;
}

/** A point's value: `asDouble` or `asInt`, whichever is set. */
function pointValue(p: Record<string, unknown>, where: string): number {
  if (has(p, 'asInt')) return Number(intText(p.asInt));
  return num(p.asDouble, `${where}.asDouble`);
}

function exemplars(p: Record<string, unknown>, where: string, ctx: ValueContext): unknown[] {
  const ex = list(p.exemplars, `${where}.exemplars`).map((e, i) => obj(e, `${where}.exemplars[${i}]`));
  return [
    ex.map((e, i) => attributeMap(e.filteredAttributes, `${where}.exemplars[${i}].filteredAttributes`, ctx)),
    ex.map((e, i) => nanosText(e.timeUnixNano, `${where}.exemplars[${i}].timeUnixNano`)),
    ex.map((e, i) => pointValue(e, `${where}.exemplars[${i}]`)),
    ex.map((e, i) => idHex(e.spanId, 8, `${where}.exemplars[${i}].spanId`)),
    ex.map((e, i) => idHex(e.traceId, 16, `${where}.exemplars[${i}].traceId`)),
  ];
}

/**
 * Rows for otel_metrics_sum, otel_metrics_gauge and otel_metrics_histogram from an
 * ExportMetricsServiceRequest. Exponential histograms and summaries are not stored: their points
 * are counted as rejected and named in the partial_success message. Attribute limits and the
 * expansion budget of `ctx` apply (resource and scope attributes are repeated in every point's row).
 */
export function metricRows(request: unknown, ctx: ValueContext): MetricRows {
  const budget = new ExpansionBudget(ctx.limits.maxExpandedBytes);
  const out: MetricRows = { sum: [], gauge: [], histogram: [], rejected: 0, message: '' };
  const reasons = new Set<string>();
  const resourceMetrics = list(obj(request, 'request').resourceMetrics, 'resourceMetrics');
  for (let r = 0; r < resourceMetrics.length; r++) {
    const rw = `resourceMetrics[${r}]`;
    const rm = obj(resourceMetrics[r], rw);
    const resource = obj(rm.resource, `${rw}.resource`);
    const resAttrs = attributeMap(resource.attributes, `${rw}.resource.attributes`, { ...ctx, limits: resourceLimits(ctx.limits) });
    const resSchema = str(rm.schemaUrl, `${rw}.schemaUrl`);
    const service = serviceName(resAttrs, ctx.report, `${rw}.resource.attributes`);
    const scopeMetrics = list(rm.scopeMetrics, `${rw}.scopeMetrics`);
    for (let s = 0; s < scopeMetrics.length; s++) {
      const sw = `${rw}.scopeMetrics[${s}]`;
      const sm = obj(scopeMetrics[s], sw);
      const scope = obj(sm.scope, `${sw}.scope`);
      const scopeAttrs = attributeMap(scope.attributes, `${sw}.scope.attributes`, ctx);
      const head = [
        resAttrs,
        resSchema,
        str(scope.name, `${sw}.scope.name`),
        str(scope.version, `${sw}.scope.version`),
        scopeAttrs,
        num(scope.droppedAttributesCount, `${sw}.scope.droppedAttributesCount`),
        str(sm.schemaUrl, `${sw}.schemaUrl`),
        service,
      ];
      const metrics = list(sm.metrics, `${sw}.metrics`);
      budget.charge(countPoints(metrics), mapRowBytes(resAttrs) + mapRowBytes(scopeAttrs) + Buffer.byteLength(service), `${sw} (resource and scope)`);
      for (let m = 0; m < metrics.length; m++) {
        const mw = `${sw}.metrics[${m}]`;
        const metric = obj(metrics[m], mw);
        const named = [...head, str(metric.name, `${mw}.name`), str(metric.description, `${mw}.description`), str(metric.unit, `${mw}.unit`)];
        const point = (p: Record<string, unknown>, pw: string) => [
          ...named,
          attributeMap(p.attributes, `${pw}.attributes`, ctx),
          nanosText(p.startTimeUnixNano, `${pw}.startTimeUnixNano`),
          nanosText(p.timeUnixNano, `${pw}.timeUnixNano`),
        ];
        if (metric.sum) {
          const sum = obj(metric.sum, `${mw}.sum`);
          const temporality = enumNumber(sum.aggregationTemporality, TEMPORALITY, `${mw}.sum.aggregationTemporality`);
          list(sum.dataPoints, `${mw}.sum.dataPoints`).forEach((dp, i) => {
            const pw = `${mw}.sum.dataPoints[${i}]`;
            const p = obj(dp, pw);
            out.sum.push([...point(p, pw), pointValue(p, pw), num(p.flags, `${pw}.flags`), ...exemplars(p, pw, ctx), temporality, Boolean(sum.isMonotonic)]);
          });
        } else if (metric.gauge) {
          const gauge = obj(metric.gauge, `${mw}.gauge`);
          list(gauge.dataPoints, `${mw}.gauge.dataPoints`).forEach((dp, i) => {
            const pw = `${mw}.gauge.dataPoints[${i}]`;
            const p = obj(dp, pw);
            out.gauge.push([...point(p, pw), pointValue(p, pw), num(p.flags, `${pw}.flags`), ...exemplars(p, pw, ctx)]);
          });
        } else if (metric.histogram) {
          const h = obj(metric.histogram, `${mw}.histogram`);
          const temporality = enumNumber(h.aggregationTemporality, TEMPORALITY, `${mw}.histogram.aggregationTemporality`);
          list(h.dataPoints, `${mw}.histogram.dataPoints`).forEach((dp, i) => {
            const pw = `${mw}.histogram.dataPoints[${i}]`;
            const p = obj(dp, pw);
            out.histogram.push([
              ...point(p, pw),
              intText(p.count ?? 0),
              has(p, 'sum') ? num(p.sum, `${pw}.sum`) : 0,
              list(p.bucketCounts, `${pw}.bucketCounts`).map((c) => intText(c)),
              list(p.explicitBounds, `${pw}.explicitBounds`).map((b, j) => num(b, `${pw}.explicitBounds[${j}]`)),
              ...exemplars(p, pw, ctx),
              num(p.flags, `${pw}.flags`),
              has(p, 'min') ? num(p.min, `${pw}.min`) : 0,
              has(p, 'max') ? num(p.max, `${pw}.max`) : 0,
              temporality,
            ]);
          });
        } else {
          const kind = metric.exponentialHistogram ? 'exponentialHistogram' : metric.summary ? 'summary' : '';
          if (!kind) {
            out.rejected++;
            reasons.add(`metric ${JSON.stringify(metric.name ?? '')} has no data`);
            continue;
          }
          const points = list(obj(metric[kind], `${mw}.${kind}`).dataPoints, `${mw}.${kind}.dataPoints`).length;
          out.rejected += points;
          reasons.add(`${kind} metrics are not stored (only sum, gauge and histogram)`);
        }
      }
    }
  }
  out.message = [...reasons, ctx.report.message].filter(Boolean).join('; ');
  return out;
}

/** Data points of the metrics of one scope, whatever their kind (each becomes a row). */
function countPoints(metrics: unknown[]): number {
  let n = 0;
  for (const m of metrics) {
    if (!m || typeof m !== 'object') continue;
    for (const kind of ['sum', 'gauge', 'histogram'] as const) {
      const data = (m as Record<string, unknown>)[kind] as { dataPoints?: unknown } | undefined;
      if (data && Array.isArray(data.dataPoints)) n += data.dataPoints.length;
    }
  }
  return n;
}
