import { describe, expect, it } from 'vitest';
import { faultKinds, FaultSwitches, parseFaultList } from './fault-switches.ts';

describe('fault switches', () => {
  it('turns all, none or a named selection on', () => {
    expect(new FaultSwitches(true).active()).toEqual([...faultKinds]);
    expect(new FaultSwitches(false).active()).toEqual([]);
    expect(new FaultSwitches(parseFaultList('stale-flow, shadow-it')).active()).toEqual(['shadow-it', 'stale-flow']);
  });

  it('tells listeners when a fault changes, once', () => {
    const switches = new FaultSwitches(false);
    const seen: string[] = [];
    switches.onChange((kind, on) => seen.push(`${kind}:${on}`));
    switches.set('replica-drift', true);
    switches.set('replica-drift', true);
    switches.set('replica-drift', false);
    expect(seen).toEqual(['replica-drift:true', 'replica-drift:false']);
  });

  it('names an unknown fault and lists the real ones', () => {
    expect(() => parseFaultList('shadow-it,slow-disk')).toThrow(
      'Unknown demo fault "slow-disk"; choose from shadow-it, replica-drift, latency-regression, stale-flow, deprecated-flow, sor-violation, lossy-etl, failing-flow, all or none.',
    );
  });
});
