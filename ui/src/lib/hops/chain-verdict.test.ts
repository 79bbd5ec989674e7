import { describe, expect, it } from 'vitest';
import type { HopChainRow } from '../api/types.ts';
import { chainVerdict, checkVerdict } from './chain-verdict.ts';

type Hop = HopChainRow['hops'][number];
const hop = (judged: boolean, lost = false, handoff: Hop['handoff'] = null): Hop => ({
  read: 10,
  written: lost ? 8 : 10,
  difference: judged ? (lost ? 2 : 0) : null,
  tolerance: 0,
  judged,
  lost,
  source: 'crm',
  target: 'erp',
  integration: 'sync',
  flowId: 'sync',
  via: judged ? 'openlineage' : 'trace',
  recordsFrom: judged ? 'runs' : 'spans',
  units: 1,
  countedUnits: judged ? 1 : 0,
  evidence: { runs: [], traceIds: [] },
  handoff,
});
const handoff = (judged: boolean): Hop['handoff'] => ({
  read: 5,
  written: 5,
  difference: judged ? 0 : null,
  tolerance: 0,
  judged,
  lost: false,
  system: 'orders-topic',
  writers: ['publisher'],
  traceIds: [],
});
const chain = (hops: Hop[], firstDivergence: HopChainRow['firstDivergence'] = null): HopChainRow => ({
  domain: 'customer',
  systemOfRecord: 'crm',
  end: 'erp',
  replica: true,
  hops,
  counts: [],
  firstDivergence,
});

describe('records per hop: heading and verdicts', () => {
  // Regression: a chain of traced hops (shown, never judged) was headed "no loss found" over rows saying "not compared".
  it('heads a chain none of whose hops was compared "not compared", as its rows say, never "no loss found"', () => {
    const c = chain([hop(false), hop(false)]);
    expect(c.hops.map(checkVerdict)).toEqual(['not compared', 'not compared']);
    expect(chainVerdict(c)).toMatchObject({ text: 'not compared', bad: false });
    expect(chainVerdict(c).title).toMatch(/no loss can be called/);
  });

  it('claims no loss only over the hops and handoffs compared, and says how many were not', () => {
    expect(chainVerdict(chain([hop(true), hop(false)])).text).toBe('no loss found in 1 of 2 checks (1 not compared)');
    // A handoff into a hop is a check of its own.
    expect(chainVerdict(chain([hop(true), hop(true, false, handoff(false))])).text).toBe('no loss found in 2 of 3 checks (1 not compared)');
    expect(chainVerdict(chain([hop(true), hop(true, false, handoff(true))]))).toMatchObject({ text: 'no loss found', bad: false });
  });

  it('names where records were first lost', () => {
    const c = chain([hop(true), hop(true, true)], { hop: 1, at: 'hop', source: 'lake', target: 'warehouse', integration: 'etl/load', lost: 1200 });
    expect(chainVerdict(c)).toMatchObject({ text: 'first diverges at hop 2 (lake → warehouse): 1,200 lost', bad: true });
    expect(c.hops.map(checkVerdict)).toEqual(['ok', 'records lost']);
  });
});
