/**
 * Run boundaries of integrations that lose trace context (pure). When an integration exports every
 * call as its own trace (zero-code instrumentation of a script, an iPaaS runtime), one run is several
 * traces; these are put back together here:
 * - traces carrying the same `integration.run.id` are one run, whatever their timing;
 * - otherwise the pieces of one service instance (`service.instance.id`, else `k8s.pod.uid`, else `container.id`, else
 *   `host.id`/`host.name` + `process.pid`, else the host alone; migration 090) of one integration are paired by time: each write is paired with the reads of
 *   that instance made since the previous write (and ended at most `gapMs` before it started), or,
 *   with none in between, with the previous write's reads (read A, write B, write C); a read no write
 *   follows is a read-only run (once `gapMs` more has passed since it arrived: a slow write may still
 *   come), a write with no read before it a write-only run — exactly the shapes a propagated trace gives.
 * Unit keys depend only on the traces, so the same pieces always give the same units.
 */

/** One trace of one integration that is a piece of a run. Endpoint keys are the five endpoint columns joined by U+001F. */
export interface FragmentTrace {
  traceId: string;
  integration: string;
  service: string;
  /** `service.instance.id`, else the pod, the container, host + pid or the host (migration 090); '' when the resource says none. */
  instance: string;
  /** `integration.run.id`, '' when absent. */
  runId: string;
  domains: string[];
  reads: string[];
  writes: string[];
  /** Its write endpoints whose last write failed. */
  failedWrites: string[];
  errors: number;
  /** Whether the piece failed as a run would: its root wrapper span or its last-ending span failed (pairing-job.ts). */
  failed: boolean;
  /** Records its spans reported, by the direction of each span (each span once). */
  records: RecordsByDirection;
  /** Records its write spans reported, per write endpoint: [endpoint key, records]. */
  targetRecords: [string, number][];
  /** Its write endpoints in the order of their last write (empty when stored before migration 089). */
  writeOrder: string[];
  startMs: number;
  endMs: number;
  /** When its last span arrived (epoch ms): the later of its spans' and its touch sets' stamps. */
  arrivedMs: number;
  /**
   * When its spans last arrived (epoch ms; weft_trace_spans' stamp, which the touch sets' may follow by seconds): a
   * run that leaves the piece waiting reads it again from before this. Absent: `arrivedMs`.
   */
  spansArrivedMs?: number;
  /** Its start by Weft's clock (epoch ms; its sender's clock offset taken out, pairing-job.ts). Absent: `startMs`. */
  placedMs?: number;
  spans?: number;
}

/**
 * Records (`integration.records`) a run's spans that did not fail reported (a failed span moved none: migration 087),
 * summed by the direction of each span's primary touch:
 * `written` by its writes, `read` by its reads, `own` by the rest (the integration's root span, calls of no known
 * direction). Each span is counted once, however often it was exported.
 */
export interface RecordsByDirection {
  written: number;
  own: number;
  read: number;
}

/**
 * The records a run moved: what its writes report; where no write reports a count, what its own spans do; where
 * none does, what its reads do. Summing every span counted a sync that reads 5 records and writes them as 10.
 * `runRecordsSql` is the same rule in SQL (pairing-job.ts, for runs of one trace).
 */
export function runRecords(r: RecordsByDirection): number {
  return r.written > 0 ? r.written : r.own > 0 ? r.own : r.read;
}

/** `runRecords` as a ClickHouse expression over three UInt64 expressions (trusted SQL, never client input). */
export function runRecordsSql(written: string, own: string, read: string): string {
  return `multiIf(${written} > 0, ${written}, ${own} > 0, ${own}, ${read})`;
}

/**
 * What a run whose writes reported records carries on an edge to a target whose writes reported none (migration 088):
 * its own spans' count, else its reads' (`runRecords` without its writes; 0 when neither reports: nothing is known of
 * it). A run whose ERP client reports 5 and whose billing client reports nothing, its root span saying 7, shows 5 and
 * 7, not 5 and 0. 0 when no write reported a count: the run's records are then the same on every edge.
 */
export function recordsFallback(r: RecordsByDirection): number {
  return r.written === 0 ? 0 : r.own > 0 ? r.own : r.read;
}

/** `recordsFallback` as a ClickHouse expression over three UInt64 expressions (trusted SQL, never client input). */
export function recordsFallbackSql(written: string, own: string, read: string): string {
  return `if(${written} = 0, 0, if(${own} > 0, ${own}, ${read}))`;
}

/** A unit paired earlier, as the ledger keeps it. */
export interface LedgerUnit {
  unit: string;
  grp: string;
  traces: string[];
  startMs: number;
  endMs: number;
}

/** One run: what it read and wrote, counted once. */
export interface PairingUnit {
  unit: string;
  grp: string;
  integration: string;
  service: string;
  domain: string;
  reads: string[];
  writes: string[];
  /** The targets whose last write in the run failed (the edges the run failed on, pairing-job.ts). */
  failedWrites: string[];
  errors: number;
  /** Whether the run failed: the piece that ended last failed (a failed call handled by a later one does not fail the run). */
  failed: boolean;
  records: number;
  /**
   * The records its writes reported per write endpoint, [endpoint key, records] sorted by key (0: that endpoint's writes
   * reported none), when its records are its writes' (`runRecords`); empty when they are its own or its reads' (then
   * every edge of it carries `records`), or when a piece does not know its endpoints' records (stored before 088).
   */
  targetRecords: [string, number][];
  /** What an edge to a target whose writes reported none carries (`recordsFallback`). */
  recordsFallback: number;
  /** Its write endpoints in the order of their last write: the last one decides its failure on a target system. */
  writeOrder: string[];
  startMs: number;
  endMs: number;
  /** How long it ran (ms): the largest spread of one service instance's pieces (one clock each). */
  latencyMs: number;
  /** When Weft received its newest span (epoch ms, Weft's clock, not the writers'): the last of its pieces' arrivals. */
  arrivedMs: number;
  /** Its start by Weft's clock (epoch ms): the earliest of its pieces' (`FragmentTrace.placedMs`); its minute's. */
  placedMs?: number;
  /** Its traces, sorted; the first is the sample trace. */
  traces: string[];
}

/** The group a piece belongs to: its explicit run, else its integration's service instance. */
export function groupKey(f: Pick<FragmentTrace, 'integration' | 'service' | 'instance' | 'runId'>): string {
  return f.runId ? `run:${f.integration}\u001f${f.runId}` : `inst:${f.integration}\u001f${f.service}\u001f${f.instance}`;
}

/** The host of an endpoint key (kind, system, host, name, peer joined by U+001F); the whole key when it has none. */
const hostOf = (key: string) => key.split('\u001f')[2] || key;

/**
 * The resource an endpoint key (kind, system, host, name, peer joined by U+001F) writes: its kind, system and name,
 * whatever its host and peer, as a failover sees it (the same accounts written on a second ERP host).
 */
const resourceOf = (key: string) => {
  const [kind, sys, , name] = key.split('\u001f');
  return [kind, sys, name].join('\u001f');
};

/** Whether two endpoint lists write the same resources (`resourceOf`), in any order. */
const sameResources = (a: string[], b: string[]) => {
  const of = (list: string[]) => [...new Set(list.map(resourceOf))].sort().join('\u0000');
  return of(a) === of(b);
};
const union = (lists: string[][]) => [...new Set(lists.flat())].sort();

/**
 * One unit of `members`: its errors counted over `counted` (each piece in one unit only), its records over `recordsFrom`
 * (`counted`, and reads an earlier unit counted when this one writes a target that one did not: `fragmentUnits`).
 */
function unitOf(
  unit: string,
  grp: string,
  members: FragmentTrace[],
  counted: FragmentTrace[],
  writes: string[][],
  recordsFrom: FragmentTrace[] = counted,
): PairingUnit {
  const head = members[0];
  const domains = union(members.map((m) => m.domains));
  const last = lastWrites(members);
  const records: RecordsByDirection = {
    written: recordsFrom.reduce((n, m) => n + m.records.written, 0),
    own: recordsFrom.reduce((n, m) => n + m.records.own, 0),
    read: recordsFrom.reduce((n, m) => n + m.records.read, 0),
  };
  return {
    unit,
    grp,
    integration: head.integration,
    service: head.service,
    domain: domains[0] ?? '',
    reads: union(members.map((m) => m.reads)),
    writes: union(writes),
    failedWrites: lastWriteFailed(last),
    writeOrder: lastWriteOrder(last, union(writes)),
    errors: counted.reduce((n, m) => n + m.errors, 0),
    failed: members.reduce((last, m) => (m.endMs > last.endMs ? m : last)).failed,
    records: runRecords(records),
    targetRecords: records.written > 0 ? reportedByTarget(recordsFrom, writes) : [],
    recordsFallback: recordsFallback(records),
    startMs: Math.min(...members.map((m) => m.startMs)),
    placedMs: Math.min(...members.map((m) => m.placedMs ?? m.startMs)),
    endMs: Math.max(...members.map((m) => m.endMs)),
    latencyMs: instanceSpread(members),
    arrivedMs: Math.max(...members.map((m) => m.arrivedMs)),
    traces: [...new Set(members.map((m) => m.traceId))].sort(),
  };
}

/**
 * What the pieces' write spans reported per write endpoint of the unit, summed ([endpoint key, records]); empty when a
 * piece that wrote does not know its endpoints' records (stored before 088), so the unit keeps its records on every edge.
 */
function reportedByTarget(pieces: FragmentTrace[], writes: string[][]): [string, number][] {
  if (pieces.some((p) => p.writes.length > 0 && p.targetRecords.length === 0)) return [];
  const sums = new Map<string, number>(union(writes).map((k) => [k, 0]));
  for (const p of pieces) for (const [k, n] of p.targetRecords) if (sums.has(k)) sums.set(k, sums.get(k)! + n);
  return [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A write endpoint's last write among a unit's pieces: the piece, its end (ms) and the endpoint's place in its `writeOrder`. */
interface LastWrite {
  piece: FragmentTrace;
  endMs: number;
  place: number;
}

/**
 * Each write endpoint's last write among `members`: by the end of the piece that wrote it, then by its place in that
 * piece's own order; at a tie of both, the piece listed first. The one rule for the unit's write order and for the
 * targets it failed on (two rules disagreed at a tie: the order named one piece last, the failure another).
 */
function lastWrites(members: FragmentTrace[]): Map<string, LastWrite> {
  const last = new Map<string, LastWrite>();
  for (const piece of members)
    for (const w of piece.writes) {
      const mark = { piece, endMs: piece.endMs, place: piece.writeOrder.indexOf(w) };
      const seen = last.get(w);
      if (!seen || mark.endMs > seen.endMs || (mark.endMs === seen.endMs && mark.place > seen.place)) last.set(w, mark);
    }
  return last;
}

/** `writes` in the order of their last write (`lastWrites`), then by key. */
function lastWriteOrder(last: Map<string, LastWrite>, writes: string[]): string[] {
  return writes
    .filter((w) => last.has(w))
    .sort((a, b) => last.get(a)!.endMs - last.get(b)!.endMs || last.get(a)!.place - last.get(b)!.place || (a < b ? -1 : 1));
}

/** The write endpoints whose last write (`lastWrites`) failed, sorted. */
function lastWriteFailed(last: Map<string, LastWrite>): string[] {
  return [...last]
    .filter(([w, l]) => l.piece.failedWrites.includes(w))
    .map(([w]) => w)
    .sort();
}

/**
 * The largest spread (ms, last end − first start) of the pieces of one service instance: the pieces of a run id may
 * come from several processes whose clocks differ, and the spread across them would measure the clocks' offset. An
 * instance is its service's: two services that send no instance attribute (both '') are two clocks.
 */
function instanceSpread(members: FragmentTrace[]): number {
  const spans = new Map<string, { lo: number; hi: number }>();
  for (const m of members) {
    const key = `${m.service}\u001f${m.instance}`;
    const s = spans.get(key);
    if (!s) spans.set(key, { lo: m.startMs, hi: m.endMs });
    else ((s.lo = Math.min(s.lo, m.startMs)), (s.hi = Math.max(s.hi, m.endMs)));
  }
  return Math.max(...[...spans.values()].map((s) => s.hi - s.lo));
}

/**
 * The units of the groups touched by `fresh` (newly settled pieces) and of `also` (groups a piece left: its root
 * arrived and it is a trace of its own now), recomputed together with `earlier` (pieces of the ledger units that may
 * be affected). Returns the units and the scope: the ledger units of those groups that the recomputation replaces
 * (retracted unless reproduced exactly).
 */
export function fragmentUnits(
  fresh: FragmentTrace[],
  earlier: FragmentTrace[],
  ledger: LedgerUnit[],
  gapMs: number,
  readOnlyBeforeMs = Number.POSITIVE_INFINITY,
  also: Iterable<string> = [],
): { units: PairingUnit[]; scope: string[]; deferred: FragmentTrace[] } {
  const byKey = new Map<string, FragmentTrace>();
  for (const f of [...earlier, ...fresh]) byKey.set(`${f.traceId}\u001f${f.integration}`, f);
  const groups = new Map<string, FragmentTrace[]>();
  for (const f of byKey.values()) {
    const g = groupKey(f);
    groups.set(g, [...(groups.get(g) ?? []), f]);
  }
  const freshGroups = new Set([...fresh.map(groupKey), ...also]);
  const units: PairingUnit[] = [];
  const deferred: FragmentTrace[] = [];
  const scope = new Set<string>();
  for (const [grp, pieces] of groups) {
    if (!freshGroups.has(grp)) continue;
    // Millisecond timestamps tie often (a write starts as its read ends): a read sorts before a write of the same start.
    pieces.sort((a, b) => a.startMs - b.startMs || a.writes.length - b.writes.length || a.traceId.localeCompare(b.traceId));
    const lo = Math.min(...pieces.map((p) => p.startMs)) - gapMs;
    const hi = Math.max(...pieces.map((p) => p.endMs)) + gapMs;
    for (const u of ledger) if (u.grp === grp && (grp.startsWith('run:') || (u.endMs >= lo && u.startMs <= hi))) scope.add(u.unit);
    if (grp.startsWith('run:')) {
      units.push(
        unitOf(
          grp,
          grp,
          pieces,
          pieces,
          pieces.map((p) => p.writes),
        ),
      );
      continue;
    }
    const reads = pieces.filter((p) => p.reads.length > 0 && p.writes.length === 0);
    const writes = pieces.filter((p) => p.writes.length > 0);
    const claimed = new Set<FragmentTrace>();
    // The hosts (else endpoints) of the writes each read's records were counted for.
    const credited = new Map<FragmentTrace, Set<string>>();
    let prev = null as { w: FragmentTrace; reads: FragmentTrace[] } | null;
    // Failed writes retried by the write after them: pieces of that write's run.
    let retried: FragmentTrace[] = [];
    for (const [i, w] of writes.entries()) {
      // The reads since the previous write (a run reads, then writes); none: the previous write's, when close (read A, write B, write C).
      const since = reads.filter(
        (r) => r.startMs <= w.startMs && w.startMs - r.endMs <= gapMs && (!prev || (r.startMs >= prev.w.startMs && !prev.reads.includes(r))),
      );
      const before: FragmentTrace[] = since.length > 0 ? since : prev && w.startMs - prev.w.endMs <= gapMs ? prev.reads : [];
      prev = { w, reads: before };
      // A failed write tried again at once — the next write, to the same resources (on the same host, or another: a
      // failover), within the gap, with no read in between — is one run with it, as a retry inside one trace is: its
      // outcome is the last attempt's on each resource, and it is one run, not two. (A read in between starts another
      // run: its failure stands.)
      const next = writes[i + 1];
      if (
        w.failed &&
        next &&
        sameResources(next.writes, w.writes) &&
        next.startMs - w.endMs <= gapMs &&
        !reads.some((r) => r.startMs > w.startMs && r.startMs <= next.startMs)
      ) {
        retried.push(w);
        continue;
      }
      const counted = [w, ...retried, ...before.filter((r) => !claimed.has(r))];
      // Reads an earlier write counted count their records again for a write to another host (read A, write B, write
      // C: A's records reach C's flow as they reach B's, as in one trace), never twice for one host: two resources of
      // one host are one system's, and its flow would count them twice.
      const recounted = before.filter((r) => claimed.has(r) && w.writes.some((k) => !credited.get(r)!.has(hostOf(k))));
      for (const r of before) {
        claimed.add(r);
        const hosts = credited.get(r) ?? new Set<string>();
        for (const k of w.writes) hosts.add(hostOf(k));
        credited.set(r, hosts);
      }
      units.push(unitOf(`w:${w.traceId}\u001f${w.integration}`, grp, [w, ...retried, ...before], counted, [w.writes], [...counted, ...recounted]));
      retried = [];
    }
    for (const r of reads) {
      if (claimed.has(r)) continue;
      // A write that follows may still be on its way (a slow call ends, and is exported, later): wait one gap more.
      if (r.arrivedMs >= readOnlyBeforeMs) deferred.push(r);
      else units.push(unitOf(`r:${r.traceId}\u001f${r.integration}`, grp, [r], [r], []));
    }
  }
  return { units, scope: [...scope], deferred };
}
