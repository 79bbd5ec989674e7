import { describe, expect, it } from 'vitest';
import { zoneNoteOf, zonedColumns } from './time-zone.ts';

const side = (dialect: 'postgres' | 'mysql', type: string, which: 'left' | 'right', timeZone?: string) => ({
  dialect,
  type,
  column: 'v',
  name: 't.v',
  which,
  ...(timeZone ? { timeZone } : {}),
});

describe('zoneNoteOf', () => {
  it('notes an instant against a wall-clock time of unknown zone, naming the side to set', () => {
    expect(zoneNoteOf([side('postgres', 'timestamp with time zone(6)', 'left'), side('mysql', 'datetime', 'right')])).toMatch(/Set timeZone on the right side/);
    expect(zoneNoteOf([side('postgres', 'timestamp without time zone(6)', 'left'), side('mysql', 'timestamp', 'right')])).toMatch(
      /Set timeZone on the left side/,
    );
  });

  it('notes a key column as such: its keys read as missing and extra, not changed', () => {
    const note = zoneNoteOf([side('postgres', 'timestamp with time zone(6)', 'left'), side('mysql', 'datetime', 'right')], 'key');
    expect(note).toMatch(/keys written in another zone read as missing on one side and extra on the other, moved by its offset/);
    expect(note).toMatch(/Set timeZone on the right side/);
  });

  it('notes nothing once the zone is set, for two instants or two wall-clock times, or against a column that is no timestamp (a text column against timestamptz was noted)', () => {
    expect(zoneNoteOf([side('postgres', 'timestamp with time zone(6)', 'left'), side('mysql', 'datetime', 'right', 'Europe/Berlin')])).toBeUndefined();
    expect(zoneNoteOf([side('postgres', 'timestamp with time zone(6)', 'left'), side('mysql', 'timestamp', 'right')])).toBeUndefined();
    expect(zoneNoteOf([side('postgres', 'timestamp without time zone(3)', 'left'), side('mysql', 'datetime(3)', 'right')])).toBeUndefined();
    expect(zoneNoteOf([side('postgres', 'timestamp with time zone(6)', 'left'), side('mysql', 'varchar(30)', 'right')])).toBeUndefined();
  });
});

describe('zonedColumns', () => {
  it('converts in PostgreSQL where it can, an offset as an interval (PostgreSQL reads the text +02:00 as UTC-2)', () => {
    expect(zonedColumns([side('postgres', 'timestamp with time zone', 'left'), side('mysql', 'datetime', 'right', '+02:00')])).toEqual({
      columns: [`(v AT TIME ZONE INTERVAL '+02:00')`, 'v'],
      zones: [['+02:00'], []],
    });
    expect(zonedColumns([side('postgres', 'timestamp without time zone', 'left', 'Europe/Berlin'), side('mysql', 'timestamp', 'right')])).toEqual({
      columns: [`(v AT TIME ZONE 'Europe/Berlin')`, 'v'],
      zones: [['Europe/Berlin'], []],
    });
    expect(() => zonedColumns([side('postgres', 'timestamp with time zone', 'left'), side('mysql', 'datetime', 'right', "x'; DROP TABLE t; --")])).toThrow(
      /is not a time zone/,
    );
  });
});
