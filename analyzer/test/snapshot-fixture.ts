import type { Catalog } from '../../core/catalog/index.ts';
import type { AttributedEdge, Snapshot } from '../model/snapshot.ts';

/** Noon of the fixture day (ISO), when `observedEdge`'s edges were first and last seen. */
export const FIXTURE_AT = '2026-01-01T12:00:00.000Z';

/**
 * An undocumented observed edge for a test: 4 traces, none failed, 10 records, no latency, first and last
 * seen at `FIXTURE_AT`, service '' ; `over` replaces any field.
 */
export function observedEdge(source: string, target: string, integration: string, over: Partial<AttributedEdge> = {}): AttributedEdge {
  return {
    source,
    target,
    integration,
    service: '',
    domain: '',
    traces: 4,
    failedTraces: 0,
    errorSpans: 0,
    records: 10,
    p50Ms: null,
    p95Ms: null,
    p99Ms: null,
    firstSeen: FIXTURE_AT,
    lastSeen: FIXTURE_AT,
    sampleTrace: '',
    sampleErrorTrace: '',
    slowestTrace: '',
    slowestMs: 0,
    flowId: null,
    mark: 'undocumented',
    effectiveDomain: '',
    ...over,
  };
}

/** A snapshot of the day 2026-01-01 (UTC), observed and paired over all of it, with nothing in it; `over` replaces any field. */
export function daySnapshot(catalog: Catalog, over: Partial<Snapshot> = {}): Snapshot {
  return {
    catalog,
    since: '2026-01-01T00:00:00.000Z',
    until: '2026-01-02T00:00:00.000Z',
    observingSince: '2026-01-01T00:00:00.000Z',
    pairedUntil: '2026-01-02T00:00:00.000Z',
    pending: { traces: 0, spans: 0 },
    edges: [],
    touches: [],
    lastSeen: [],
    systemLastSeen: {},
    ...over,
  };
}
