import { describe, expect, it } from 'vitest';
import { evidenceRows } from './evidence.ts';

describe('finding evidence', () => {
  it('pulls sample trace ids apart and shows the rest as readable rows', () => {
    const { traces, rows } = evidenceRows({
      sampleTraceIds: ['a1', 'b2'],
      sampleErrorTrace: 'a1',
      p95Ms: 1234,
      integrations: ['x', 'y'],
      window: { since: 's' },
      note: '',
    });
    expect(traces).toEqual(['a1', 'b2']);
    expect(rows).toEqual([
      { key: 'p95 ms', text: '1,234' },
      { key: 'integrations', text: 'x, y' },
      { key: 'window', text: '{"since":"s"}' },
      { key: 'note', text: '–' },
    ]);
  });
});
