import { describe, expect, it } from 'vitest';
import { encodeRows } from './row-binary.ts';
import { segmentRows } from './row-binary-reader.ts';
import { tables } from './tables.ts';

const DAY = 86_400_000_000_000n;

describe('segmentRows', () => {
  it('finds each row of a segment and the day of its partition column', () => {
    const row = (day: bigint, name: string) => {
      const ts = String(day * DAY + 5n);
      return [ts, 'ab', 'cd', '', '', name, 'Client', 'svc', { k: 'v' }, '', '', { a: '1', b: '2' }, '7', 'Ok', '', [ts], ['e'], [{}], [], [], [], []];
    };
    const rows = [row(20000n, 'x'), row(20001n, 'y'.repeat(300)), row(20000n, 'z')];
    const data = encodeRows(tables.otel_traces, rows);
    const found = segmentRows(tables.otel_traces, data);
    expect(found.map((r) => r.day)).toEqual([20000, 20001, 20000]);
    expect(Buffer.concat(found.map((r) => data.subarray(r.start, r.end)))).toEqual(data);
    expect(found.map((r) => encodeRows(tables.otel_traces, [rows[found.indexOf(r)]]).length)).toEqual(found.map((r) => r.end - r.start));
  });

  it('refuses a segment cut inside a row', () => {
    const data = encodeRows(tables.otel_logs, [['1', '', '', 0, '', 0, 's', 'body', '', {}, '', '', '', {}, {}]]);
    expect(() => segmentRows(tables.otel_logs, data.subarray(0, data.length - 3))).toThrow(/ends inside/);
  });
});
