/**
 * Cutting one trace into the runs it holds (pure). A trace whose root span never arrived is a trace context the
 * integration was handed from outside: usually one run, but a job started with the same context every time (a
 * constant `TRACEPARENT` in a CronJob's environment, a worker continuing one long-lived trace) puts every run in one
 * trace, which was then paired as one run lasting from the first run's start to the last one's end, holding the
 * records of all, failed when the latest failed.
 *
 * Two spans of such a trace are in one run when they are connected by a chain of spans each of which, with the next:
 * - ran on one service instance (one clock) less than `gapMs` apart: the later one started less than `gapMs` after
 *   every earlier span of that instance had ended (a span around the run joins all it encloses); or
 * - arrived less than `gapMs` apart (Weft's clock, whatever the writers' say: a reader whose clock is three minutes
 *   behind its writer's, whose spans were exported together, is one run), each span when it first arrived; spans of two
 *   clocks (two services, or two instances), less than `gapMs` + `spreadMs` apart: each process exports on its own timer
 *   (the SDK's batch every 5 s, a gateway's queue, an exporter's retry), so the spans of one moment from two processes
 *   arrive seconds apart, and a dispatcher's read and its worker's write exported 3 s apart were two half-runs (crm →
 *   integration and integration → erp) under a 1 s gap; or
 * - ran on two clocks both known (`SegmentSpan.shiftMs`: their senders' offsets from Weft's), less than `gapMs` +
 *   `spreadMs` apart once each is moved by its offset: the later one started that close after the latest end of the
 *   other clock's spans so far, however late either was exported.
 * And a span is in the run of its parent, and of the spans it links to, when that span arrived: a consumer is in the
 * run of the producer whose message it processes (the message carried the producer span's context, as its parent or as
 * a link: OpenTelemetry's messaging conventions link a consumer's span to the message's creation context), however
 * long the message waited and whichever instance took it (a link joins only to a span that published a message, and
 * of several runs linked, to the latest only: a batch consumer). A context reused by many runs is a parent that never
 * arrived: it joins none. Last, a run that took messages from a destination it did not publish to itself, with neither
 * parent nor link to the publisher, is in the latest earlier run of the trace that published there (one integration's
 * consumer draining, minutes later on another instance, what its producer published under a context handed in), unless
 * the same integration took from there in that run or since (it drained what was published; this drain took what came
 * from elsewhere): a new run of a CronJob publishes what it consumes, or consumes what another integration published
 * in its own trace.
 * Runs ten minutes apart, on one instance or on a new pod each, are apart by all three. `gapMs` is `--run-gap`: the gap the
 * run boundaries of integrations that lose trace context use (run-boundaries.ts), so a trace and its pieces are cut
 * alike.
 */

import { groupBy } from '../../core/collections/index.ts';

/**
 * How far apart (ms) the exports of two processes may deliver spans that ended at one moment (`traceSegments`'s
 * `spreadMs` by default): the SDK's batch delay (5 s) and its export timeout (10 s). The pairing waits as long for the
 * other processes' spans of a complete trace (COMPLETE_GRACE_MS, pairing-job.ts).
 */
export const EXPORT_SPREAD_MS = 15_000;

/** One stored row of a span (a re-exported span has several: they are one span). Times are epoch ms. */
export interface SegmentSpan {
  spanId: string;
  /** Its service (`service.name`; absent: not known). With `instance`, its clock. */
  service?: string;
  /** Its service instance (pairing-job.ts's `instance`; '' when its resource says none: one clock for all such of its service). */
  instance: string;
  startMs: number;
  endMs: number;
  /** When Weft stored it (epoch ms, the store's clock). */
  arrivedMs: number;
  /**
   * What its clock's times are moved by to be Weft's (ms; its sender's offset and shortest export delay, sender-offsets.ts's
   * `senderPlacingExpr`), when its sender's clock is known; absent or null: not known.
   */
  shiftMs?: number | null;
  /** Its parent span's id ('' or absent for none, or when not known). */
  parentId?: string;
  /** Ids of the spans of this trace it links to (OTLP `Span.links`; links to other traces are left out). */
  linkedIds?: readonly string[];
  /** Messaging destinations it published to (any stable key naming one destination: system and name). */
  publishes?: readonly string[];
  /** Messaging destinations it took messages from (keys as `publishes`). */
  consumes?: readonly string[];
  /** The integration it belongs to (a touch set's `integration`; '' or absent when not known): tells its consumers apart. */
  integration?: string;
}

/**
 * The runs of one trace: per span id, the first arrival (epoch ms) of the run it belongs to, which names the run (two
 * runs never share one: spans stored within `gapMs` of each other are one run). One value for every span when nothing
 * separates them, and always when `gapMs` is 0 or less. `spreadMs` (≥ 0; default EXPORT_SPREAD_MS): how much further
 * apart than `gapMs` the spans of two clocks may arrive and be one run. An empty list gives an empty map. Throws nothing.
 */
export function traceSegments(spans: readonly SegmentSpan[], gapMs: number, spreadMs = EXPORT_SPREAD_MS): Map<string, number> {
  const ids = [...new Set(spans.map((s) => s.spanId))];
  const index = new Map(ids.map((id, i) => [id, i]));
  const parent = ids.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const join = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  /** Joins each span (sorted by `key`) to the one before while its key is within the gap of the largest `reach` so far. */
  const chain = (rows: readonly SegmentSpan[], key: (s: SegmentSpan) => number, reach: (s: SegmentSpan) => number) => {
    let until = -Infinity;
    let last = -1;
    for (const s of [...rows].sort((a, b) => key(a) - key(b))) {
      const i = index.get(s.spanId)!;
      if (last >= 0 && (gapMs <= 0 || key(s) - until < gapMs)) join(last, i);
      until = Math.max(until, reach(s));
      last = i;
    }
  };
  // One clock at a time: an instance's spans by start, each within the gap of the latest end so far. An instance is its
  // service's: two services that send no instance attribute are two clocks.
  const clockOf = (s: SegmentSpan) => `${s.service ?? ''}\u001f${s.instance}`;
  for (const rows of groupBy(spans, clockOf).values())
    chain(
      rows,
      (s) => s.startMs,
      (s) => s.endMs,
    );
  // Weft's clock: spans stored close together, each when it was first stored. A span stored again later (an exporter's
  // retry, a gateway re-sending its queue) is the span it was: the runs of one batch sent again were joined into one.
  const firstRows = new Map<string, SegmentSpan>();
  for (const s of spans) if (s.arrivedMs < (firstRows.get(s.spanId)?.arrivedMs ?? Infinity)) firstRows.set(s.spanId, s);
  chain(
    [...firstRows.values()],
    (s) => s.arrivedMs,
    (s) => s.arrivedMs,
  );
  // Two processes export on two timers: a span joins the latest span of each other clock that arrived less than the gap
  // and the spread before it (clocks whose latest span is further back are dropped: arrivals only grow).
  const latest = new Map<string, SegmentSpan>();
  for (const s of [...firstRows.values()].sort((a, b) => a.arrivedMs - b.arrivedMs)) {
    for (const [clock, x] of latest) {
      if (s.arrivedMs - x.arrivedMs >= gapMs + Math.max(0, spreadMs)) latest.delete(clock);
      else if (clock !== clockOf(s)) join(index.get(x.spanId)!, index.get(s.spanId)!);
    }
    latest.set(clockOf(s), s);
  }
  // Weft's clock from the senders' own, where they are known: a span joins the span of each other clock that ended
  // latest before it started, both moved by their clocks' offsets, when it started less than the gap and the spread
  // after that end (each offset holds an export delay). A worker whose spans a gateway's queue held for minutes, its
  // clock behind, stays in the run of its dispatcher; a clock not known is not placed (a later run cannot be told from a
  // late export).
  const placed = spans.filter((s) => s.shiftMs !== undefined && s.shiftMs !== null);
  const ends = new Map<string, SegmentSpan>();
  const at = (s: SegmentSpan, t: number) => t + (s.shiftMs ?? 0);
  for (const s of placed.sort((a, b) => at(a, a.startMs) - at(b, b.startMs))) {
    // Clocks whose latest end is further back are dropped: starts only grow.
    for (const [clock, x] of ends) {
      if (at(s, s.startMs) - at(x, x.endMs) >= gapMs + Math.max(0, spreadMs)) ends.delete(clock);
      else if (clock !== clockOf(s)) join(index.get(x.spanId)!, index.get(s.spanId)!);
    }
    const last = ends.get(clockOf(s));
    if (!last || at(s, s.endMs) > at(last, last.endMs)) ends.set(clockOf(s), s);
  }
  // A span and its parent, when it arrived.
  for (const s of spans) {
    const p = s.parentId ? index.get(s.parentId) : undefined;
    if (p !== undefined) join(p, index.get(s.spanId)!);
  }
  joinLinks(spans, index, find, join);
  joinConsumersToPublishers(spans, index, find, join);
  const first = new Map<number, number>();
  for (const s of spans) {
    const root = find(index.get(s.spanId)!);
    first.set(root, Math.min(first.get(root) ?? Infinity, s.arrivedMs));
  }
  return new Map(ids.map((id, i) => [id, first.get(find(i))!]));
}

/**
 * Joins each span to the run of the spans it links to that arrived and published to a messaging destination (a link to
 * the message's creation context, as OpenTelemetry's messaging conventions make it; a link to any other span, such as
 * a poll linking the previous poll, joins nothing); when they are in several runs, to the one of them that arrived last
 * only (a batch consumer linking the messages of several producer runs is in the latest, as a consumer draining several
 * runs' messages is: the producer runs stay runs of their own). Runs are taken as they are before any link is followed.
 */
function joinLinks(spans: readonly SegmentSpan[], index: ReadonlyMap<string, number>, find: (i: number) => number, join: (a: number, b: number) => void): void {
  if (!spans.some((s) => (s.linkedIds?.length ?? 0) > 0)) return;
  const first = new Map<number, number>();
  for (const s of spans) {
    const root = find(index.get(s.spanId)!);
    first.set(root, Math.min(first.get(root) ?? Infinity, s.arrivedMs));
  }
  const published = new Set(spans.filter((s) => (s.publishes?.length ?? 0) > 0).map((s) => s.spanId));
  const joins: [number, number][] = [];
  for (const s of spans) {
    const own = find(index.get(s.spanId)!);
    const linked = new Set((s.linkedIds ?? []).flatMap((id) => (published.has(id) ? [find(index.get(id)!)] : [])));
    if (linked.size === 0 || linked.has(own)) continue;
    const latest = [...linked].reduce((a, b) => (first.get(b)! > first.get(a)! || (first.get(b) === first.get(a) && b > a) ? b : a));
    joins.push([latest, own]);
  }
  for (const [a, b] of joins) join(a, b);
}

/**
 * Joins each run (a set of `find`) that consumed from a destination it did not publish to itself to the run before it
 * (by first arrival) that last published there, runs taken in the order they first arrived, so that a chain producer →
 * consumer → its consumer ends in one run; but not when that run, or a run between the two, took from the destination
 * by the same integration (keys of `SegmentSpan.integration`): that earlier drain took what was published, and this
 * run took what came from elsewhere (a destination fed by other traces too, a CronJob putting a message back for its
 * next run). Another integration's consumer of the destination (a second consumer group) still joins the publisher.
 */
function joinConsumersToPublishers(
  spans: readonly SegmentSpan[],
  index: ReadonlyMap<string, number>,
  find: (i: number) => number,
  join: (a: number, b: number) => void,
): void {
  if (!spans.some((s) => (s.consumes?.length ?? 0) > 0)) return;
  /** Per run: its first arrival, the destinations it published to, and per destination it took from, by which integrations. */
  const runs = new Map<number, { first: number; publishes: Set<string>; consumes: Map<string, Set<string>> }>();
  for (const s of spans) {
    const root = find(index.get(s.spanId)!);
    const run = runs.get(root) ?? { first: Infinity, publishes: new Set<string>(), consumes: new Map<string, Set<string>>() };
    run.first = Math.min(run.first, s.arrivedMs);
    for (const d of s.publishes ?? []) run.publishes.add(d);
    for (const d of s.consumes ?? []) {
      const by = run.consumes.get(d) ?? run.consumes.set(d, new Set<string>()).get(d)!;
      by.add(s.integration ?? '');
    }
    runs.set(root, run);
  }
  const ordered = [...runs].sort((a, b) => a[1].first - b[1].first || a[0] - b[0]);
  for (let i = 1; i < ordered.length; i++) {
    const [root, run] = ordered[i];
    for (const [d, by] of run.consumes) {
      if (run.publishes.has(d)) continue;
      for (let j = i - 1; j >= 0; j--) {
        const earlier = ordered[j][1];
        if ([...by].some((integration) => earlier.consumes.get(d)?.has(integration))) break;
        if (!earlier.publishes.has(d)) continue;
        join(ordered[j][0], root);
        break;
      }
    }
  }
}
