/** Settings of one statement: ClickHouse setting names → numbers or strings. */
export type StatementSettings = Readonly<Record<string, number | string>>;

/** A ClickHouse string literal: `'…'` with backslashes and quotes escaped. */
export const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * ` SETTINGS a = 1, b = 'x'`, to write after an INSERT's column list or at the end of a SELECT:
 * settings written in the statement hold for that statement only. Settings given beside a query
 * (`clickhouse_settings`) are request parameters for a server but `SET` for the whole session of the
 * embedded engine, so the embedded store refuses them (clickhouse/store.ts). '' for no settings.
 * Throws on a name that is not a setting name (letters, digits, `_`).
 */
export function settingsClause(settings: StatementSettings | undefined): string {
  const entries = Object.entries(settings ?? {});
  if (entries.length === 0) return '';
  for (const [k] of entries) if (!/^[a-z_][a-z0-9_]*$/i.test(k)) throw new Error(`not a setting name: ${JSON.stringify(k)}`);
  return ` SETTINGS ${entries.map(([k, v]) => `${k} = ${typeof v === 'number' ? String(v) : sqlString(v)}`).join(', ')}`;
}
