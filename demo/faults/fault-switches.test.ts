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
      'Unknown demo fault "slow-disk"; choose from shadow-it, replica-drift, latency-regression, stale-flow, deprecated-flow, sor-violation, lossy-etl, failing-flow, or all or none.',
    );
  });

  // Regression: `--faults=bogus` ended `weft start` with a stack trace (exit 1), and `--faults=,` ran no fault
  // at all without a word: each is a usage error naming what to write.
  it('refuses a misspelt fault with the one meant, an empty list, and all/none mixed with names, as configuration errors', () => {
    const refused = (text: string) => {
      try {
        parseFaultList(text);
      } catch (err) {
        expect((err as { code?: string }).code, text).toBe('WEFT_ERR_CONFIG');
        return (err as Error).message;
      }
      throw new Error(`"${text}" was accepted`);
    };
    expect(refused('stale-flwo')).toMatch(/^Unknown demo fault "stale-flwo" \(did you mean "stale-flow"\?\); choose from /);
    expect(refused('bogus')).toMatch(/^Unknown demo fault "bogus"; choose from /);
    for (const empty of ['', ',', ' , '])
      expect(refused(empty)).toBe(
        '--faults was given no fault names: choose from shadow-it, replica-drift, latency-regression, stale-flow, deprecated-flow, sor-violation, lossy-etl, failing-flow, or all or none.',
      );
    for (const mixed of ['all,stale-flow', 'none,shadow-it', 'all,none'])
      expect(refused(mixed)).toMatch(/^--faults takes all, none or a list of faults, not a mix/);
    expect(parseFaultList('all')).toBe(true);
    expect(parseFaultList(' none ')).toBe(false);
  });
});
