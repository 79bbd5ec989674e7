import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { tableNames, type TableName } from '../rows/tables.ts';
import { commitPath, parseSegmentName, segmentName, touchesPath, type Segment } from './segment.ts';
import { lockSpool } from './spool-lock.ts';
import { SpanIdSet } from './span-id-set.ts';
import { count } from '../../core/text/index.ts';

export interface SpoolOptions {
  dir: string;
  /** Bytes on disk (not yet loaded) above which new data is refused. */
  maxBytes: number;
  /** A segment is sealed at this many rows… */
  batchRows: number;
  /** …or this long after its first row (ms)… */
  batchMaxWaitMs: number;
  /**
   * …or this long after its last rows, when no more came (ms; at most batchMaxWaitMs; none when not given): a burst (a
   * new integration's first trace) is stored this long after it ends, while a steady trickle fills one segment for
   * batchMaxWaitMs. `weft start` gives 1000 (WEFT_BATCH_IDLE_MS).
   */
  batchIdleMs?: number;
  /** Called with each sealed segment, in order. */
  onSealed(segment: Segment): void;
}

interface OpenSegment extends Segment {
  fd: number;
  commitFd: number;
  timer: NodeJS.Timeout;
  /** When its first and its last rows came (performance.now(), ms: a clock that a change of the wall clock does not move). */
  firstAt: number;
  lastAt: number;
  /** The touches companion of a classified segment. */
  touchesFd?: number;
  touchBytes: number;
  touchRows: number;
  /** The trace and span ids of its spans (otel_traces), hashed. */
  spanIds?: SpanIdSet;
}

/** Rows for one table and, for spans the collector classified, their weft_span_touches rows. */
export interface SpoolRows {
  data: Buffer;
  rows: number;
  touches?: { data: Buffer; rows: number };
  /** For spans: `spanIdHashes` of each row's trace id and span id (h1, h2, …: collector/otlp/trace-decoder.ts). */
  spanIds?: Uint32Array;
}

const LARGEST_SEGMENT = 256 * 1024 * 1024;

/**
 * The durable spool. A request's rows are appended to the per-table open segment and the
 * segment's commit record (`<bytes> <rows>`) is updated before the request is acknowledged;
 * both are file writes, which survive `kill -9`. Spans the collector classified carry their
 * weft_span_touches rows in a companion file (`<table>.<id>.touches`), covered by the same commit
 * record (`<bytes> <rows> <touch bytes> <touch rows>`) and loaded in the same load step. Sealed
 * segments wait for the loader and are deleted once stored. On start, what a previous run left is
 * recovered in order, each open segment (and its companion) cut back to its last commit (a torn,
 * never acknowledged tail is dropped).
 */
export class Spool {
  private readonly open = new Map<TableName, OpenSegment>();
  private readonly run = Date.now().toString(36);
  private seq = 0;
  private readonly commitBuf = Buffer.alloc(64, 0x20);
  /** Bytes written and not yet loaded. */
  pendingBytes = 0;
  /** Rows in open (unsealed) segments. */
  openRows = 0;
  /** Segments set aside because the store refused them (`*.quarantine`, with their commit record and a `.reason` file). */
  readonly quarantined = { segments: 0, rows: 0 };

  /** Releases the spool directory (the pid file); segments stay for the next run. */
  readonly release: () => void;

  constructor(private readonly options: SpoolOptions) {
    // Private to Weft's user: the spool holds every span as sent.
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.release = lockSpool(options.dir);
  }

  /** Segments a previous run left, oldest first. */
  recover(): Segment[] {
    const found: Segment[] = [];
    const files = readdirSync(this.options.dir);
    for (const file of files.sort()) {
      const parsed = parseSegmentName(file);
      if (!parsed || !tableNames.includes(parsed.table as TableName)) continue;
      const table = parsed.table as TableName;
      const path = join(this.options.dir, file);
      if (parsed.state === 'commit' || parsed.state === 'touches') {
        const states = ['open', 'ready', 'quarantine'] as const;
        const hasSegment = states.some((s) => existsSync(join(this.options.dir, segmentName(table, parsed.id, s))));
        if (!hasSegment) rmSync(path, { force: true });
        continue;
      }
      if (parsed.state === 'quarantine') {
        // Set aside by a previous run: kept and counted, never replayed ahead of new data.
        this.quarantined.segments++;
        this.quarantined.rows += readCommit(commitPath(path))?.rows ?? 0;
        continue;
      }
      const commit = readCommit(commitPath(path));
      const companion = touchesPath(path);
      if (parsed.state === 'open') {
        if (!commit || commit.bytes === 0) {
          for (const f of [path, commitPath(path), companion]) rmSync(f, { force: true });
          continue;
        }
        cutTo(path, commit.bytes);
        if (commit.touchBytes !== undefined) cutTo(companion, commit.touchBytes);
      }
      const ready = join(this.options.dir, segmentName(table, parsed.id, 'ready'));
      if (path !== ready) renameSync(path, ready);
      const bytes = statSync(ready).size;
      if (bytes === 0) {
        for (const f of [ready, commitPath(ready), companion]) rmSync(f, { force: true });
        continue;
      }
      const segment: Segment = { table, id: parsed.id, path: ready, rows: commit?.rows ?? 0, bytes };
      // Classified (the commit record counts touches): its touches load first; none left means they are stored.
      // A companion that went missing leaves the spans to the SQL classification rather than without touches.
      const touchBytes = existsSync(companion) ? statSync(companion).size : 0;
      if (commit?.touchBytes === 0) segment.classified = true;
      else if (commit?.touchBytes !== undefined && touchBytes > 0) {
        segment.classified = true;
        segment.touches = { path: companion, rows: commit.touchRows ?? 0, bytes: touchBytes };
      } else rmSync(companion, { force: true });
      found.push(segment);
    }
    found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const s of found) this.pendingBytes += s.bytes + (s.touches?.bytes ?? 0);
    return found;
  }

  /** Whether `bytes` more would exceed the spool's limit. */
  wouldOverflow(bytes: number): boolean {
    return this.pendingBytes + bytes > this.options.maxBytes;
  }

  /** Past 80% of its limit: readiness says so, so that balancers steer traffic elsewhere first. */
  nearlyFull(): boolean {
    return this.pendingBytes >= this.options.maxBytes * 0.8;
  }

  /**
   * Appends rows (and their touches); durable against a process kill once this returns. Spans with the trace and span ids
   * of a span in the open segment (a span sent again, within `batchMaxWaitMs`) go to a new one: a segment is one insert,
   * and the pairing tells the copies of a span apart by the insert that stored them (analyzer/flows/span-copies.ts).
   */
  append(table: TableName, { data, rows, touches, spanIds }: SpoolRows): void {
    if (rows === 0) return;
    let seg = this.open.get(table);
    // A segment is classified whole or not at all.
    if (seg && (seg.touchesFd !== undefined) !== (touches !== undefined)) {
      this.seal(table);
      seg = undefined;
    }
    // Its spans' ids go in before its rows: a span already there seals the segment (what the set then holds is dropped).
    if (seg && spanIds && !(seg.spanIds ??= new SpanIdSet()).addAll(spanIds)) {
      this.seal(table);
      seg = undefined;
    }
    if (!seg) {
      seg = this.start(table, touches !== undefined);
      if (spanIds) (seg.spanIds = new SpanIdSet()).addAll(spanIds);
    }
    try {
      writeAll(seg.fd, data);
      if (touches && seg.touchesFd !== undefined) writeAll(seg.touchesFd, touches.data);
    } catch (err) {
      ftruncateSync(seg.fd, seg.bytes);
      if (seg.touchesFd !== undefined) ftruncateSync(seg.touchesFd, seg.touchBytes);
      throw err;
    }
    seg.rows += rows;
    seg.bytes += data.length;
    seg.lastAt = performance.now();
    if (touches) {
      seg.touchRows += touches.rows;
      seg.touchBytes += touches.data.length;
    }
    this.commitBuf.fill(0x20);
    this.commitBuf.write(`${seg.bytes} ${seg.rows}${touches ? ` ${seg.touchBytes} ${seg.touchRows}` : ''}`, 0, 'latin1');
    writeSync(seg.commitFd, this.commitBuf, 0, this.commitBuf.length, 0);
    this.pendingBytes += data.length + (touches?.data.length ?? 0);
    this.openRows += rows;
    if (seg.rows >= this.options.batchRows || seg.bytes >= LARGEST_SEGMENT) this.seal(table);
  }

  /** Seals every open segment (flush, shutdown). */
  sealAll(): void {
    for (const table of [...this.open.keys()]) this.seal(table);
  }

  /** Called by the loader once a segment (and its touches file) is stored and deleted. */
  loaded(segment: Segment): void {
    rmSync(commitPath(segment.path), { force: true });
    this.pendingBytes -= segment.bytes + (segment.touches?.bytes ?? 0);
  }

  /**
   * Sets a segment the store keeps refusing aside: renamed `*.quarantine` beside its commit
   * record (rows) and a `.reason` file (the store's error). It no longer counts against the
   * spool's limit and is not loaded again; renaming it back to `*.ready` retries it at the next start.
   */
  quarantine(segment: Segment, reason: string): string {
    const target = join(this.options.dir, segmentName(segment.table, segment.id, 'quarantine'));
    renameSync(segment.path, target);
    writeFileSync(`${target}.reason`, `${new Date().toISOString()} ${count(segment.rows, 'row')}, ${count(segment.bytes, 'byte')}\n${reason}\n`);
    this.pendingBytes -= segment.bytes + (segment.touches?.bytes ?? 0);
    this.quarantined.segments++;
    this.quarantined.rows += segment.rows;
    return target;
  }

  /**
   * Replaces a sealed segment by parts (same rows, in order): each part is written with its
   * commit record before the original goes, so a crash between leaves rows that replay with the
   * parts' own deduplication tokens. `classified`: the segment's touches are stored, so the parts
   * are classified spans without a touches file; otherwise the parts are left to the SQL
   * classification (and the touches file, if any, goes). Returns the parts as segments to load.
   */
  replaceWithParts(segment: Segment, parts: { data: Buffer; rows: number }[], classified = false): Segment[] {
    const out: Segment[] = parts.map((part, i) => {
      const id = `${segment.id}-${String(i).padStart(4, '0')}`;
      const path = join(this.options.dir, segmentName(segment.table, id, 'ready'));
      writeFileSync(commitPath(path), `${part.data.length} ${part.rows}${classified ? ' 0 0' : ''}`);
      writeFileSync(path, part.data);
      return { table: segment.table, id, path, rows: part.rows, bytes: part.data.length, ...(classified ? { classified } : {}) };
    });
    rmSync(segment.path, { force: true });
    rmSync(commitPath(segment.path), { force: true });
    if (segment.touches) {
      rmSync(segment.touches.path, { force: true });
      this.pendingBytes -= segment.touches.bytes;
    }
    return out;
  }

  private start(table: TableName, classified: boolean): OpenSegment {
    const id = `${this.run}.${String(this.seq++).padStart(10, '0')}`;
    const path = join(this.options.dir, segmentName(table, id, 'open'));
    const commitFd = openSync(commitPath(path), 'w');
    const fd = openSync(path, 'a');
    const touchesFd = classified ? openSync(touchesPath(path), 'w') : undefined;
    const now = performance.now();
    const seg: OpenSegment = {
      table,
      id,
      path,
      rows: 0,
      bytes: 0,
      fd,
      commitFd,
      timer: this.sealTimer(table, this.idleMs()),
      firstAt: now,
      lastAt: now,
      touchesFd,
      touchBytes: 0,
      touchRows: 0,
    };
    this.open.set(table, seg);
    return seg;
  }

  /** How long a segment waits for more rows after its last (ms): `batchIdleMs`, at most (and without it) `batchMaxWaitMs`. */
  private idleMs(): number {
    return Math.min(this.options.batchIdleMs ?? this.options.batchMaxWaitMs, this.options.batchMaxWaitMs);
  }

  /**
   * One timer per open segment: when it fires, the segment is sealed if its rows have waited `batchMaxWaitMs` since the
   * first or the idle time since the last; otherwise it is set again for whichever comes first (an append only moves
   * `lastAt`, it sets no timer).
   */
  private sealTimer(table: TableName, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const seg = this.open.get(table);
      if (!seg || seg.timer !== timer) return;
      const now = performance.now();
      const due = Math.min(seg.firstAt + this.options.batchMaxWaitMs, seg.lastAt + this.idleMs());
      if (now >= due) this.seal(table);
      else seg.timer = this.sealTimer(table, due - now);
    }, ms);
    timer.unref();
    return timer;
  }

  private seal(table: TableName): void {
    const seg = this.open.get(table);
    if (!seg) return;
    this.open.delete(table);
    clearTimeout(seg.timer);
    closeSync(seg.fd);
    closeSync(seg.commitFd);
    if (seg.touchesFd !== undefined) closeSync(seg.touchesFd);
    const ready = join(this.options.dir, segmentName(table, seg.id, 'ready'));
    renameSync(seg.path, ready);
    this.openRows -= seg.rows;
    const sealed: Segment = { table, id: seg.id, path: ready, rows: seg.rows, bytes: seg.bytes };
    if (seg.touchesFd !== undefined) {
      sealed.classified = true;
      sealed.touches = { path: touchesPath(ready), rows: seg.touchRows, bytes: seg.touchBytes };
    }
    this.options.onSealed(sealed);
  }
}

/** A commit record: `<bytes> <rows>`, with `<touch bytes> <touch rows>` after them for a classified segment. */
function readCommit(path: string): { bytes: number; rows: number; touchBytes?: number; touchRows?: number } | undefined {
  try {
    const [bytes, rows, touchBytes, touchRows] = readFileSync(path, 'latin1').trim().split(/\s+/).map(Number);
    if (!Number.isFinite(bytes)) return undefined;
    const touches = Number.isFinite(touchBytes) ? { touchBytes, touchRows: Number.isFinite(touchRows) ? touchRows : 0 } : {};
    return { bytes, rows: Number.isFinite(rows) ? rows : 0, ...touches };
  } catch {
    return undefined;
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** Cuts a file back to `bytes` (a torn, never acknowledged tail); nothing when it is shorter or absent. */
function cutTo(path: string, bytes: number): void {
  if (!existsSync(path) || statSync(path).size <= bytes) return;
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, bytes);
  closeSync(fd);
}
