import { describe, expect, it } from 'vitest';
import { graphNode } from '../charts/testing/graph-fixtures.ts';
import { describeSystems, systemCounts } from './system-counts.ts';

describe('system counts', () => {
  // Regression: the overview's counts card and the line under its graph once counted different nodes
  // (one took the integration nodes for systems); both now read these counts.
  it('counts catalog and unknown systems, not integration nodes, documented and unknown apart', () => {
    const nodes = [
      graphNode('crm'),
      graphNode('erp'),
      graphNode('unknown:contacts.growthhub.example', { type: 'unknown-system', documented: false }),
      graphNode('integration:loader', { type: 'integration', documented: false }),
    ];
    const counts = systemCounts({ nodes });
    expect(counts).toEqual({ systems: 3, documented: 2, unknown: 1 });
    expect(describeSystems(counts)).toBe('3 systems (2 documented, 1 unknown)');
  });

  it('names one system in the singular and leaves out "0 unknown"', () => {
    expect(describeSystems(systemCounts({ nodes: [graphNode('crm')] }))).toBe('1 system (1 documented)');
    expect(describeSystems(systemCounts({ nodes: [] }))).toBe('0 systems (0 documented)');
  });
});
