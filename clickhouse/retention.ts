import type { RetentionConfig } from '../core/config/index.ts';
import type { Migration } from './migrate.ts';
import type { Store } from './store.ts';

const VARS: Record<string, keyof RetentionConfig> = { RAW_TTL_DAYS: 'rawDays', ROLLUP_TTL_DAYS: 'rollupDays', RECORD_TTL_DAYS: 'recordDays' };

export interface TtlRule {
  table: string;
  /** The TTL expression with its template variable, e.g. `toDateTime(Timestamp) + toIntervalDay({{RAW_TTL_DAYS}})`. */
  template: string;
  days: keyof RetentionConfig;
}

/** TTL clauses that carry a retention template variable, per table, from the migration files. */
export function ttlRules(migrations: Migration[]): TtlRule[] {
  const rules: TtlRule[] = [];
  for (const m of migrations) {
    for (const statement of m.sql.split(/;\s*$/m)) {
      const table = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?(\w+)`?/i.exec(statement)?.[1];
      // Our own migration files, not a client's input.
      // eslint-disable-next-line regexp/no-super-linear-backtracking, regexp/no-super-linear-move
      const ttl = /^\s*TTL\s+(.+?)\s*$/m.exec(statement)?.[1];
      const variable = ttl ? /\{\{(\w+)\}\}/.exec(ttl)?.[1] : undefined;
      if (table && ttl && variable && VARS[variable]) rules.push({ table, template: ttl, days: VARS[variable] });
    }
  }
  return rules;
}

const render = (template: string, retention: RetentionConfig) => template.replace(/\{\{(\w+)\}\}/g, (_m, v: string) => String(retention[VARS[v]]));

/**
 * Applies the configured retention to tables created under other settings: when a table's TTL
 * names a different number of days than the configuration, `ALTER TABLE … MODIFY TTL` sets it.
 * Returns the tables changed.
 */
export async function applyRetention(store: Store, migrations: Migration[], retention: RetentionConfig): Promise<string[]> {
  const rules = ttlRules(migrations);
  if (rules.length === 0) return [];
  const local = (t: string) => (store.cluster ? `${t}_local` : t);
  const rows = await store.client
    .query({
      query: 'SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
      query_params: { names: rules.map((r) => local(r.table)) },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ name: string; engine_full: string }>());
  const current = new Map(rows.map((r) => [r.name, r.engine_full]));
  const changed: string[] = [];
  for (const rule of rules) {
    const engine = current.get(local(rule.table));
    if (!engine) continue;
    const days = /\bTTL\b.*?toIntervalDay\((\d+)\)/s.exec(engine)?.[1];
    if (days === undefined || Number(days) === retention[rule.days]) continue;
    const on = store.cluster ? ` ON CLUSTER '${store.cluster}'` : '';
    await store.client.command({ query: `ALTER TABLE \`${local(rule.table)}\`${on} MODIFY TTL ${render(rule.template, retention)}` });
    changed.push(rule.table);
  }
  return changed;
}
