import type { Store } from '../clickhouse/index.ts';
import { checkReplacement, type Catalog, type CatalogProblem } from '../core/catalog/index.ts';
import type { WeftConfig } from '../core/config/index.ts';
import type { SyncResult } from '../core/contracts/index.ts';
import type { Logger } from '../core/log/logger.ts';
import { minuteWindow, systemClock, type Clock } from '../core/time/index.ts';
import { analyzerKinds, detectAll } from './detectors/index.ts';
import { unseenHeld } from './detectors/unwatched-window.ts';
import { createFindingStore, type FindingStore } from '../findings/index.ts';
import { runPairing, type PairingResult } from './flows/pairing-job.ts';
import { AWAITING_PARENT_MAX_MS } from './flows/awaiting-parent.ts';
import { buildGraph, type Graph } from './graph/build-graph.ts';
import { buildInventory, type Inventory } from './inventory/build-inventory.ts';
import { detectionSnapshot, snapshotEdges, takeSnapshot } from './model/take-snapshot.ts';
import type { AttributedEdge, Snapshot } from './model/snapshot.ts';
import { count } from '../core/text/index.ts';

/** Between evaluations, pairing alone runs this often (ms): a complete new trace shows as a flow within about this long. */
export const FIRST_SIGHT_MS = 5_000;

/** How long a trace may still receive spans before it is paired, when the config does not say (ms). */
export const DEFAULT_LATE_MS = 120_000;

export interface AnalyzerOptions {
  store: Store;
  catalog: Catalog;
  logger: Logger;
  config: WeftConfig['analyzer'];
  clock?: Clock;
  /** The warnings `catalog` was read with (rules that can never match, an empty file); none when absent. */
  catalogWarnings?: CatalogProblem[];
  /**
   * Re-reads the catalog (from its files) for `reloadCatalog()` without an argument, with its warnings.
   * Throws ERR_CATALOG (every problem) when the files are invalid; the catalog in use is kept then.
   */
  loadCatalog?: () => { catalog: Catalog; warnings: CatalogProblem[] };
  /** The finding store shared with the probes (the composition root builds one); a new one over `store` when absent. */
  findings?: FindingStore;
  /** Start the periodic loop (default true). */
  schedule?: boolean;
  /** Run the pairing job (default true). A process that only serves the API leaves it to the analyzer process. */
  pairing?: boolean;
  /** Told after every pairing run (from an evaluation or on its own), e.g. so alerting evaluates the new edges at once. Must not throw. */
  onPairing?: (result: PairingResult) => void;
}

export interface RunResult {
  at: string;
  pairing: PairingResult | null;
  findings: SyncResult | null;
  candidates: number;
  errors: string[];
}

export interface Analyzer {
  findings: FindingStore;
  catalog(): Catalog;
  /** The warnings the catalog in use was read with (file:line, as `weft catalog validate` prints them). */
  catalogWarnings(): CatalogProblem[];
  /**
   * Swaps in `catalog` (or re-reads the files through `loadCatalog`) and evaluates at once. `beforeUse` is awaited with
   * the new catalog before it is used: storing it as a catalog version there (reports/) makes the lifecycle changes it
   * brings known to that first evaluation (`queryLifecycleSince`), which otherwise took a flow just retired as retired
   * all along and opened a deprecated-in-use finding for its earlier runs, resolved by the next evaluation.
   * Throws ERR_CATALOG when the files are invalid, or declare nothing while the catalog in use declares something
   * (`checkReplacement`); the catalog in use is kept then.
   */
  reloadCatalog(catalog?: Catalog, beforeUse?: (catalog: Catalog) => Promise<void>): Promise<RunResult>;
  runNow(): Promise<RunResult>;
  /**
   * The rollups read over the whole minutes of [until − sinceMs, until] (`minuteWindow` as a look-back: its
   * length in minutes, ending with the minute holding `until`; default the analyzer window, ending now), the
   * window the snapshot states. A call for the minutes of a read still under way (with the same catalog) gets
   * that read's snapshot, the same object: callers read it and never change it.
   */
  snapshot(sinceMs?: number, until?: Date): Promise<Snapshot>;
  /**
   * The `edges` of `snapshot(sinceMs, until)` (the same window and catalog), read alone: two statements, where a
   * whole snapshot takes about ten. For a caller that looks at the flows' edges only.
   */
  edges(sinceMs?: number, until?: Date): Promise<AttributedEdge[]>;
  graph(sinceMs?: number): Promise<Graph>;
  inventory(sinceMs?: number): Promise<Inventory>;
  lastRun(): RunResult | null;
  stop(): Promise<void>;
}

/**
 * Evaluates flows and findings every `intervalMs`: pairs sealed traces into edges, reads the
 * rollups over the window, syncs the analyzer's finding kinds. Never overlaps itself and never
 * throws out of its loop: a failed step is logged and returned in `errors`.
 */
export function startAnalyzer(options: AnalyzerOptions): Analyzer {
  const { store, logger, config } = options;
  const clock = options.clock ?? systemClock;
  const lateMs = config.lateMs ?? DEFAULT_LATE_MS;
  // A call that may be a transport is not an unknown system until its parent arrives, for as long as a late span is waited for.
  const awaitParentMs = Math.min(lateMs, AWAITING_PARENT_MAX_MS);
  const findings = options.findings ?? createFindingStore(store, clock);
  let catalog = options.catalog;
  /** When `reloadCatalog` last replaced the catalog with one that differs (ISO, the analyzer's clock): a change the findings are judged by at once. */
  let reloadedAt: string | undefined;
  let warnings = options.catalogWarnings ?? [];
  let running: Promise<RunResult> | null = null;
  let last: RunResult | null = null;
  let timer: NodeJS.Timeout | null = null;
  let pairTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  // Pairing runs one at a time: from each evaluation, and on its own every FIRST_SIGHT_MS between them,
  // so a new flow shows in the graph and inventory (read at request time) soon after its trace arrives.
  let pairingChain: Promise<unknown> = Promise.resolve();
  // What the first-sight runs between two analyses paired: said with the next analysis's line.
  const between = { runs: 0, paired: 0, retracted: 0 };
  const pair = (now: Date, quiet: boolean): Promise<PairingResult> => {
    const run = pairingChain.then(() => runPairing(store, now, lateMs, { runGapMs: config.runGapMs, completeGraceMs: config.completeGraceMs }));
    pairingChain = run.catch(() => undefined);
    return run.then((p) => {
      // Never a silent drop: each analysis says what was paired since the last one (its own run and the first-sight
      // runs between), what waits and what could not be placed; a first-sight run says it only when it could not place
      // a trace (every 5 s, its lines were most of what a running Weft printed).
      const paired = quiet ? p.paired : p.paired + between.paired;
      const retracted = quiet ? p.retracted : p.retracted + between.retracted;
      // An analysis with nothing paired, waiting or unplaced says so at debug too.
      const idle = paired === 0 && retracted === 0 && p.pending.traces === 0;
      const level = (quiet || idle) && p.unplaced.traces === 0 ? 'debug' : 'info';
      const since = !quiet && between.runs > 0 ? ` (${count(between.runs + 1, 'run')} since the last analysis)` : '';
      logger[level](
        { part: 'analyzer', paired, retracted, runs: quiet ? 1 : between.runs + 1, pending: p.pending, unplaced: p.unplaced, settledBefore: p.settledBefore },
        `pairing: ${count(paired, 'unit')} paired, ${retracted} re-paired${since}, ${count(p.pending.traces, 'trace')} pending, ${count(p.unplaced.traces, 'trace')} (${count(p.unplaced.spans, 'span')}) could not be placed`,
      );
      if (quiet) {
        between.runs++;
        between.paired += p.paired;
        between.retracted += p.retracted;
      } else Object.assign(between, { runs: 0, paired: 0, retracted: 0 });
      options.onPairing?.(p);
      return p;
    });
  };

  // Read over whole minutes, the rollups' grain, and stated as read: a look-back keeps its length and ends with
  // the current minute, as a flow's summary and series read theirs (minuteWindow); the minute holding a
  // mid-minute start was counted whole while the start was stated to the millisecond.
  // A window ending with the minute in progress is read now: its settled part is measured from now.
  // A read asked for while the same one is under way (the same minutes, the same catalog) shares it: the pages
  // ask for several views of one window at once (the overview its graph and flow list, the search its three
  // lists), each a snapshot of 5–8 statements. Nothing is kept once a read ends, so none is older than its request.
  const reading = new Map<string, { catalog: Catalog; read: Promise<Snapshot> }>();
  const snapshot = (sinceMs = config.windowMs, until = clock.now()): Promise<Snapshot> => {
    const w = minuteWindow(until.getTime() - sinceMs, until.getTime(), true);
    const key = `${w.since}/${w.until}`;
    const held = reading.get(key);
    if (held?.catalog === catalog) return held.read;
    const read = takeSnapshot(store, catalog, new Date(w.since), new Date(w.until), clock.now(), { awaitParentMs });
    reading.set(key, { catalog, read });
    const done = () => void (reading.get(key)?.read === read && reading.delete(key));
    read.then(done, done);
    return read;
  };

  const evaluate = async (): Promise<RunResult> => {
    const now = clock.now();
    const result: RunResult = { at: now.toISOString(), pairing: null, findings: null, candidates: 0, errors: [] };
    try {
      if (options.pairing !== false) result.pairing = await pair(now, false);
    } catch (err) {
      result.errors.push(`pairing: ${(err as Error).message}`);
    }
    try {
      const read = await detectionSnapshot(store, catalog, config.windowMs, now, { awaitParentMs });
      // A catalog this process was given since (a reload whose version was not stored first) changed then.
      const snap =
        reloadedAt !== undefined && (read.catalogStoredAt === undefined || Date.parse(read.catalogStoredAt) < Date.parse(reloadedAt))
          ? { ...read, catalogStoredAt: reloadedAt }
          : read;
      const { candidates, held } = detectAll({ snapshot: snap, now });
      // A window Weft did not watch whole (its own downtime) does not clear what it did not see again.
      held.push(...(await unseenHeld(snap, candidates, findings)));
      result.candidates = candidates.length;
      result.findings = await findings.sync(analyzerKinds, candidates, now, held);
    } catch (err) {
      result.errors.push(`findings: ${(err as Error).message}`);
    }
    for (const e of result.errors) logger.error({ part: 'analyzer' }, e);
    logger.debug({ part: 'analyzer', ...result }, 'analysis done');
    last = result;
    return result;
  };

  const runNow = (): Promise<RunResult> => {
    if (!running) running = evaluate().finally(() => (running = null));
    return running;
  };

  const tick = async () => {
    timer = null;
    if (stopped) return;
    await runNow();
    if (!stopped) timer = setTimeout(() => void tick(), config.intervalMs);
  };
  if (options.schedule !== false) timer = setTimeout(() => void tick(), 0);
  const pairTick = async () => {
    pairTimer = null;
    if (stopped) return;
    try {
      await pair(clock.now(), true);
    } catch (err) {
      logger.error({ part: 'analyzer' }, `pairing: ${(err as Error).message}`);
    }
    if (!stopped) pairTimer = setTimeout(() => void pairTick(), FIRST_SIGHT_MS);
  };
  if (options.schedule !== false && options.pairing !== false && config.intervalMs > FIRST_SIGHT_MS)
    pairTimer = setTimeout(() => void pairTick(), FIRST_SIGHT_MS);

  return {
    findings,
    catalog: () => catalog,
    catalogWarnings: () => warnings,
    async reloadCatalog(next, beforeUse) {
      const loaded = next ? { catalog: next, warnings: [] } : options.loadCatalog ? options.loadCatalog() : { catalog, warnings };
      // Files that declare nothing now (emptied by an editor saving them) do not replace a catalog that declares something.
      if (!next) checkReplacement(catalog, loaded.catalog);
      // An evaluation under way finishes with the catalog it started with, and finds the new version not yet stored.
      if (beforeUse) {
        if (running) await running;
        await beforeUse(loaded.catalog);
      }
      // Reloaded unchanged (the same files read again), it changes no verdict.
      if (JSON.stringify(loaded.catalog) !== JSON.stringify(catalog)) reloadedAt = clock.now().toISOString();
      ({ catalog, warnings } = loaded);
      if (running) await running;
      return runNow();
    },
    runNow,
    snapshot,
    edges: (sinceMs = config.windowMs, until = clock.now()) => {
      const w = minuteWindow(until.getTime() - sinceMs, until.getTime(), true);
      return snapshotEdges(store, catalog, new Date(w.since), new Date(w.until));
    },
    graph: async (sinceMs) => buildGraph(await snapshot(sinceMs)),
    inventory: async (sinceMs) => buildInventory(await snapshot(sinceMs)),
    lastRun: () => last,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (pairTimer) clearTimeout(pairTimer);
      if (running) await running.catch(() => undefined);
      await pairingChain;
    },
  };
}
