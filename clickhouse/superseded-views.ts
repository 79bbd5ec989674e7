import { ALTER_TABLE, CREATE_MV, CREATE_OTHER, CREATE_TABLE, DROP, INSERT_INTO } from './statement-kinds.ts';

/** The view a `CREATE [MATERIALIZED] VIEW` statement makes, else undefined. */
function viewCreated(statement: string): string | undefined {
  const mv = CREATE_MV.exec(statement);
  if (mv) return mv[2];
  const other = CREATE_OTHER.exec(statement);
  return other && other[2].toUpperCase() === 'VIEW' ? other[4] : undefined;
}

/** Whether `statement` names `name` (an identifier of word characters) as a whole word. */
// eslint-disable-next-line no-restricted-syntax -- built from Weft's own table names, read against its own migrations
const names = (statement: string, name: string) => new RegExp(`(?<!\\w)${name}(?!\\w)`).test(statement);

/**
 * The statements of one migration run that need not be sent: a `CREATE [MATERIALIZED] VIEW name` that a later
 * statement of the same run drops (`DROP VIEW|TABLE [IF EXISTS] name`) — a view restated by a later migration, as
 * weft_span_touches_mv is ten times — when nothing in between could see the difference:
 * - no statement in between names the view (an `ALTER TABLE name MODIFY QUERY`, a second CREATE);
 * - no `INSERT INTO t` in between writes a table the view's statement names (rows it would have passed on), or a table
 *   any materialized view reads (its rows may reach the view through that one: otel_traces → weft_spans_unclassified_mv
 *   → weft_span_touches_mv; on a cluster the view reads `t_local` where the insert writes `t`);
 * - every statement in between is a CREATE TABLE, CREATE [MATERIALIZED] VIEW, ALTER TABLE, DROP or INSERT (another kind
 *   stops the search: it might depend on the view).
 * A view the run creates, drops and creates again ends as its last statement says either way; a fresh store made
 * 11 views of which 1 stayed, 2.2 of its 3.5 CPU-s of migrating (2026-12-04).
 * @param statements one run's statements in order, rendered (`renderMigration`) and in the store's form.
 * @param known statements of every migration, applied before this run or not, searched for the views that read a table
 *   (default: `statements`).
 * @returns the indexes into `statements` to leave out.
 */
export function supersededViews(statements: readonly string[], known: readonly string[] = statements): Set<number> {
  const views = [...known, ...statements].filter((s) => CREATE_MV.test(s));
  // Whether a materialized view reads `table` (or its cluster twin `table_local`): an insert into it reaches other tables.
  // eslint-disable-next-line no-restricted-syntax -- built from Weft's own table names, read against its own migrations
  const relayed = (table: string) => views.some((v) => new RegExp(`\\b(?:FROM|JOIN)\\s+\`?${table}(?:_local)?\`?(?!\\w)`, 'i').test(v));
  const out = new Set<number>();
  for (let i = 0; i < statements.length; i++) {
    const view = viewCreated(statements[i]);
    if (view === undefined || /\bPOPULATE\b/i.test(statements[i])) continue;
    for (let j = i + 1; j < statements.length; j++) {
      const s = statements[j];
      const dropped = DROP.exec(s);
      if (dropped && (dropped[1].toUpperCase() === 'VIEW' || dropped[1].toUpperCase() === 'TABLE') && dropped[3] === view) {
        out.add(i);
        break;
      }
      if (names(s, view)) break;
      const inserted = INSERT_INTO.exec(s);
      if (inserted) {
        if (names(statements[i], inserted[1]) || relayed(inserted[1])) break;
        continue;
      }
      if (!(CREATE_TABLE.test(s) || viewCreated(s) !== undefined || ALTER_TABLE.test(s) || DROP.test(s))) break;
    }
  }
  return out;
}
