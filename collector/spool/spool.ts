import { closeSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tableNames, type TableName } from '../rows/tables.ts';
import { parseSegmentName, segmentName, type Segment } from './segment.ts';

export interface SpoolOptions {
  dir: string;
  /** Bytes on disk (not yet loaded) above which new data is refused. */
  maxBytes: number;
  /** A segment is sealed at this many rows… */
  batchRows: number;
  /** …or this long after its first row. */
  batchMaxWaitMs: number;
  /** Called with each sealed segment, in order. */
  onSealed(segment: Segment): void;
}

interface OpenSegment extends Segment {
  fd: number;
  timer: NodeJS.Timeout;
}

const LARGEST_SEGMENT = 256 * 1024 * 1024;

/**
 * The durable spool. Rows are appended to a per-table open segment before a request is
 * acknowledged (a write to the file survives `kill -9`); sealed segments wait for the loader and
 * are deleted once stored. On start, whatever a previous run left is recovered in order.
 */
export class Spool {
  private readonly open = new Map<TableName, OpenSegment>();
  private readonly run = Date.now().toString(36);
  private seq = 0;
  /** Bytes written and not yet loaded. */
  pendingBytes = 0;
  /** Rows in open (unsealed) segments. */
  openRows = 0;

  constructor(private readonly options: SpoolOptions) {
    mkdirSync(options.dir, { recursive: true });
  }

  /** Segments a previous run left, oldest first; a torn last line (never acknowledged) is cut. */
  recover(): Segment[] {
    const found: Segment[] = [];
    for (const file of readdirSync(this.options.dir).sort()) {
      const parsed = parseSegmentName(file);
      if (!parsed || !tableNames.includes(parsed.table as TableName)) continue;
      let path = join(this.options.dir, file);
      if (parsed.state === 'open') {
        const data = readFileSync(path);
        const end = data.lastIndexOf(0x0a) + 1;
        if (end < data.length) {
          const fd = openSync(path, 'r+');
          ftruncateSync(fd, end);
          closeSync(fd);
        }
        const ready = join(this.options.dir, segmentName(parsed.table as TableName, parsed.id, 'ready'));
        renameSync(path, ready);
        path = ready;
      }
      const data = readFileSync(path);
      if (data.length === 0) continue;
      let rows = 0;
      for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) rows++;
      found.push({ table: parsed.table as TableName, id: parsed.id, path, rows, bytes: statSync(path).size });
    }
    found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const s of found) this.pendingBytes += s.bytes;
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

  /** Appends newline-terminated rows; durable against a process kill once this returns. */
  append(table: TableName, data: Buffer, rows: number): void {
    if (rows === 0) return;
    let seg = this.open.get(table);
    if (!seg) seg = this.start(table);
    let off = 0;
    while (off < data.length) off += writeSync(seg.fd, data, off, data.length - off);
    seg.rows += rows;
    seg.bytes += data.length;
    this.pendingBytes += data.length;
    this.openRows += rows;
    if (seg.rows >= this.options.batchRows || seg.bytes >= LARGEST_SEGMENT) this.seal(table);
  }

  /** Seals every open segment (flush, shutdown). */
  sealAll(): void {
    for (const table of [...this.open.keys()]) this.seal(table);
  }

  /** Called by the loader once a segment is stored and deleted. */
  loaded(segment: Segment): void {
    this.pendingBytes -= segment.bytes;
  }

  private start(table: TableName): OpenSegment {
    const id = `${this.run}.${String(this.seq++).padStart(10, '0')}`;
    const path = join(this.options.dir, segmentName(table, id, 'open'));
    const fd = openSync(path, 'a');
    const timer = setTimeout(() => this.seal(table), this.options.batchMaxWaitMs);
    timer.unref();
    const seg: OpenSegment = { table, id, path, rows: 0, bytes: 0, fd, timer };
    this.open.set(table, seg);
    return seg;
  }

  private seal(table: TableName): void {
    const seg = this.open.get(table);
    if (!seg) return;
    this.open.delete(table);
    clearTimeout(seg.timer);
    closeSync(seg.fd);
    const ready = join(this.options.dir, segmentName(table, seg.id, 'ready'));
    renameSync(seg.path, ready);
    this.openRows -= seg.rows;
    this.options.onSealed({ table, id: seg.id, path: ready, rows: seg.rows, bytes: seg.bytes });
  }
}
