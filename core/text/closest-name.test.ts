import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from './index.ts';

describe('closestName', () => {
  const sections = ['owners', 'systems', 'domains', 'flows', 'classes', 'probes', 'reconciliations', 'receivers'];

  it('finds the name a misspelling meant: a letter left out, added, changed or swapped', () => {
    expect(closestName('sytems', sections)).toBe('systems');
    expect(closestName('flowss', sections)).toBe('flows');
    expect(closestName('domans', sections)).toBe('domains');
    expect(closestName('recievers', sections)).toBe('receivers');
    expect(closestName('reconcilations', sections)).toBe('reconciliations');
    expect(closestName('knd', ['id', 'name', 'kind'])).toBe('kind');
    expect(closestName('hihg', ['info', 'low', 'medium', 'high', 'critical'])).toBe('high');
    expect(closestName('latency-p59', ['latency-p95', 'latency-p99'])).toBe('latency-p95');
  });

  it('ignores case, and says so when only the case differs', () => {
    expect(closestName('Systems', sections)).toBe('systems');
    expect(closestName('systemofrecord', ['id', 'systemOfRecord'])).toBe('systemOfRecord');
  });

  it('suggests nothing for a word close to no name', () => {
    expect(closestName('colour', ['id', 'name', 'owner', 'kind'])).toBeUndefined();
    expect(closestName('ix', ['id', 'name'])).toBeUndefined();
    expect(closestName('gone', ['active', 'deprecated', 'retired'])).toBeUndefined();
    expect(closestName('anything', [])).toBeUndefined();
    expect(closestName('erp', ['crm', 'wms'])).toBeUndefined();
  });

  it('never suggests the word itself, and prefers the closest name', () => {
    expect(closestName('crm', ['crm'])).toBeUndefined();
    expect(closestName('crmm', ['erp', 'crm-api', 'crm'])).toBe('crm');
  });
});

describe('didYouMean', () => {
  it('is a parenthesis to write after the quoted word, or nothing', () => {
    expect(didYouMean('deprecatd', ['active', 'deprecated', 'retired'])).toBe(' (did you mean "deprecated"?)');
    expect(didYouMean('gone', ['active', 'deprecated', 'retired'])).toBe('');
  });
});
