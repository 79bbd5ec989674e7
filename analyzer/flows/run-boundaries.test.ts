import { describe, expect, it } from 'vitest';
import { fragmentUnits, recordsFallback, runRecords, type FragmentTrace } from './run-boundaries.ts';

let n = 0;
const piece = (at: number, rw: { reads?: string[]; writes?: string[] }, more: Partial<FragmentTrace> = {}): FragmentTrace => ({
  traceId: `t${String(n++).padStart(3, '0')}`,
  integration: 'job',
  service: 'job',
  instance: 'i-1',
  runId: '',
  domains: [],
  reads: rw.reads ?? [],
  writes: rw.writes ?? [],
  failedWrites: [],
  errors: 0,
  failed: false,
  // One record reported by each call, in its direction.
  records: { written: rw.writes?.length ? 1 : 0, own: 0, read: rw.reads?.length ? 1 : 0 },
  targetRecords: rw.writes?.length ? [[rw.writes[0], 1]] : [],
  writeOrder: rw.writes ?? [],
  startMs: at,
  endMs: at + 50,
  arrivedMs: 0,
  ...more,
});
const shapes = (units: ReturnType<typeof fragmentUnits>['units']) =>
  units.map((u) => `${u.reads.join('+') || '-'} > ${u.writes.join('+') || '-'} ${u.endMs - u.startMs}ms`);

describe('run boundaries of integrations without trace context', () => {
  it('pairs each write with the reads made since the previous write, not with every read of the gap', () => {
    // A sync every second: read crm, write erp. Each run is its own unit with its own latency.
    const runs = [0, 1000, 2000].flatMap((t) => [piece(t, { reads: ['crm'] }), piece(t + 100, { writes: ['erp'] })]);
    expect(shapes(fragmentUnits(runs, [], [], 30_000).units)).toEqual(['crm > erp 150ms', 'crm > erp 150ms', 'crm > erp 150ms']);
  });

  it('gives a run that reads once and writes twice both edges, and counts its records once', () => {
    const { units } = fragmentUnits([piece(0, { reads: ['a'] }), piece(100, { writes: ['b'] }), piece(200, { writes: ['c'] })], [], [], 30_000);
    expect(shapes(units)).toEqual(['a > b 150ms', 'a > c 250ms']);
    // Each write reported 1 record: 2 records moved (the read's 1 is what was listed, not moved again).
    expect(units.map((u) => u.records)).toEqual([1, 1]);
  });

  it("counts a run's records as its writes report them, not the sum of its reads and writes", () => {
    const rec = (written: number, own: number, read: number) => ({ records: { written, own, read } });
    const run = (at: number, read: ReturnType<typeof rec>, write: ReturnType<typeof rec>) =>
      fragmentUnits([piece(at, { reads: ['a'] }, read), piece(at + 100, { writes: ['b'] }, write)], [], [], 30_000).units.map((u) => u.records);
    expect(run(0, rec(0, 0, 5), rec(5, 0, 0))).toEqual([5]);
    // Writes that do not report: the reads' count; a count only the root span gives: that one.
    expect(run(0, rec(0, 0, 5), rec(0, 0, 0))).toEqual([5]);
    expect(run(0, rec(0, 0, 5), rec(0, 7, 0))).toEqual([7]);
    // Fewer written than read (a filter): what was written.
    expect(run(0, rec(0, 0, 5), rec(3, 0, 0))).toEqual([3]);
    expect(runRecords({ written: 0, own: 0, read: 0 })).toBe(0);
  });

  // Regression: a run that wrote the ERP and billing showed its total written on both flows (7 and 7, not 5 and 2).
  it("keeps what a run wrote to each target, when its records are its writes'", () => {
    const erp = piece(100, { writes: ['erp'] }, { runId: 'r1', records: { written: 5, own: 0, read: 0 }, targetRecords: [['erp', 5]] });
    const billing = piece(200, { writes: ['billing'] }, { runId: 'r1', records: { written: 2, own: 0, read: 0 }, targetRecords: [['billing', 2]] });
    // A retried write to the ERP in another trace of the run: summed per target.
    const erpAgain = piece(300, { writes: ['erp'] }, { runId: 'r1', records: { written: 1, own: 0, read: 0 }, targetRecords: [['erp', 1]] });
    const read = piece(0, { reads: ['crm'] }, { runId: 'r1', records: { written: 0, own: 0, read: 8 }, targetRecords: [] });
    const [unit] = fragmentUnits([read, erp, billing, erpAgain], [], [], 30_000).units;
    expect(unit.records).toBe(8);
    expect(unit.targetRecords).toEqual([
      ['billing', 2],
      ['erp', 6],
    ]);
    // Records that are the root span's or the reads' (no write reports a count) are the run's on every edge: none per target.
    const own = piece(100, { writes: ['erp'] }, { runId: 'r2', records: { written: 0, own: 4, read: 0 }, targetRecords: [] });
    const [ownUnit] = fragmentUnits([{ ...read, traceId: 'r2-read', runId: 'r2' }, own], [], [], 30_000).units;
    expect([ownUnit.records, ownUnit.targetRecords]).toEqual([4, []]);
  });

  // Regression: a target whose writes reported nothing showed 0 records for a successful run when another target's did.
  it("gives a target whose writes reported nothing the run's own count, else its reads'", () => {
    const read = piece(0, { reads: ['crm'] }, { runId: 'r3', records: { written: 0, own: 0, read: 9 }, targetRecords: [] });
    const root = piece(10, {}, { runId: 'r3', records: { written: 0, own: 7, read: 0 }, targetRecords: [] });
    const erp = piece(100, { writes: ['erp'] }, { runId: 'r3', records: { written: 5, own: 0, read: 0 }, targetRecords: [['erp', 5]] });
    const billing = piece(200, { writes: ['billing'] }, { runId: 'r3', records: { written: 0, own: 0, read: 0 }, targetRecords: [['billing', 0]] });
    const [unit] = fragmentUnits([read, root, erp, billing], [], [], 30_000).units;
    // What each endpoint's writes reported, and what one that reported none carries: the root's 7.
    expect([unit.targetRecords, unit.recordsFallback]).toEqual([
      [
        ['billing', 0],
        ['erp', 5],
      ],
      7,
    ]);
    // Without the root's count: the reads'.
    const [noRoot] = fragmentUnits(
      [read, erp, billing].map((p) => ({ ...p, runId: 'r4' })),
      [],
      [],
      30_000,
    ).units;
    expect(noRoot.recordsFallback).toBe(9);
    // Neither: nothing is known of what reached billing.
    expect(recordsFallback({ written: 5, own: 0, read: 0 })).toBe(0);
    // No write reported a count: the run's records are the same on every edge, no fallback.
    expect(recordsFallback({ written: 0, own: 7, read: 9 })).toBe(0);
    // A piece that wrote but does not know its endpoints' records (stored before they were kept): none per target.
    const [legacy] = fragmentUnits(
      [read, erp, { ...billing, targetRecords: [] }].map((p) => ({ ...p, runId: 'r5' })),
      [],
      [],
      30_000,
    ).units;
    expect([legacy.records, legacy.targetRecords]).toEqual([5, []]);
  });

  // Regression: without trace context, read A, write B, write C gave A's records to B's flow only (5 and 0), where the
  // same run in one trace gives 5 and 5.
  it("counts a read's records for each host its writes reach, once per host", () => {
    const key = (host: string, path: string) => `http\u001fhttp\u001f${host}\u001f${path}\u001f`;
    const run = (writes: string[]) => {
      const read = piece(0, { reads: [key('crm.internal', '/customers')] }, { records: { written: 0, own: 0, read: 5 } });
      const ws = writes.map((k, i) => piece(100 + i * 100, { writes: [k] }, { records: { written: 0, own: 0, read: 0 }, targetRecords: [[k, 0]] }));
      return fragmentUnits([read, ...ws], [], [], 30_000).units.map((u) => u.records);
    };
    expect(run([key('erp.internal', '/accounts'), key('billing.internal', '/invoices')])).toEqual([5, 5]);
    // Two resources of one host (one system's): its flow counts the read once.
    expect(run([key('erp.internal', '/accounts'), key('erp.internal', '/contacts')])).toEqual([5, 0]);
  });

  it('keeps a read no write follows as a read-only run, and separates service instances', () => {
    const { units } = fragmentUnits([piece(0, { reads: ['a'] }), piece(100, { writes: ['b'] }, { instance: 'i-2' })], [], [], 30_000);
    expect(shapes(units).sort()).toEqual(['- > b 50ms', 'a > - 50ms']);
  });

  it('puts the traces of one integration.run.id together whatever their timing, and names the ledger units it replaces', () => {
    const early = piece(0, { reads: ['a'] }, { runId: 'r1' });
    const late = piece(600_000, { writes: ['b'] }, { runId: 'r1' });
    const { units, scope } = fragmentUnits(
      [late],
      [early],
      [{ unit: 'run:job\u001fr1', grp: 'run:job\u001fr1', traces: [early.traceId], startMs: 0, endMs: 50 }],
      30_000,
    );
    expect(shapes(units)).toEqual(['a > b 600050ms']);
    expect(units[0].traces).toEqual([early.traceId, late.traceId]);
    expect(scope).toEqual(['run:job\u001fr1']);
  });

  it('does not give a read to two writes when a write starts in the same millisecond as the next read (regression: p95 of one schedule period)', () => {
    // Each run's read and write start in the same millisecond (the read took under 1 ms).
    const runs = [0, 1600, 3200].flatMap((t) => [piece(t, { writes: ['support'] }), piece(t, { reads: ['erp'] })]);
    expect(fragmentUnits(runs, [], [], 30_000).units.map((u) => u.traces.length)).toEqual([2, 2, 2]);
  });

  // Regression: without trace context a write answered 503 and tried again was two runs of the flow (the retry paired
  // with the first attempt's reads), and a run whose writes all failed was one run per attempt.
  it('makes a failed write and its retries one run, judged by the last attempt; a read in between starts another run', () => {
    const failed = { failed: true, failedWrites: ['b'] };
    const shape = (units: ReturnType<typeof fragmentUnits>['units']) =>
      units.map((u) => `${u.reads.join('+') || '-'} > ${u.writes.join('+')} ${u.failed ? 'failed' : 'ok'} ${u.traces.length}`);
    // read, 503, 503, 201: one run of four pieces, succeeded
    const retried = [piece(0, { reads: ['a'] }), piece(100, { writes: ['b'] }, failed), piece(200, { writes: ['b'] }, failed), piece(300, { writes: ['b'] })];
    expect(shape(fragmentUnits(retried, [], [], 30_000).units)).toEqual(['a > b ok 4']);
    // read, 503, 503: one failed run
    expect(shape(fragmentUnits(retried.slice(0, 3), [], [], 30_000).units)).toEqual(['a > b failed 3']);
    // read, 500; read, 201 (the next run): two runs, the first failed
    const runs = [piece(0, { reads: ['a'] }), piece(100, { writes: ['b'] }, failed), piece(1000, { reads: ['a'] }), piece(1100, { writes: ['b'] })];
    expect(shape(fragmentUnits(runs, [], [], 30_000).units)).toEqual(['a > b failed 2', 'a > b ok 2']);
  });

  // Regression: the write order and the failed targets took the last write by two rules that disagreed when two pieces
  // ended in the same millisecond: the order named the piece that wrote erp later in its own order (which succeeded),
  // the failure the piece listed first (which failed), so the run failed on erp after a successful last write.
  it('takes the same last write of a target for the write order and the failed targets', () => {
    const run = { runId: 'r1', endMs: 150 };
    const first = piece(0, { writes: ['erp', 'billing'] }, { ...run, failedWrites: ['erp'], writeOrder: ['erp', 'billing'] });
    const second = piece(10, { writes: ['erp', 'billing'] }, { ...run, writeOrder: ['billing', 'erp'] });
    for (const members of [
      [first, second],
      [second, first],
    ]) {
      const [unit] = fragmentUnits(members, [], [], 30_000).units;
      // erp: the second piece's, in place 1 against the first's 0; billing: the first piece's (place 1 against 0).
      expect(unit.writeOrder).toEqual(['billing', 'erp']);
      expect(unit.failedWrites).toEqual([]);
    }
  });
});
