import { TIME_ZONE_PATTERN } from '../../core/catalog/index.ts';
import type { SqlDialect } from '../sql/sql-source.ts';
import { checkedRegExp } from '../../core/text/checked-regexp.ts';

/**
 * Timestamps hold an instant (PostgreSQL timestamptz; MySQL/MariaDB TIMESTAMP, which is stored in UTC
 * and read in the session's zone, +00:00 in Weft's sessions) or a wall-clock time without a zone
 * (PostgreSQL timestamp; MySQL/MariaDB DATETIME). Two instants are compared as instants, whatever
 * either server's or session's zone; two wall-clock times as wall-clock times (written in one zone,
 * or in the zones that each side's `timeZone` names). An instant against a wall-clock time needs the
 * wall-clock side's zone: with it, the instant is read as the wall-clock time in that zone there
 * (exact: an instant has one wall-clock time; in the hour that a change to winter time repeats, the
 * two instants of one wall-clock time both match it), without it the wall-clock time is read as UTC
 * and the run says so (`zoneNoteOf`).
 */

/** Whether a declared timestamp type holds an instant (PostgreSQL with time zone, MySQL/MariaDB TIMESTAMP) rather than a wall-clock time. */
export function isZoned(dialect: SqlDialect, declaredType: string): boolean {
  const t = declaredType.toLowerCase().trim();
  return dialect === 'postgres' ? /^timestamp.*with time zone/.test(t) : /^timestamp\b/.test(t);
}

const zoneRe = checkedRegExp(TIME_ZONE_PATTERN);

function literal(zone: string): string {
  if (!zoneRe.test(zone)) throw new Error(`"${zone}" is not a time zone: give an IANA name such as Europe/Berlin, UTC, or an offset such as +01:00`);
  return `'${zone}'`;
}

/** PostgreSQL reads a zone text '+02:00' as POSIX, west of Greenwich (UTC-2): an offset is given as an interval, east positive. */
const pgZone = (zone: string) => (/^[+-]/.test(zone) ? `INTERVAL ${literal(zone)}` : literal(zone));

/** MySQL/MariaDB name UTC by an offset: a server without time zone tables knows no names. */
const myZone = (zone: string) => literal(zone === 'UTC' ? '+00:00' : zone);

/** An instant column `c` as its wall-clock time in `zone` (PostgreSQL: timestamp; MySQL/MariaDB: DATETIME, from a session at +00:00). */
export const wallClockIn: Record<SqlDialect, (c: string, zone: string) => string> = {
  postgres: (c, zone) => `(${c} AT TIME ZONE ${pgZone(zone)})`,
  mysql: (c, zone) => `CONVERT_TZ(${c}, '+00:00', ${myZone(zone)})`,
};

/** A wall-clock column `c` written in zone `from` as the wall-clock time in zone `to`. */
export const wallClockFrom: Record<SqlDialect, (c: string, from: string, to: string) => string> = {
  postgres: (c, from, to) => `((${c} AT TIME ZONE ${pgZone(from)}) AT TIME ZONE ${pgZone(to)})`,
  // CONVERT_TZ leaves a value outside TIMESTAMP's range (1970–2038) as it is, unconverted: such a value reads NULL, then "invalid …" (`planColumn`), a difference.
  mysql: (c, from, to) => `IF(${c} > '1970-01-02 00:00:00' AND ${c} < '2038-01-18 00:00:00', CONVERT_TZ(${c}, ${myZone(from)}, ${myZone(to)}), NULL)`,
};

/** One side of a timestamp pair: its dialect, declared type, quoted column, and the zone of its wall-clock values if known. */
export interface ZoneSide {
  dialect: SqlDialect;
  type: string;
  column: string;
  timeZone?: string;
}

/** The column expressions to compare, one per side, and the zones each side's database converts with (`zonedColumns`). */
export interface ZonedColumns {
  columns: [string, string];
  /** Per side, the zones its SQL names: they must be known to that database (`checkZones` in run-reconciliation.ts). */
  zones: [string[], string[]];
}

/**
 * The column expressions to compare, one per side. An instant against a wall-clock time whose zone is
 * known: the instant read as the wall-clock time in that zone (exact), except where the instant is in
 * MySQL/MariaDB and the wall-clock time in PostgreSQL, which knows every IANA zone (MySQL/MariaDB knows
 * names only with its time zone tables loaded): there the wall-clock time is read as an instant in its
 * zone (in the hour that a change to winter time repeats, as the later of the two instants, PostgreSQL's
 * choice). Two wall-clock times in two known zones: the PostgreSQL side's (else the left's) moved to
 * the other's zone. Otherwise the columns as they are.
 */
export function zonedColumns(sides: [ZoneSide, ZoneSide]): ZonedColumns {
  const out: ZonedColumns = { columns: [sides[0].column, sides[1].column], zones: [[], []] };
  const zoned = sides.map((s) => isZoned(s.dialect, s.type));
  if (zoned[0] !== zoned[1]) {
    const wall = zoned[0] ? 1 : 0;
    const instant = 1 - wall;
    const zone = sides[wall].timeZone;
    if (!zone) return out;
    if (sides[wall].dialect === 'postgres' && sides[instant].dialect !== 'postgres') {
      out.columns[wall] = `(${sides[wall].column} AT TIME ZONE ${pgZone(zone)})`;
      out.zones[wall].push(zone);
    } else {
      out.columns[instant] = wallClockIn[sides[instant].dialect](sides[instant].column, zone);
      out.zones[instant].push(zone);
    }
    return out;
  }
  const [a, b] = sides.map((s) => s.timeZone);
  if (!zoned[0] && a && b && a !== b) {
    const moved = sides[1].dialect === 'postgres' && sides[0].dialect !== 'postgres' ? 1 : 0;
    const s = sides[moved];
    out.columns[moved] = wallClockFrom[s.dialect](s.column, s.timeZone!, sides[1 - moved].timeZone!);
    out.zones[moved].push(a, b);
  }
  return out;
}

/**
 * What a run says of a timestamp pair whose wall-clock side's zone is unknown (an instant against a
 * wall-clock time, compared as if the wall-clock time were UTC): the columns, what it does to them
 * (`role` 'key': a key column, whose values read as missing and extra rather than changed), and what
 * to set. Undefined for any other pair (a timestamp against a text or a number column is not noted).
 */
export function zoneNoteOf(
  sides: [ZoneSide & { name: string; which: 'left' | 'right' }, ZoneSide & { name: string; which: 'left' | 'right' }],
  role: 'value' | 'key' = 'value',
): string | undefined {
  if (!sides.every((s) => /^(timestamp|datetime)\b/i.test(s.type.trim()))) return undefined;
  const zoned = sides.map((s) => isZoned(s.dialect, s.type));
  if (zoned[0] === zoned[1]) return undefined;
  const wall = sides[zoned[0] ? 1 : 0];
  const instant = sides[zoned[0] ? 0 : 1];
  if (wall.timeZone) return undefined;
  return (
    `${wall.which} ${wall.name} (${wall.type}) holds wall-clock times without a zone and ${instant.which} ${instant.name} (${instant.type}) holds instants: ` +
    `compared as if the wall-clock times were UTC: ${role === 'key' ? 'keys written in another zone read as missing on one side and extra on the other, moved by its offset' : 'values written in another zone read as changed by its offset'}, and equal ones are the same instant only if they were written in UTC. ` +
    `Set timeZone on the ${wall.which} side of this reconciliation to the zone they are written in (an IANA name such as Europe/Berlin, or +01:00).`
  );
}
