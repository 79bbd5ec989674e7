import { describe, expect, it } from 'vitest';
import { loadStatement, structure, tables } from './tables.ts';

describe('loadStatement', () => {
  it('loads a segment file in the embedded engine', () => {
    const sql = loadStatement(tables.otel_logs, { file: "/tmp/spool/o'logs.ready" });
    expect(sql).toBe(
      'INSERT INTO `otel_logs` (`Timestamp`, `TraceId`, `SpanId`, `TraceFlags`, `SeverityText`, `SeverityNumber`, `ServiceName`, `Body`, `ResourceSchemaUrl`, `ResourceAttributes`, `ScopeSchemaUrl`, `ScopeName`, `ScopeVersion`, `ScopeAttributes`, `LogAttributes`) ' +
        'SELECT f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14 ' +
        `FROM file('/tmp/spool/o\\'logs.ready', 'RowBinary', '${structure(tables.otel_logs)}')`,
    );
  });

  it('streams a segment to a server through input() in the named database', () => {
    const sql = loadStatement(tables.otel_traces, 'input', 'observability');
    expect(sql.startsWith('INSERT INTO `observability`.`otel_traces` (`Timestamp`, `TraceId`')).toBe(true);
    expect(sql).toContain('`Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`');
    expect(structure(tables.otel_traces)).toMatch(/^f0 DateTime64\(9\), f1 String, .* f15 Array\(DateTime64\(9\)\), /);
    expect(sql.endsWith(`FROM input('${structure(tables.otel_traces)}') FORMAT RowBinary`)).toBe(true);
  });
});
