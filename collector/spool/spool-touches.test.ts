import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Segment } from './segment.ts';
import { Spool } from './spool.ts';

/** The touches companion of classified segments: written, committed, sealed, recovered and split with the spans. */
describe('spool: touches beside the spans', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const spoolIn = (dir: string, sealed: Segment[] = []) =>
    new Spool({ dir, maxBytes: 1 << 30, batchRows: 1000, batchMaxWaitMs: 600_000, onSealed: (s) => sealed.push(s) });
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'weft-spool-touches-'));
    dirs.push(d);
    return d;
  };
  const rows = (n: number, byte: number) => ({ data: Buffer.alloc(n * 10, byte), rows: n });

  it('commits both files together and seals them as one classified segment', () => {
    const dir = newDir();
    const sealed: Segment[] = [];
    const spool = spoolIn(dir, sealed);
    spool.append('otel_traces', { ...rows(2, 1), touches: rows(3, 2) });
    spool.append('otel_traces', { ...rows(1, 1), touches: rows(1, 2) });
    expect(spool.pendingBytes).toBe(70);
    spool.sealAll();
    spool.release();
    expect(sealed).toHaveLength(1);
    expect(sealed[0]).toMatchObject({ rows: 3, bytes: 30, classified: true, touches: { rows: 4, bytes: 40 } });
    expect(statSync(sealed[0].touches!.path).size).toBe(40);
  });

  it('starts a new segment when spans without touches follow classified ones (a segment is classified whole)', () => {
    const sealed: Segment[] = [];
    const spool = spoolIn(newDir(), sealed);
    spool.append('otel_traces', { ...rows(1, 1), touches: rows(1, 2) });
    spool.append('otel_traces', rows(1, 1));
    spool.sealAll();
    spool.release();
    expect(sealed.map((s) => [s.rows, Boolean(s.classified), s.touches?.rows])).toEqual([
      [1, true, 1],
      [1, false, undefined],
    ]);
  });

  it('after a crash, cuts both files back to the commit record and drops orphans', () => {
    const dir = newDir();
    const spool = spoolIn(dir);
    spool.append('otel_traces', { ...rows(2, 1), touches: rows(2, 2) });
    spool.release(); // a kill: the segment stays open
    const open = readdirSync(dir).find((f) => f.endsWith('.open'))!;
    // Torn tails, never acknowledged, and a companion whose segment is gone.
    appendFileSync(join(dir, open), Buffer.alloc(7, 9));
    appendFileSync(join(dir, open.replace(/open$/, 'touches')), Buffer.alloc(5, 9));
    writeFileSync(join(dir, 'otel_traces.zz.0000000001.touches'), 'orphan');
    const [segment] = spoolIn(dir).recover();
    expect(segment).toMatchObject({ rows: 2, bytes: 20, classified: true, touches: { rows: 2, bytes: 20 } });
    expect(statSync(segment.touches!.path).size).toBe(20);
    expect(existsSync(join(dir, 'otel_traces.zz.0000000001.touches'))).toBe(false);
  });

  it('recovers split parts of a segment whose touches are stored as classified without touches, and a segment missing its companion as unclassified', () => {
    const dir = newDir();
    writeFileSync(join(dir, 'otel_traces.aa.0000000001-0000.ready'), Buffer.alloc(10));
    writeFileSync(join(dir, 'otel_traces.aa.0000000001-0000.commit'), '10 1 0 0');
    writeFileSync(join(dir, 'otel_traces.aa.0000000002.ready'), Buffer.alloc(10));
    writeFileSync(join(dir, 'otel_traces.aa.0000000002.commit'), '10 1 10 1');
    const found = spoolIn(dir).recover();
    expect(found.map((s) => [s.id, Boolean(s.classified), s.touches])).toEqual([
      ['aa.0000000001-0000', true, undefined],
      ['aa.0000000002', false, undefined],
    ]);
  });

  it('writes the parts of a split classified segment as classified, and drops its touches file', () => {
    const dir = newDir();
    const sealed: Segment[] = [];
    const spool = spoolIn(dir, sealed);
    spool.append('otel_traces', { ...rows(2, 1), touches: rows(2, 2) });
    spool.sealAll();
    const parts = spool.replaceWithParts(sealed[0], [rows(1, 1), rows(1, 1)], true);
    spool.release();
    expect(parts.map((p) => [p.id.slice(-5), p.classified])).toEqual([
      ['-0000', true],
      ['-0001', true],
    ]);
    expect(existsSync(sealed[0].touches!.path)).toBe(false);
    expect(spool.pendingBytes).toBe(20);
    expect(
      spoolIn(dir)
        .recover()
        .map((s) => Boolean(s.classified)),
    ).toEqual([true, true]);
  });
});
