import { describe, expect, it } from 'vitest';
import { loadStatement, structure, tables } from './tables.ts';

describe('loadStatement', () => {
  it('loads a segment file in the embedded engine, converting nanoseconds to DateTime64', () => {
    const sql = loadStatement(tables.otel_logs, { file: "/tmp/spool/o'logs.ready" });
    expect(sql).toBe(
      "INSERT INTO `otel_logs` (`Timestamp`, `TraceId`, `SpanId`, `TraceFlags`, `SeverityText`, `SeverityNumber`, `ServiceName`, `Body`, `ResourceSchemaUrl`, `ResourceAttributes`, `ScopeSchemaUrl`, `ScopeName`, `ScopeVersion`, `ScopeAttributes`, `LogAttributes`) " +
        "SELECT fromUnixTimestamp64Nano(toInt64(f0)), f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14 " +
        `FROM file('/tmp/spool/o\\'logs.ready', 'RowBinary', '${structure(tables.otel_logs)}')`,
    );
  });

  it('streams a segment to a server through input() in the named database', () => {
    const sql = loadStatement(tables.otel_traces, 'input', 'observability');
    expect(sql.startsWith('INSERT INTO `observability`.`otel_traces` (`Timestamp`, `TraceId`')).toBe(true);
    expect(sql).toContain("`Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`");
    expect(sql).toContain('arrayMap(x -> fromUnixTimestamp64Nano(toInt64(x)), f15)');
    expect(sql.endsWith(`FROM input('${structure(tables.otel_traces)}') FORMAT RowBinary`)).toBe(true);
  });
});
