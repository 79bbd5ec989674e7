import { describe, expect, it } from 'vitest';
import { diffShapes, schemaDriftCandidates } from './schema-drift.ts';

const cols = (list: Array<[string, string, boolean]>) =>
  JSON.stringify(list.map(([column, type, nullable]) => ({ table: 'customers', column, type, nullable })));

describe('diffShapes', () => {
  it('lists added, removed and retyped columns', () => {
    const before = cols([
      ['id', 'bigint', false],
      ['email', 'varchar(80)', true],
      ['legacy', 'text', true],
    ]);
    const after = cols([
      ['id', 'bigint', false],
      ['email', 'varchar(200)', true],
      ['vip', 'boolean', true],
    ]);
    expect(diffShapes(before, after)).toEqual({
      added: ['customers.vip: boolean'],
      removed: ['customers.legacy: text'],
      changed: [{ path: 'customers.email', before: 'varchar(80)', after: 'varchar(200)' }],
    });
  });

  it('walks JSON shapes through arrays', () => {
    const before = JSON.stringify({ items: [{ id: 'number' }], total: 'number' });
    const after = JSON.stringify({ items: [{ id: 'string' }], total: 'number' });
    expect(diffShapes(before, after).changed).toEqual([{ path: '$.items[].id', before: 'number', after: 'string' }]);
  });
});

describe('schemaDriftCandidates', () => {
  const snap = (fingerprint: string, shape: string) => ({ ts: new Date('2026-01-01T00:00:00Z'), fingerprint, shape });
  it('opens nothing while the shape equals the baseline', () => {
    expect(schemaDriftCandidates([{ probeId: 'p', system: 'crm', domain: '', baseline: snap('a', '{}'), current: snap('a', '{}') }])).toEqual([]);
  });
  it('rates a removed field higher than an added one', () => {
    const [removed] = schemaDriftCandidates([
      { probeId: 'p', system: 'crm', domain: 'customer', baseline: snap('a', '{"a":"number"}'), current: snap('b', '{}') },
    ]);
    const [added] = schemaDriftCandidates([{ probeId: 'q', system: 'crm', domain: '', baseline: snap('a', '{}'), current: snap('b', '{"a":"number"}') }]);
    expect(removed).toMatchObject({ kind: 'schema-drift', key: 'p', severity: 'high', subject: { systems: ['crm'], domains: ['customer'] } });
    expect(added.severity).toBe('medium');
  });
});
