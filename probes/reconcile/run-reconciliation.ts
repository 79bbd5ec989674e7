import { randomUUID } from 'node:crypto';
import type { ReconcileSourceSpec, ReconcileSpec } from '../../core/catalog/index.ts';
import type { Clock } from '../../core/time/index.ts';
import { parseDuration, systemClock } from '../../core/time/index.ts';
import type { Secrets } from '../secrets.ts';
import { openSqlSource } from '../sql/open-sql-source.ts';
import type { ColumnInfo, SqlDialect, SqlQuery, SqlSource } from '../sql/sql-source.ts';
import { sqlTarget } from '../sql/sql-target.ts';
import { bisect } from './bisect.ts';
import type { ChangedSample, KeyNote, ReconcileProgress, ReconciliationRun } from './reconciliation-run.ts';
import { isFixedChar, planColumn, valueClassOf, zonedPair, type SidePlan } from './canonical.ts';
import { keyPartsOf, PART_SEPARATOR, planKey, planPart } from './row-text.ts';
import { wallClockIn, zoneNoteOf } from './time-zone.ts';
import {
  columnsFor,
  integerKeyBounds,
  integerKeyFits,
  integerKeyHasNull,
  sideQueries,
  type RowKey,
  type SideDefinition,
  type SideQueries,
} from './sql-side.ts';
import { count } from '../../core/text/index.ts';

export interface RunReconciliationOptions {
  secrets: Secrets;
  clock?: Clock;
  /** Told of each step; a returned promise is awaited before the run goes on. */
  onProgress?: (p: ReconcileProgress) => void | Promise<void>;
}

interface Side {
  spec: ReconcileSourceSpec;
  source: SqlSource;
  columns: string[];
  keys: string[];
}

const asList = (k: string | string[]): string[] => (Array.isArray(k) ? k : [k]);

/** Key texts as people read them: a composite key as a JSON array (a NULL part as null), a NULL key as NULL, others as they are; `raw`: key texts of `planKey`'s raw kind. */
const shownKey = (key: RowKey, raw = false): string => {
  if (typeof key !== 'string') return String(key);
  const parts = keyPartsOf(key, raw);
  if (parts.length > 1) return JSON.stringify(parts);
  return parts[0] ?? 'NULL';
};

/**
 * Missing and extra keys that differ only by letter case or trailing spaces: what a
 * case-insensitive or PAD SPACE collation on one side would call equal. Reported, not matched.
 * `raw`: the keys are texts of one part left unescaped (`planKey`), not split at \x1f\x03.
 */
export function keyNotesOf(missing: RowKey[], extra: RowKey[], max = 20, raw = false): KeyNote[] {
  const fold = (k: string, c: boolean, t: boolean, nfc = false) => {
    let x = nfc ? k.normalize('NFC') : k;
    if (t) x = (raw ? [x] : x.split(PART_SEPARATOR)).map((p) => p.replace(/(?<! ) +$/, '')).join(PART_SEPARATOR);
    if (c) x = x.toLowerCase();
    return x;
  };
  const notes: KeyNote[] = [];
  const used = new Set<string>();
  for (const [c, t, why] of [
    [false, true, 'trailing-space'],
    [true, false, 'case'],
    [true, true, 'case+trailing-space'],
    // "café" precomposed (NFC) against "cafe" + U+0301 (NFD), with or without case and trailing spaces besides
    [true, true, 'unicode-form'],
  ] as const) {
    const nfc = why === 'unicode-form';
    const byFold = new Map<string, string>();
    for (const k of extra.map(String)) if (!used.has(k)) byFold.set(fold(k, c, t, nfc), k);
    for (const m of missing.map(String)) {
      if (used.has(m)) continue;
      const e = byFold.get(fold(m, c, t, nfc));
      if (e === undefined || used.has(e)) continue;
      used.add(m);
      used.add(e);
      if (notes.length < max) notes.push({ left: shownKey(m, raw), right: shownKey(e, raw), why });
    }
  }
  return notes;
}

/** Whether a declared type holds JSON (PostgreSQL json and jsonb, MySQL json; MariaDB's JSON is longtext and is known by the other side's type). */
function isJsonType(declaredType: string): boolean {
  return /^jsonb?$/i.test(declaredType.trim());
}

/** Equal JSON values, whatever their key order, spacing or number notation (1.0 and 1); a text holding a run of more than 15 digits is never taken as equal (parsing rounds it). */
export function jsonEqual(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  // Parsing rounds a number of more than 15 digits (9007199254740993 reads as 9007199254740992): such values are never taken as equal.
  if (/\d[\d.]{15,}/.test(a) || /\d[\d.]{15,}/.test(b)) return false;
  let x: unknown;
  let y: unknown;
  try {
    x = JSON.parse(a);
    y = JSON.parse(b);
  } catch {
    return false;
  }
  const same = (p: unknown, q: unknown): boolean => {
    if (typeof p === 'number' || typeof q === 'number') return p === q;
    if (p === null || q === null || typeof p !== 'object' || typeof q !== 'object') return p === q;
    if (Array.isArray(p) || Array.isArray(q)) return Array.isArray(p) && Array.isArray(q) && p.length === q.length && p.every((v, i) => same(v, q[i]));
    const pk = Object.keys(p);
    const qm = new Map(Object.entries(q));
    return pk.length === qm.size && pk.every((k) => qm.has(k) && same((p as Record<string, unknown>)[k], qm.get(k)));
  };
  return same(x, y);
}

/** Of these changed keys, those whose differing columns are all JSON columns holding equal JSON. */
async function jsonEqualRows(left: SideQueries, right: SideQueries, keys: RowKey[], jsonColumns: boolean[]): Promise<Set<RowKey>> {
  const out = new Set<RowKey>();
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    const [lv, rv] = await Promise.all([left.values(part), right.values(part)]);
    for (const key of part) {
      const a = lv.get(key);
      const b = rv.get(key);
      if (!a || !b) continue;
      if (a.every((v, c) => v === b[c] || (jsonColumns[c] && jsonEqual(v, b[c])))) out.add(key);
    }
  }
  return out;
}

/** Integer key on both sides → bisect by key ranges; any other key (text, UUID, decimal, composite) → by key hash. */
function keyPlan(keyInfos: [ColumnInfo[], ColumnInfo[]], dialects: [SqlDialect, SqlDialect], zones: Array<string | undefined>) {
  const parts = planKey(
    keyInfos[0].map(
      (_, i) =>
        [
          { dialect: dialects[0], column: keyInfos[0][i], timeZone: zones[0] },
          { dialect: dialects[1], column: keyInfos[1][i], timeZone: zones[1] },
        ] as const,
    ),
  );
  const classes = keyInfos.map((infos) => infos.map((c) => valueClassOf(c.type)));
  const mode = keyInfos[0].length === 1 && classes.every((cs) => cs[0] === 'integer') ? ('integer' as const) : ('hashed' as const);
  const native = new Set(['text', 'integer', 'decimal']);
  const nativeLookup = classes.every((cs) => cs.every((c) => native.has(c)));
  // Against a CHAR key column, keys are compared without trailing spaces: a VARCHAR side cannot find "SO-1 " by "SO-1" through its index.
  const trimmed = keyInfos[0].map((_, i) => keyInfos.some((infos, side) => isFixedChar(dialects[side], infos[i].type)));
  const lookups = keyInfos.map((infos, side) => nativeLookup && infos.every((c, i) => !trimmed[i] || isFixedChar(dialects[side], c.type))) as [
    boolean,
    boolean,
  ];
  return { mode, lookups, exprs: parts.exprs, raw: parts.raw };
}

/**
 * The zones each side's SQL converts with (`zonedPair`) must be known to that database: PostgreSQL
 * rejects an unknown name; MySQL/MariaDB's CONVERT_TZ answers NULL (a server without its time zone
 * tables knows offsets only), which would read every converted value as NULL. Throws saying what to change.
 */
async function checkZones(sides: Side[], pairs: ReadonlyArray<readonly [SidePlan, SidePlan]>, timeoutMs: number, counter: { queries: number }): Promise<void> {
  const wanted = sides.map(() => new Set<string>());
  for (const [l, r] of pairs) zonedPair(l, r)?.zones.forEach((zs, side) => zs.forEach((z) => wanted[side].add(z)));
  for (const [side, s] of sides.entries()) {
    for (const zone of wanted[side]) {
      counter.queries++;
      const sql =
        s.source.dialect === 'postgres'
          ? `SELECT ${wallClockIn.postgres('now()', zone)} IS NOT NULL AS ok`
          : `SELECT ${wallClockIn.mysql("TIMESTAMP'2000-01-01 00:00:00'", zone)} IS NOT NULL AS ok`;
      const known = await s.source.query(sql, [], timeoutMs).then(
        (r) => Number(r.rows[0]?.ok) === 1 || r.rows[0]?.ok === true,
        () => false,
      );
      if (known) continue;
      const tables =
        s.source.dialect === 'mysql'
          ? ' (MySQL/MariaDB knows zone names once its time zone tables are loaded: mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb mysql)'
          : '';
      throw new Error(
        `time zone "${zone}" is not known to ${s.spec.system}'s database, which converts with it${tables}: give a zone it knows, or an offset such as +01:00`,
      );
    }
  }
}

function counted(query: SqlQuery, counter: { queries: number }): SqlQuery {
  return (sql, params) => {
    counter.queries++;
    return query(sql, params);
  };
}

/** Reclassifies the differing keys against fresh reads: writes that landed during the run are not reported as drift. */
async function recheck(left: SideQueries, right: SideQueries, keys: RowKey[]) {
  const [l, r] = await Promise.all([left.hashes(keys), right.hashes(keys)]);
  const now = { missing: [] as RowKey[], extra: [] as RowKey[], changed: [] as RowKey[] };
  const doubled = new Set([...left.duplicates, ...right.duplicates]);
  for (const key of keys) {
    const a = l.get(key);
    const b = r.get(key);
    if (a !== undefined && b === undefined) now.missing.push(key);
    else if (a === undefined && b !== undefined) now.extra.push(key);
    else if (a !== undefined && (a !== b || doubled.has(key))) now.changed.push(key);
  }
  return now;
}

/**
 * Runs one reconciliation: both sides are read inside a consistent read-only snapshot, compared by
 * checksum bisection, then the differing keys are read again to set aside writes made meanwhile.
 * Never throws: a failure is a run with status "error" and the reason (no credentials in it).
 */
export async function runReconciliation(spec: ReconcileSpec, options: RunReconciliationOptions): Promise<ReconciliationRun> {
  const clock = options.clock ?? systemClock;
  const progress = async (p: ReconcileProgress) => {
    try {
      await options.onProgress?.(p);
    } catch {
      // a failing progress listener does not stop the run
    }
  };
  const startedAt = clock.now();
  const t0 = performance.now();
  const counter = { queries: 0 };
  const sampleSize = spec.sampleKeys ?? 20;
  const run: ReconciliationRun = {
    runId: randomUUID(),
    reconcileId: spec.id,
    domain: spec.domain ?? '',
    leftSystem: spec.left.system,
    rightSystem: spec.right.system,
    startedAt,
    finishedAt: startedAt,
    status: 'ok',
    error: '',
    leftRows: 0,
    rightRows: 0,
    missing: 0,
    extra: 0,
    changed: 0,
    changedDuringRun: 0,
    sampleMissing: [],
    sampleExtra: [],
    sampleChanged: [],
    queries: 0,
    rowsDownloaded: 0,
    checksumRows: 0,
    details: { levels: 0, durationMs: 0, changedColumns: [] },
  };
  const compared = spec.columns ?? [spec.updatedAt!];
  const sides: Side[] = [];
  try {
    const timeoutMs = parseDuration(spec.timeout ?? '10m', `reconciliations.${spec.id}.timeout`);
    for (const which of ['left', 'right'] as const) {
      const s = spec[which];
      const target = { ...sqlTarget(s, options.secrets, `reconciliation ${spec.id} ${which}`), application: `weft-reconcile:${spec.id}` };
      sides.push({ spec: s, source: openSqlSource(target, 1), columns: s.columns ?? compared, keys: asList(s.key ?? spec.key) });
    }
    await progress({ phase: 'connect', message: `reading column types of ${sides.map((s) => `${s.spec.system}:${s.spec.table}`).join(' and ')}` });
    const infos = await Promise.all(
      sides.map(async (s) => {
        counter.queries++;
        const all = await s.source.columns([s.spec.table], timeoutMs);
        return { columns: columnsFor(all, s.spec.table, s.columns), keys: columnsFor(all, s.spec.table, s.keys) };
      }),
    );
    const dialects: [SqlDialect, SqlDialect] = [sides[0].source.dialect, sides[1].source.dialect];
    const zones = sides.map((s) => s.spec.timeZone);
    const pairs = compared.map(
      (_, i) =>
        [
          { dialect: dialects[0], column: infos[0].columns[i], timeZone: zones[0] },
          { dialect: dialects[1], column: infos[1].columns[i], timeZone: zones[1] },
        ] as const,
    );
    const keyPairs = infos[0].keys.map(
      (_, i) =>
        [
          { dialect: dialects[0], column: infos[0].keys[i], timeZone: zones[0] },
          { dialect: dialects[1], column: infos[1].keys[i], timeZone: zones[1] },
        ] as const,
    );
    // Key columns are read in the sides' zones as value columns are (`keyPlan`), and noted the same way when a zone is missing.
    const keyNames = asList(spec.key);
    const noted = [
      ...pairs.map((pair, i) => ({ pair, column: compared[i], role: 'value' as const })),
      ...keyPairs.map((pair, i) => ({ pair, column: keyNames[i], role: 'key' as const })),
    ];
    const columnNotes = noted.flatMap(({ pair: [l, r], column, role }) => {
      const note = zoneNoteOf(
        [
          {
            dialect: l.dialect,
            type: l.column.type,
            column: l.column.column,
            timeZone: l.timeZone,
            name: `${sides[0].spec.table}.${l.column.column}`,
            which: 'left',
          },
          {
            dialect: r.dialect,
            type: r.column.type,
            column: r.column.column,
            timeZone: r.timeZone,
            name: `${sides[1].spec.table}.${r.column.column}`,
            which: 'right',
          },
        ],
        role,
      );
      return note ? [{ column, note }] : [];
    });
    if (columnNotes.length > 0) run.details.columnNotes = columnNotes;
    await checkZones(sides, [...pairs, ...keyPairs], timeoutMs, counter);
    const plans = pairs.map(([l, r]) => planColumn(l, r));
    const parts = pairs.map(([l, r]) => planPart(l, r));
    const key = keyPlan([infos[0].keys, infos[1].keys], dialects, zones);
    const shown = (k: RowKey) => shownKey(k, key.raw);
    run.details.keyMode = key.mode;
    const defs: SideDefinition[] = sides.map((s, side) => ({
      source: s.source,
      table: s.spec.table,
      keys: s.keys,
      keyExprs: key.exprs[side],
      rawKey: key.raw,
      keyTypes: infos[side].keys.map((c) => c.type),
      mode: key.mode,
      nativeLookup: key.lookups[side],
      columns: s.columns,
      exprs: plans.map((p) => p[side]),
      parts: parts.map((p) => p[side]),
    }));
    const found = await sides[0].source.snapshot(timeoutMs, (ql) =>
      sides[1].source.snapshot(timeoutMs, async (qr) => {
        // One integer key whose values (or span) go beyond 2^53 (64-bit ids) cannot be ranges of JavaScript numbers, and a NULL key is in
        // no range (its rows were never compared): bisected by point instead.
        const nullable = infos.some((info) => info.keys[0].nullable);
        if (
          key.mode === 'integer' &&
          (!integerKeyFits(await Promise.all([integerKeyBounds(defs[0], counted(ql, counter)), integerKeyBounds(defs[1], counted(qr, counter))])) ||
            (nullable &&
              (await Promise.all([integerKeyHasNull(defs[0], counted(ql, counter)), integerKeyHasNull(defs[1], counted(qr, counter))])).some(Boolean)))
        ) {
          for (const def of defs) def.mode = 'hashed';
          run.details.keyMode = 'hashed';
        }
        const l = sideQueries(defs[0], counted(ql, counter));
        const r = sideQueries(defs[1], counted(qr, counter));
        return bisect(l, r, {
          segments: spec.segments,
          // Hashed keys: each level is a scan of the whole table (the index cannot find a hash bucket), so differing
          // buckets are downloaded sooner; integer keys: deeper levels are cheap index range scans.
          downloadBelow: spec.downloadBelow ?? (defs[0].mode === 'hashed' ? 256 : 32),
          // Hashed keys: segments holding several differences are downloaded whole while that moves under 0.5% of the rows (a level more is a scan more).
          wholeShare: defs[0].mode === 'hashed' ? 0.005 : 0,
          onLevel: (lv) =>
            progress({
              phase: 'bisect',
              level: lv.level,
              segments: lv.segments,
              differing: lv.differing,
              message: `level ${lv.level}: ${count(lv.segments, 'segment')} of ${count(lv.width, defs[0].mode === 'hashed' ? 'key point' : 'key')}, ${lv.differing} ${lv.differing === 1 ? 'differs' : 'differ'}`,
            }),
        });
      }),
    );
    Object.assign(run, { leftRows: found.leftRows, rightRows: found.rightRows, checksumRows: found.checksumRows, rowsDownloaded: found.rowsDownloaded });
    run.details.levels = found.levels;

    const keys = [...found.missing, ...found.extra, ...found.changed];
    let now = found;
    const fresh = (side: number) =>
      sideQueries(
        defs[side],
        counted((sql, params) => sides[side].source.query(sql, params ?? [], timeoutMs), counter),
      );
    if (keys.length > 0) {
      await progress({ phase: 'recheck', message: `re-reading ${count(keys.length, 'differing key')}` });
      const checked = keys.slice(0, 20_000);
      const again = await recheck(fresh(0), fresh(1), checked);
      const classOf = (r: { missing: RowKey[]; extra: RowKey[]; changed: RowKey[] }) =>
        new Map<RowKey, string>([
          ...r.missing.map((k) => [k, 'missing'] as const),
          ...r.extra.map((k) => [k, 'extra'] as const),
          ...r.changed.map((k) => [k, 'changed'] as const),
        ]);
      const before = classOf(found);
      const after = classOf(again);
      run.changedDuringRun = checked.filter((k) => before.get(k) !== after.get(k)).length;
      // Beyond the recheck bound, the snapshot's classification stands.
      for (const k of keys.slice(checked.length)) again[before.get(k) as 'missing' | 'extra' | 'changed'].push(k);
      now = { ...found, missing: again.missing, extra: again.extra, changed: again.changed };
      // JSON columns: the two databases print equal JSON differently (PostgreSQL jsonb sorts keys and spaces them; MariaDB keeps the text written).
      const jsonColumns = compared.map((_, i) => [0, 1].some((side) => isJsonType(infos[side].columns[i].type)));
      if (jsonColumns.some(Boolean) && now.changed.length > 0) {
        const same = await jsonEqualRows(fresh(0), fresh(1), now.changed.slice(0, 20_000), jsonColumns);
        if (same.size > 0) {
          now = { ...now, changed: now.changed.filter((k) => !same.has(k)) };
          run.details.jsonFormatOnly = same.size;
        }
      }
      const sampleChanged = now.changed.slice(0, Math.min(5, sampleSize));
      const [lv, rv] = await Promise.all([fresh(0).values(sampleChanged), fresh(1).values(sampleChanged)]);
      run.details.changedColumns = sampleChanged.map((key): ChangedSample => ({
        key: shown(key),
        columns: compared.map((column, i) => ({ column, left: lv.get(key)?.[i] ?? null, right: rv.get(key)?.[i] ?? null })).filter((c) => c.left !== c.right),
      }));
    }
    run.missing = now.missing.length;
    run.extra = now.extra.length;
    run.changed = now.changed.length;
    run.sampleMissing = now.missing.slice(0, sampleSize).map(shown);
    run.sampleExtra = now.extra.slice(0, sampleSize).map(shown);
    run.sampleChanged = now.changed.slice(0, sampleSize).map(shown);
    if (defs[0].mode === 'hashed') {
      const notes = keyNotesOf(now.missing, now.extra, 20, key.raw);
      // A key missing from one side that its collation takes for another key it holds: that side cannot hold both (replaying cannot add it).
      const noted = new Set(notes.map((n) => `${n.left}\x00${n.right}`));
      const [onRight, onLeft] = await Promise.all([
        fresh(1).collationTwins?.(now.missing.slice(0, sampleSize)),
        fresh(0).collationTwins?.(now.extra.slice(0, sampleSize)),
      ]);
      const twinNotes: KeyNote[] = [
        ...[...(onRight ?? [])].flatMap(([k, twins]) => twins.map((t) => ({ left: shown(k), right: shown(t), why: 'collation' as const }))),
        ...[...(onLeft ?? [])].flatMap(([k, twins]) => twins.map((t) => ({ left: shown(t), right: shown(k), why: 'collation' as const }))),
      ];
      for (const n of twinNotes) if (!noted.has(`${n.left}\x00${n.right}`) && notes.length < 20) notes.push(n);
      if (notes.length > 0) run.details.keyNotes = notes;
    }
  } catch (err) {
    run.status = 'error';
    run.error = options.secrets.redact(String((err as Error)?.message ?? err));
  } finally {
    await Promise.all(sides.map((s) => s.source.close().catch(() => undefined)));
  }
  run.queries = counter.queries;
  run.finishedAt = clock.now();
  run.details.durationMs = Math.round(performance.now() - t0);
  await progress({
    phase: 'done',
    message: run.status === 'ok' ? `${run.missing} missing, ${run.extra} extra, ${run.changed} changed` : `failed: ${run.error}`,
  });
  return run;
}
