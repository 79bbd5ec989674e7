import { describe, expect, it } from 'vitest';
import { RecordCollection } from './record-store.ts';

describe('record collection', () => {
  it('hands a sync only what changed after its watermark, oldest first', () => {
    const c = new RecordCollection('customers', 'CUS');
    const a = c.create({ name: 'a' });
    c.create({ name: 'b' });
    const mark = c.lastSeq();
    c.patch(a.id, { name: 'a2' });
    c.create({ name: 'c' });
    expect(c.changedSince(mark).map((r) => r.name)).toEqual(['a2', 'c']);
    expect(c.changedSince(mark, 1).map((r) => r.name)).toEqual(['a2']);
  });

  it('loses the records a storage defect rejects, now and when they are written again, until repaired', () => {
    const c = new RecordCollection('customers', 'CUS');
    for (let i = 0; i < 10; i++) c.create({});
    c.loseRecords((id) => !id.endsWith('3'));
    expect(c.count()).toBe(9);
    c.put('CUS-000003', { name: 'again' });
    expect(c.get('CUS-000003')).toBeUndefined();
    c.loseRecords(undefined);
    c.put('CUS-000003', { name: 'repaired' });
    expect(c.count()).toBe(10);
  });
});
