import { settingsList, type StatementSettings } from './statement-settings.ts';

/**
 * Query settings of the embedded engine's session, set once when the store opens (`SET`): they hold for
 * every statement of the process. Both turn off a rewrite of the query analyser that costs more than it
 * saves on Weft's statements, which are analysed every few seconds and read little (measured with
 * `npm run bench:pairing-tick`; docs/scaling.md, "Query analysis"):
 *
 * - `optimize_and_compare_chain`: derives more constant comparisons from chains of `AND`ed comparisons
 *   (`a < b AND b < 5` gains `a < 5`). On the pairing statement (~12 KB of SQL, subqueries five deep, many
 *   boolean expressions inside lambdas) its pass took 56 of the 100 ms of analysis, on an empty store.
 *   Weft's filters compare a column with a parameter: nothing for it to derive. The derived comparison can
 *   also be wrong: `dt < d AND d < '2026-01-01 00:00:00.5'` (a DateTime and a DateTime64 column, the table
 *   ordered by `dt`) gains `dt < '…00.5'`, a text that is not a DateTime, and fails (TYPE_MISMATCH) or drops the row.
 * - `optimize_aggregators_of_group_by_keys`: rewrites `min`/`max`/`any` of a GROUP BY key to the key;
 *   11 ms of the pairing statement's analysis. No Weft statement aggregates its own keys on purpose.
 *
 * ClickHouse's reference for both: https://clickhouse.com/docs/operations/settings/settings. A server is
 * left with its own profile's values (an older server may not know the first); they can be set there.
 */
export const EMBEDDED_SESSION_SETTINGS: Readonly<Record<string, number>> = {
  optimize_and_compare_chain: 0,
  optimize_aggregators_of_group_by_keys: 0,
};

/** The `SET` statement that gives a session `settings`. Throws on a name that is not a setting name. */
export function setStatement(settings: StatementSettings): string {
  return `SET ${settingsList(settings)}`;
}
