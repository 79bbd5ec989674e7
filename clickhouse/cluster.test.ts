import { describe, expect, it } from 'vitest';
import { clusterize, mergeTreeTables } from './cluster.ts';
import { listMigrations, renderMigration } from './migrate.ts';

const retention = { rawDays: 30, rollupDays: 400, recordDays: 730 };

/** Every migration file rendered for a cluster, in order, as migrate() does with --cluster. */
function clusterSchema(): string[] {
  const known = new Set<string>();
  const out: string[] = [];
  for (const m of listMigrations()) {
    const statements = renderMigration(m.sql, retention);
    out.push(...clusterize(statements, { cluster: 'weft', database: 'observability' }, known));
    for (const t of mergeTreeTables(statements)) known.add(t);
  }
  return out;
}

describe('clusterize', () => {
  const schema = clusterSchema();
  const find = (re: RegExp) => schema.filter((s) => re.test(s));

  it('runs every CREATE, ALTER and DROP on the cluster', () => {
    const ddl = find(/^(CREATE|ALTER|DROP)\b/);
    // Replaced twenty-one times: by 031, 033, 085, 092, 096, 107, 109, 110, 111, 113, 115, 119, 120, 122, 125, 126, 128, 129, 130, 131 and 139.
    expect(find(/^DROP VIEW IF EXISTS weft_span_touches_mv ON CLUSTER 'weft'$/)).toHaveLength(21);
    // A dropped MergeTree table goes on every node, its Distributed table and its _local twin.
    expect(find(/^DROP TABLE IF EXISTS weft_trace_touches(_local)? ON CLUSTER 'weft'$/)).toHaveLength(2);
    expect(ddl.length).toBeGreaterThan(10);
    for (const s of ddl) expect(s).toMatch(/ON CLUSTER 'weft'/);
  });

  it('leaves no non-replicated MergeTree engine', () => {
    for (const s of schema) expect(s).not.toMatch(/ENGINE\s*=\s*(?!Replicated)\w*MergeTree/);
  });

  it('makes otel_traces a Distributed table over a replicated otel_traces_local, sharded by trace', () => {
    expect(find(/^CREATE TABLE IF NOT EXISTS otel_traces_local /)[0]).toMatch(
      /ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/otel_traces_local', '\{replica\}'\)\nPARTITION BY toDate\(Timestamp\)/,
    );
    expect(find(/^CREATE TABLE IF NOT EXISTS otel_traces /)).toEqual([
      "CREATE TABLE IF NOT EXISTS otel_traces ON CLUSTER 'weft' AS otel_traces_local ENGINE = Distributed('weft', 'observability', otel_traces_local, " +
        "if(TraceId = '', cityHash64(ServiceName, SpanName, toDateTime(Timestamp), Timestamp), cityHash64(TraceId)))",
    ]);
    for (const t of ['otel_metrics_sum', 'otel_metrics_gauge', 'otel_metrics_histogram', 'otel_logs', 'otel_traces_trace_id_ts']) {
      expect(find(new RegExp(`^CREATE TABLE IF NOT EXISTS ${t} ON CLUSTER 'weft' AS ${t}_local ENGINE = Distributed\\(`))).toHaveLength(1);
    }
  });

  it('attaches materialized views to the local tables on each node', () => {
    const [mv] = find(/^CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv /);
    expect(mv).toMatch(/ON CLUSTER 'weft'\s+TO otel_traces_trace_id_ts_local\s+AS SELECT/);
    expect(mv).toMatch(/FROM otel_traces_local\b/);
    for (const s of find(/^CREATE MATERIALIZED VIEW/)) expect(s).not.toMatch(/FROM otel_traces\b(?!_)/);
  });

  it('gates the SQL classification on each node: the Null table of unclassified spans is per node, fed from otel_traces_local', () => {
    expect(find(/^CREATE TABLE IF NOT EXISTS weft_spans_unclassified ON CLUSTER 'weft' \(/)[0]).toMatch(/ENGINE = Null$/);
    const [gate] = find(/^CREATE MATERIALIZED VIEW IF NOT EXISTS weft_spans_unclassified_mv /);
    expect(gate).toMatch(/TO weft_spans_unclassified AS\s+SELECT[\s\S]*FROM otel_traces_local\s+WHERE getSetting\('log_comment'\) != 'weft:classified'$/);
    const classification = find(/^CREATE MATERIALIZED VIEW IF NOT EXISTS weft_span_touches(_none)?_mv /).slice(-2);
    for (const s of classification) expect(s).toMatch(/FROM weft_spans_unclassified\b/);
  });

  it('sends ALTERs to the local tables, and a new column to the Distributed table as well', () => {
    expect(find(/^ALTER TABLE otel_traces_local ON CLUSTER 'weft' MODIFY SETTING/)).toHaveLength(1);
    expect(find(/^ALTER TABLE otel_traces ON CLUSTER/)).toHaveLength(0);
    for (const table of ['weft_flow_edges_1m', 'weft_flow_edges_1h'])
      expect(find(new RegExp(`^ALTER TABLE ${table}(_local)? ON CLUSTER 'weft' ADD COLUMN IF NOT EXISTS sample_slow `)).map((s) => s.split(' ')[2])).toEqual([
        `${table}_local`,
        table,
      ]);
    // 085: the touch sets' record_spans on both; the Null table of touches is per node, with no Distributed twin.
    expect(find(/^ALTER TABLE weft_trace_touch_sets(_local)? ON CLUSTER 'weft' ADD COLUMN IF NOT EXISTS record_spans /).map((s) => s.split(' ')[2])).toEqual([
      'weft_trace_touch_sets_local',
      'weft_trace_touch_sets',
    ]);
    expect(find(/^ALTER TABLE weft_span_touches\w* ON CLUSTER 'weft' ADD COLUMN IF NOT EXISTS span_id /).map((s) => s.split(' ')[2])).toEqual([
      'weft_span_touches',
    ]);
  });

  it('shards by a deterministic key, so a replayed segment splits over the shards as the first time (regression: rand())', () => {
    const key = (sql: string) => /Distributed\('c', 'd', \w+, (.+)\)$/.exec(clusterize([sql], { cluster: 'c', database: 'd' })[1])?.[1];
    expect(key('CREATE TABLE m (S String, A Map(String, String), T DateTime64(9)) ENGINE = MergeTree ORDER BY (S, A, toUnixTimestamp64Nano(T))')).toBe(
      'cityHash64(S, A, toUnixTimestamp64Nano(T))',
    );
    expect(key('CREATE TABLE l (TraceId String, S String, T DateTime) ENGINE = MergeTree ORDER BY (S, T)')).toBe(
      "if(TraceId = '', cityHash64(S, T), cityHash64(TraceId))",
    );
    expect(key('CREATE TABLE n (x String) ENGINE = MergeTree ORDER BY tuple()')).toBe('rand()');
    for (const s of find(/ENGINE = Distributed\(/)) expect(s).not.toMatch(/rand\(\)/);
  });

  it('keeps engine arguments after the replication path', () => {
    const out = clusterize(['CREATE TABLE IF NOT EXISTS t (v UInt64, x String) ENGINE = ReplacingMergeTree(v) ORDER BY x'], { cluster: 'c', database: 'd' });
    expect(out).toEqual([
      "CREATE TABLE IF NOT EXISTS t_local ON CLUSTER 'c' (v UInt64, x String) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/t_local', '{replica}', v) ORDER BY x",
      "CREATE TABLE IF NOT EXISTS t ON CLUSTER 'c' AS t_local ENGINE = Distributed('c', 'd', t_local, cityHash64(x))",
    ]);
  });
});
