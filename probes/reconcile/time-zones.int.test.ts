import { afterEach, describe, expect, it } from 'vitest';
import { Secrets } from '../index.ts';
import { runReconciliation } from './index.ts';
import { twoDatabases } from './test/two-databases.ts';

/**
 * Instants (timestamptz, MariaDB TIMESTAMP) and wall-clock times (timestamp, DATETIME) written by
 * sessions in other zones than UTC, read by Weft with PostgreSQL's TimeZone set to New York: the same
 * instant matches, and a wall-clock time against an instant is either read in its configured zone or
 * noted, never compared silently as UTC.
 */
const db = await twoDatabases();
const { up, suffix, tables } = db;
const secrets = new Secrets(() => undefined);
const savedOptions = process.env.PGOPTIONS;
afterEach(() => {
  if (savedOptions === undefined) delete process.env.PGOPTIONS;
  else process.env.PGOPTIONS = savedOptions;
});

interface Side {
  db: 'pg' | 'my';
  type: string;
  /** The writer's session zone (PostgreSQL TimeZone, MariaDB time_zone). */
  writer: string;
  values: string[];
  timeZone?: string;
}

/** Both tables written by sessions in the writers' zones, then a run each way with Weft's PostgreSQL sessions in America/New_York. */
async function bothWays(name: string, a: Side, b: Side) {
  const t = (s: Side, i: number) => `rk_tz_${name}_${i}_${suffix}`;
  for (const [i, s] of [a, b].entries()) {
    const table = t(s, i);
    tables.push(table);
    if (s.db === 'pg') {
      await db.pg.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, v ${s.type})`);
      await db.pg.query(`SET TIME ZONE '${s.writer}'`);
      for (const [j, v] of s.values.entries()) await db.pg.query(`INSERT INTO ${table} VALUES ($1, $2)`, [j + 1, v]);
      await db.pg.query(`SET TIME ZONE 'UTC'`);
    } else {
      await db.my.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, v ${s.type})`);
      await db.my.query(`SET time_zone = '${s.writer}'`);
      for (const [j, v] of s.values.entries()) await db.my.query(`INSERT INTO ${table} VALUES (?, ?)`, [j + 1, v]);
      await db.my.query(`SET time_zone = '+00:00'`);
    }
  }
  const spec = (s: Side, i: number) => ({
    system: s.db === 'pg' ? 'crm' : 'erp',
    url: s.db === 'pg' ? 'postgres://postgres@127.0.0.1:5432/test' : 'mysql://root@127.0.0.1:3306/test',
    table: t(s, i),
    ...(s.timeZone ? { timeZone: s.timeZone } : {}),
  });
  process.env.PGOPTIONS = '-c TimeZone=America/New_York';
  const out = [];
  for (const [left, right] of [
    [spec(a, 0), spec(b, 1)],
    [spec(b, 1), spec(a, 0)],
  ]) {
    const run = await runReconciliation({ id: `rec-${name}`, key: 'id', columns: ['v'], left, right }, { secrets });
    out.push({ error: run.error, changed: run.sampleChanged, notes: (run.details.columnNotes ?? []).map((n) => n.note.replace(/ rk_tz_\w+\.v/g, ' v')) });
  }
  return out;
}

/** Tables keyed by a timestamp (and a text part, `composite`), each row written at a wall-clock time or instant in UTC; a run each way. */
async function keyedBothWays(name: string, a: Side, b: Side, composite = false) {
  const t = (i: number) => `rk_tzk_${name}_${i}_${suffix}`;
  for (const [i, s] of [a, b].entries()) {
    const table = t(i);
    tables.push(table);
    const key = composite ? 'PRIMARY KEY (region, k)' : 'PRIMARY KEY (k)';
    if (s.db === 'pg') {
      await db.pg.query(`CREATE TABLE ${table} (region varchar(10) NOT NULL, k ${s.type} NOT NULL, v integer, ${key})`);
      await db.pg.query(`SET TIME ZONE '${s.writer}'`);
      for (const [j, v] of s.values.entries()) await db.pg.query(`INSERT INTO ${table} VALUES ('eu', $1, $2)`, [v, j + 1]);
      await db.pg.query(`SET TIME ZONE 'UTC'`);
    } else {
      await db.my.query(`CREATE TABLE ${table} (region varchar(10) NOT NULL, k ${s.type} NOT NULL, v integer, ${key})`);
      await db.my.query(`SET time_zone = '${s.writer}'`);
      for (const [j, v] of s.values.entries()) await db.my.query(`INSERT INTO ${table} VALUES ('eu', ?, ?)`, [v, j + 1]);
      await db.my.query(`SET time_zone = '+00:00'`);
    }
  }
  const spec = (s: Side, i: number) => ({
    system: s.db === 'pg' ? 'crm' : 'erp',
    url: s.db === 'pg' ? 'postgres://postgres@127.0.0.1:5432/test' : 'mysql://root@127.0.0.1:3306/test',
    table: t(i),
    ...(s.timeZone ? { timeZone: s.timeZone } : {}),
  });
  process.env.PGOPTIONS = '-c TimeZone=America/New_York';
  const out = [];
  for (const [left, right] of [
    [spec(a, 0), spec(b, 1)],
    [spec(b, 1), spec(a, 0)],
  ]) {
    const key = composite ? ['region', 'k'] : 'k';
    const run = await runReconciliation({ id: `rec-${name}`, key, columns: ['v'], left, right }, { secrets });
    out.push({
      error: run.error,
      missing: run.sampleMissing,
      extra: run.sampleExtra,
      changed: run.sampleChanged,
      notes: (run.details.columnNotes ?? []).map((n) => `${n.column}: ${n.note.replace(/ rk_tzk_\w+\.k/g, ' k')}`),
    });
  }
  return out;
}

const both = <T>(x: T) => [x, x];
// Wall-clock times in Berlin, the last in the hour that the change to winter time repeats (02:30 is 00:30 and 01:30 UTC).
const berlin = ['2024-06-01 12:00:00', '2024-01-15 08:30:00', '2024-10-27 02:30:00'];
const utc = ['2024-06-01 10:00:00', '2024-01-15 07:30:00', '2024-10-27 01:30:00'];
const ok = { error: '', changed: [], notes: [] };

describe.skipIf(!up)('reconciliation of timestamps across time zones', () => {
  it('timestamptz against MariaDB TIMESTAMP written in Berlin and at +02:00, read with TimeZone New York: the same instants match, an hour off is a change', async () => {
    const pg = { db: 'pg' as const, type: 'timestamptz', writer: 'Europe/Berlin', values: berlin };
    expect(await bothWays('inst', pg, { db: 'my', type: 'timestamp', writer: '+00:00', values: utc })).toEqual(both(ok));
    const offHour = ['2024-06-01 13:00:00', berlin[1], berlin[2]];
    expect(await bothWays('inst1', pg, { db: 'my', type: 'timestamp', writer: '+02:00', values: offHour })).toEqual(both({ ...ok, changed: ['1', '2', '3'] }));
  });

  it('timestamp against DATETIME (wall-clock times on both sides): compared as written, whatever the zones', async () => {
    expect(
      await bothWays(
        'wall',
        { db: 'pg', type: 'timestamp', writer: 'Asia/Tokyo', values: berlin },
        { db: 'my', type: 'datetime', writer: '+05:00', values: berlin },
      ),
    ).toEqual(both(ok));
  });

  it('timestamptz against DATETIME without a zone: noted, with what to set (every row was "changed" with no word of the zone)', async () => {
    const runs = await bothWays(
      'note',
      { db: 'pg', type: 'timestamptz', writer: 'Europe/Berlin', values: berlin },
      { db: 'my', type: 'datetime', writer: '+00:00', values: berlin },
    );
    expect(runs.map((r) => r.changed)).toEqual(both(['1', '2', '3']));
    expect(runs[0].notes).toEqual([
      'right v (datetime) holds wall-clock times without a zone and left v (timestamp with time zone(6)) holds instants: compared as if the wall-clock times were UTC: values written in another zone read as changed by its offset, and equal ones are the same instant only if they were written in UTC. Set timeZone on the right side of this reconciliation to the zone they are written in (an IANA name such as Europe/Berlin, or +01:00).',
    ]);
    expect(runs[1].notes[0]).toMatch(/^left v \(datetime\) holds wall-clock times .* Set timeZone on the left side/);
  });

  it('timestamptz against DATETIME in a named zone or at an offset: the same instants match, in the repeated hour too; an hour off is a change', async () => {
    const pg = { db: 'pg' as const, type: 'timestamptz', writer: 'Europe/Berlin', values: berlin };
    expect(await bothWays('named', pg, { db: 'my', type: 'datetime', writer: '+00:00', values: berlin, timeZone: 'Europe/Berlin' })).toEqual(both(ok));
    expect(await bothWays('offset', pg, { db: 'my', type: 'datetime(3)', writer: '+00:00', values: berlin.slice(0, 1), timeZone: '+02:00' })).toEqual(both(ok));
    expect(
      await bothWays('named1', pg, {
        db: 'my',
        type: 'datetime',
        writer: '+00:00',
        values: ['2024-06-01 11:00:00', ...berlin.slice(1)],
        timeZone: 'Europe/Berlin',
      }),
    ).toEqual(both({ ...ok, changed: ['1'] }));
    // The earlier instant of the repeated hour (00:30 UTC) reads 02:30 in Berlin too: the DATETIME cannot tell them apart.
    const earlier = { db: 'pg' as const, type: 'timestamptz', writer: 'UTC', values: ['2024-10-27 00:30:00'] };
    expect(
      await bothWays('repeated', earlier, { db: 'my', type: 'datetime', writer: '+00:00', values: ['2024-10-27 02:30:00'], timeZone: 'Europe/Berlin' }),
    ).toEqual(both(ok));
  });

  it('timestamp in Berlin against MariaDB TIMESTAMP, and against DATETIME in UTC: the same instants match', async () => {
    const pg = { db: 'pg' as const, type: 'timestamp', writer: 'UTC', values: berlin, timeZone: 'Europe/Berlin' };
    expect(await bothWays('pgwall', pg, { db: 'my', type: 'timestamp', writer: '+00:00', values: utc })).toEqual(both(ok));
    expect(await bothWays('twozones', pg, { db: 'my', type: 'datetime', writer: '+00:00', values: utc, timeZone: 'UTC' })).toEqual(both(ok));
  });

  it("a timestamptz key against a DATETIME key: read in the DATETIME side's timeZone as values are, a changed row and a missing key found; without the zone, noted (keys were missing and extra with no word of it)", async () => {
    const pg = { db: 'pg' as const, type: 'timestamptz', writer: 'Europe/Berlin', values: berlin };
    const my = { db: 'my' as const, type: 'datetime', writer: '+00:00', values: berlin };
    const none = { error: '', missing: [], extra: [], changed: [], notes: [] };
    expect(await keyedBothWays('named', pg, { ...my, timeZone: 'Europe/Berlin' })).toEqual(both(none));
    expect(await keyedBothWays('composite', pg, { ...my, timeZone: 'Europe/Berlin' }, true)).toEqual(both(none));
    // MariaDB holds one key fewer and one value changed: the key is missing, the row changed, both looked up again in the zone (keys shown as Berlin wall-clock microseconds).
    const fewer = { ...my, timeZone: 'Europe/Berlin', values: [berlin[0], berlin[2]] };
    const runs = await keyedBothWays('fewer', pg, fewer);
    expect(runs.map((r) => [r.missing, r.extra, r.changed])).toEqual([
      [['1705307400000000'], [], ['1729996200000000']],
      [[], ['1705307400000000'], ['1729996200000000']],
    ]);
    // PostgreSQL's wall-clock key in Berlin against MariaDB TIMESTAMP keys written in UTC
    expect(
      await keyedBothWays(
        'pgwall',
        { db: 'pg', type: 'timestamp', writer: 'UTC', values: berlin, timeZone: 'Europe/Berlin' },
        { db: 'my', type: 'timestamp', writer: '+00:00', values: utc },
      ),
    ).toEqual(both(none));
    const unzoned = await keyedBothWays('keynote', pg, my);
    expect(unzoned.map((r) => r.missing.length + r.extra.length)).toEqual([6, 6]);
    expect(unzoned[0].notes).toEqual([
      'k: right k (datetime) holds wall-clock times without a zone and left k (timestamp with time zone(6)) holds instants: compared as if the wall-clock times were UTC: keys written in another zone read as missing on one side and extra on the other, moved by its offset, and equal ones are the same instant only if they were written in UTC. Set timeZone on the right side of this reconciliation to the zone they are written in (an IANA name such as Europe/Berlin, or +01:00).',
    ]);
    expect(unzoned[1].notes[0]).toMatch(
      /^k: left k \(datetime\) holds wall-clock times .* keys written in another zone read as missing .* Set timeZone on the left side/,
    );
  });

  it('a zone that the converting database does not know: the run fails saying what to change', async () => {
    const runs = await bothWays(
      'unknown',
      { db: 'pg', type: 'timestamp', writer: 'UTC', values: berlin, timeZone: 'Mars/Olympus' },
      { db: 'my', type: 'timestamp', writer: '+00:00', values: utc },
    );
    expect(runs.map((r) => r.error)).toEqual(
      both(`time zone "Mars/Olympus" is not known to crm's database, which converts with it: give a zone it knows, or an offset such as +01:00`),
    );
    // Two MariaDB tables: MariaDB converts, and knows zone names only with its time zone tables loaded.
    const [[named]] = (await db.my.query(`SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', 'Europe/Berlin') IS NOT NULL AS ok`)) as unknown as [
      Array<{ ok: number }>,
    ];
    const my = await bothWays(
      'mymy',
      { db: 'my', type: 'timestamp', writer: '+00:00', values: utc },
      { db: 'my', type: 'datetime', writer: '+00:00', values: berlin, timeZone: 'Europe/Berlin' },
    );
    if (Number(named.ok) === 1) expect(my).toEqual(both(ok));
    else expect(my.map((r) => r.error)).toEqual(both(expect.stringMatching(/^time zone "Europe\/Berlin" is not known to erp's database.*time zone tables/)));
    expect(
      await bothWays(
        'mymyoff',
        { db: 'my', type: 'timestamp', writer: '+00:00', values: utc.slice(0, 1) },
        { db: 'my', type: 'datetime', writer: '+00:00', values: berlin.slice(0, 1), timeZone: '+02:00' },
      ),
    ).toEqual(both(ok));
  });

  it('two MariaDB DATETIME columns in two zones: a value outside 1970–2038, which MariaDB cannot convert, is a change (it was left unconverted and matched)', async () => {
    // MariaDB converts a DATETIME between zones only inside TIMESTAMP's range: a 1960 value was left as it was, and matched the same text in UTC.
    expect(
      await bothWays(
        'mymy1960',
        { db: 'my', type: 'datetime', writer: '+00:00', values: ['1960-06-01 12:00:00', '2000-06-01 12:00:00'], timeZone: '+02:00' },
        { db: 'my', type: 'datetime', writer: '+00:00', values: ['1960-06-01 12:00:00', '2000-06-01 10:00:00'], timeZone: 'UTC' },
      ),
    ).toEqual(both({ ...ok, changed: ['1'] }));
  });
});
