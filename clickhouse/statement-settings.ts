/** Settings of one statement: ClickHouse setting names → numbers or strings. */
export type StatementSettings = Readonly<Record<string, number | string>>;

/** A ClickHouse string literal: `'…'` with backslashes and quotes escaped. */
export const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * `a = 1, b = 'x'`: settings as a SETTINGS clause or a SET statement lists them. Throws on a name that is not a
 * setting name (letters, digits, `_`).
 */
export function settingsList(settings: StatementSettings): string {
  const entries = Object.entries(settings);
  for (const [k] of entries) if (!/^[a-z_][a-z0-9_]*$/i.test(k)) throw new Error(`not a setting name: ${JSON.stringify(k)}`);
  return entries.map(([k, v]) => `${k} = ${typeof v === 'number' ? String(v) : sqlString(v)}`).join(', ');
}

/**
 * ` SETTINGS a = 1, b = 'x'`, to write after an INSERT's column list or at the end of a SELECT:
 * settings written in the statement hold for that statement only. Settings given beside a query
 * (`clickhouse_settings`) are request parameters for a server but `SET` for the whole session of the
 * embedded engine, so the embedded store refuses them (clickhouse/store.ts). '' for no settings.
 * Throws on a name that is not a setting name (letters, digits, `_`).
 */
export function settingsClause(settings: StatementSettings | undefined): string {
  if (!settings || Object.keys(settings).length === 0) return '';
  return ` SETTINGS ${settingsList(settings)}`;
}

/**
 * The settings of an insert that claims `token` (a compare-and-set on the store): of several inserts carrying the same
 * deduplication token, the engine keeps the first and drops the others as duplicates, within the table's deduplication
 * window (`non_replicated_deduplication_window`; Keeper on a replicated table), and a Distributed table forwards the
 * insert before it returns. The claimant reads back what is stored to learn whether its insert won. Used by the
 * alerting lease and the audit log's seq.
 */
export function claimSettings(token: string): StatementSettings {
  return { insert_deduplicate: 1, insert_deduplication_token: token, insert_distributed_sync: 1 };
}
