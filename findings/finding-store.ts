import { fromChTime, toChTime, type Store } from '../clickhouse/index.ts';
import type { Finding, FindingCandidate, FindingKind, FindingSink, FindingStatus, HeldVerdict, Severity, SyncResult } from '../core/contracts/index.ts';
import { severities } from '../core/contracts/index.ts';
import { ERR_FINDING_NOT_FOUND, ERR_FINDING_STATE } from './errors.ts';
import { findingId, findingToRow, rowToFinding, type FindingRow } from './finding-rows.ts';
import { holdSeverity, SEVERITY_HOLD_MS } from './severity-hold.ts';

export interface FindingFilter {
  kind?: FindingKind[];
  /** Findings at or above this severity. */
  minSeverity?: Severity;
  status?: FindingStatus[];
  /** A system, flow or domain id the finding is about. */
  subject?: string;
  limit?: number;
}

export interface FindingEvent {
  at: string;
  actor: string;
  action: 'opened' | 'reopened' | 'resolved' | 'acknowledged';
  status: FindingStatus;
  note: string;
}

export interface FindingStore extends FindingSink {
  list(filter?: FindingFilter): Promise<Finding[]>;
  get(id: string): Promise<Finding | undefined>;
  history(id: string): Promise<FindingEvent[]>;
  acknowledge(id: string, actor: string, note?: string): Promise<Finding>;
  reopen(id: string, actor: string, note?: string): Promise<Finding>;
  /**
   * The severity each candidate has as a finding at `now`, without recording anything: the one `sync` would give it
   * (`holdSeverity` against the open finding with the same id; a candidate with none keeps its own). Every reader that
   * shows a finding's severity from fresh candidates (`weft audit`, live or on a stopped Weft's store) passes them
   * through this, so it says what the findings API, the UI, `/metrics` and alerting say. Returns new candidates, in order.
   */
  settle(candidates: FindingCandidate[], now: Date): Promise<FindingCandidate[]>;
  /**
   * The open (or acknowledged) findings `held` names (detectors' "no verdict now"), as `sync` keeps them: a reader that
   * shows findings from fresh candidates (`weft audit`) adds these, so it lists what the findings API lists. Each with
   * the reason it has no verdict; held keys without such a finding give nothing.
   */
  heldOpen(held: readonly HeldVerdict[]): Promise<Array<{ finding: Finding; reason: string }>>;
}

const SYSTEM_ACTOR = 'weft';

/** Findings persisted in ClickHouse (`weft_findings`, one row per version) with their history. */
export function createFindingStore(store: Store, clock: { now(): Date } = { now: () => new Date() }, options: { severityHoldMs?: number } = {}): FindingStore {
  const { client } = store;
  // Since when a lower severity has been proposed for an open finding (severity hysteresis). Kept in
  // memory: after a restart the hold starts again, which only keeps the higher severity a little longer.
  const lowerSince = new Map<string, number>();
  // The open findings the latest sync of their kind kept for want of a verdict, and why (`Finding.noVerdict`). Kept in
  // memory like lowerSince: the next evaluation after a restart says it again.
  const heldNow = new Map<string, { kind: FindingKind; reason: string }>();
  /** `found` as readers see them: each held one with its `noVerdict`. */
  const withHolds = (found: Finding[]): Finding[] =>
    found.map((f) => {
      const held = f.status === 'resolved' ? undefined : heldNow.get(f.id);
      return held ? { ...f, noVerdict: { reason: held.reason } } : f;
    });
  const holdMs = options.severityHoldMs ?? SEVERITY_HOLD_MS;
  let lastVersion = 0;
  const nextVersion = () => {
    lastVersion = Math.max(lastVersion + 1, Date.now() * 1000);
    return lastVersion;
  };

  const select = async (where: string, params: Record<string, unknown>, limit?: number): Promise<Finding[]> => {
    const rows = await client
      .query({
        query: `SELECT * FROM weft_findings FINAL ${where ? `WHERE ${where}` : ''} ORDER BY last_seen DESC, id ${limit ? `LIMIT ${Math.floor(limit)}` : ''}`,
        query_params: params,
        format: 'JSONEachRow',
      })
      .then((r) => r.json<FindingRow>());
    return rows.map(rowToFinding);
  };

  const write = async (findings: Finding[], events: Array<{ finding_id: string } & Omit<FindingEvent, 'at'> & { at: Date }>) => {
    if (findings.length > 0) {
      await client.insert({ table: 'weft_findings', values: findings.map((f) => findingToRow(f, nextVersion())), format: 'JSONEachRow' });
    }
    if (events.length > 0) {
      await client.insert({ table: 'weft_finding_events', values: events.map((e) => ({ ...e, at: toChTime(e.at) })), format: 'JSONEachRow' });
    }
  };

  /** The severity a candidate takes at `nowMs` against `prev`, the finding with its id (the single rule: severity-hold.ts). */
  const severityFor = (prev: Finding | undefined, c: FindingCandidate, nowMs: number) =>
    prev && prev.status !== 'resolved'
      ? holdSeverity(prev.severity, c.severity, lowerSince.get(prev.id), nowMs, holdMs)
      : { severity: c.severity, lowerSince: undefined };

  const mustGet = async (id: string) => {
    const [f] = await select('id = {id:String}', { id });
    if (!f) throw ERR_FINDING_NOT_FOUND(id);
    return f;
  };

  return {
    async sync(kinds: readonly FindingKind[], candidates: FindingCandidate[], now: Date, held: readonly HeldVerdict[] = []): Promise<SyncResult> {
      const result: SyncResult = { opened: 0, updated: 0, resolved: 0, held: 0 };
      if (kinds.length === 0) return result;
      const current = await select('kind IN {kinds:Array(String)}', { kinds });
      const byId = new Map(current.map((f) => [f.id, f]));
      const seen = new Set<string>();
      const at = now.toISOString();
      const out: Finding[] = [];
      const events: Parameters<typeof write>[1] = [];
      for (const c of candidates) {
        const id = findingId(c.kind, c.key);
        if (seen.has(id)) continue;
        seen.add(id);
        const prev = byId.get(id);
        if (prev && prev.status !== 'resolved') {
          const held = severityFor(prev, c, now.getTime());
          if (held.lowerSince === undefined) lowerSince.delete(id);
          else lowerSince.set(id, held.lowerSince);
          out.push({ ...prev, ...c, severity: held.severity, id, lastSeen: at });
          result.updated++;
          continue;
        }
        out.push({
          ...c,
          id,
          status: 'open',
          firstSeen: prev?.firstSeen ?? at,
          lastSeen: at,
          resolvedAt: null,
          acknowledgedBy: null,
          acknowledgedAt: null,
          note: '',
        });
        events.push({
          finding_id: id,
          at: now,
          actor: SYSTEM_ACTOR,
          action: prev ? 'reopened' : 'opened',
          status: 'open',
          note: prev ? 'condition appeared again' : '',
        });
        result.opened++;
      }
      // No verdict now (too few runs, none at all): the open finding stays as it was, neither resolved nor seen again.
      const withheld = new Map(held.map((h) => [findingId(h.kind, h.key), h.reason]));
      for (const [id, h] of heldNow) if (kinds.includes(h.kind)) heldNow.delete(id);
      for (const prev of current) {
        if (seen.has(prev.id) || prev.status === 'resolved' || !kinds.includes(prev.kind)) continue;
        const reason = withheld.get(prev.id);
        if (reason !== undefined) {
          heldNow.set(prev.id, { kind: prev.kind, reason });
          result.held++;
          continue;
        }
        lowerSince.delete(prev.id);
        out.push({ ...prev, status: 'resolved', resolvedAt: at });
        events.push({ finding_id: prev.id, at: now, actor: SYSTEM_ACTOR, action: 'resolved', status: 'resolved', note: 'condition cleared' });
        result.resolved++;
      }
      await write(out, events);
      return result;
    },

    async settle(candidates, now) {
      if (candidates.length === 0) return [];
      const ids = candidates.map((c) => findingId(c.kind, c.key));
      const byId = new Map((await select('id IN {ids:Array(String)}', { ids })).map((f) => [f.id, f]));
      return candidates.map((c, i) => ({ ...c, severity: severityFor(byId.get(ids[i]), c, now.getTime()).severity }));
    },

    async heldOpen(held) {
      if (held.length === 0) return [];
      const reasons = new Map(held.map((h) => [findingId(h.kind, h.key), h.reason]));
      const found = await select("id IN {ids:Array(String)} AND status != 'resolved'", { ids: [...reasons.keys()] });
      return withHolds(found).map((finding) => ({ finding, reason: reasons.get(finding.id)! }));
    },

    async list(filter: FindingFilter = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.kind?.length) {
        where.push('kind IN {kinds:Array(String)}');
        params.kinds = filter.kind;
      }
      if (filter.status?.length) {
        where.push('status IN {statuses:Array(String)}');
        params.statuses = filter.status;
      }
      if (filter.minSeverity) {
        where.push('severity IN {sev:Array(String)}');
        params.sev = severities.slice(severities.indexOf(filter.minSeverity));
      }
      if (filter.subject) {
        where.push('(has(subject_systems, {subject:String}) OR has(subject_flows, {subject:String}) OR has(subject_domains, {subject:String}))');
        params.subject = filter.subject;
      }
      const found = withHolds(await select(where.join(' AND '), params, filter.limit));
      return found.sort((a, b) => severities.indexOf(b.severity) - severities.indexOf(a.severity));
    },

    async get(id) {
      const [f] = withHolds(await select('id = {id:String}', { id }));
      return f;
    },

    async history(id) {
      const rows = await client
        .query({
          query: 'SELECT at, actor, action, status, note FROM weft_finding_events WHERE finding_id = {id:String} ORDER BY at, action',
          query_params: { id },
          format: 'JSONEachRow',
        })
        .then((r) => r.json<FindingEvent>());
      return rows.map((r) => ({ ...r, at: fromChTime(r.at) }));
    },

    async acknowledge(id, actor, note = '') {
      const f = await mustGet(id);
      if (f.status !== 'open') throw ERR_FINDING_STATE(id, f.status, 'acknowledged (only open findings can)');
      const now = clock.now();
      const next: Finding = { ...f, status: 'acknowledged', acknowledgedBy: actor, acknowledgedAt: now.toISOString(), note };
      await write([next], [{ finding_id: id, at: now, actor, action: 'acknowledged', status: 'acknowledged', note }]);
      return next;
    },

    async reopen(id, actor, note = '') {
      const f = await mustGet(id);
      if (f.status === 'open') throw ERR_FINDING_STATE(id, f.status, 'reopened (it is already open)');
      const now = clock.now();
      const next: Finding = { ...f, status: 'open', resolvedAt: null, acknowledgedBy: null, acknowledgedAt: null, note };
      await write([next], [{ finding_id: id, at: now, actor, action: 'reopened', status: 'open', note }]);
      return next;
    },
  };
}
