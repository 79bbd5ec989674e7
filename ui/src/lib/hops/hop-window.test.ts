import { describe, expect, it } from 'vitest';
import type { HopChainRow, HopsAnswer } from '../api/types.ts';
import { hopWindowNote, lengthText } from './hop-window.ts';

const hop = (handoff: boolean): HopChainRow['hops'][number] => ({
  read: 1,
  written: 1,
  difference: null,
  tolerance: 0,
  judged: false,
  lost: false,
  source: 'orders-topic',
  target: 'billing',
  integration: 'billing-consumer',
  flowId: null,
  via: 'trace',
  recordsFrom: 'spans',
  units: 1,
  countedUnits: 0,
  evidence: { runs: [], traceIds: [] },
  handoff: handoff
    ? { read: 1, written: 1, difference: 0, tolerance: 0, judged: true, lost: false, system: 'orders-topic', writers: ['publisher'], traceIds: [] }
    : null,
});
const answer = (handoff: boolean, settledUntil: string | null): HopsAnswer => ({
  since: '2026-11-30T09:10:27.000Z',
  until: '2026-11-30T10:10:27.000Z',
  settleMs: 600_000,
  settledUntil,
  chains: [{ domain: 'order', systemOfRecord: 'erp', end: 'billing', replica: false, hops: [hop(false), hop(handoff)], counts: [], firstDivergence: null }],
});

describe('records per hop: the window', () => {
  it('writes a length in at most two units', () => {
    expect(lengthText(660_000)).toBe('11 min');
    expect(lengthText(5_400_000)).toBe('1 h 30 min');
    expect(lengthText(45_000)).toBe('45 s');
    expect(lengthText(183_600_000)).toBe('2 d 3 h');
    expect(lengthText(3_600_000)).toBe('1 h');
    expect(lengthText(3_605_000)).toBe('1 h');
    expect(lengthText(0)).toBe('0 s');
  });

  // Regression: handoffs compared writes over a settled part of the window the panel never named.
  it('says where the settled part ends and why, when a chain has a handoff', () => {
    expect(hopWindowNote(answer(true, '2026-11-30T09:59:27.000Z'))).toEqual({
      handoffs: true,
      settledUntil: '2026-11-30T09:59:27.000Z',
      inFlight: '11 min',
      settle: '10 min',
    });
    expect(hopWindowNote(answer(false, '2026-11-30T09:59:27.000Z')).handoffs).toBe(false);
    // Too short a window: nothing of it settled, the whole of it may be in flight.
    expect(hopWindowNote(answer(true, null))).toMatchObject({ settledUntil: null, inFlight: '1 h' });
  });
});
