import { describe, expect, it } from 'vitest';
import { datasetEndpoint, datasetKey, stripPartition } from './dataset-endpoint.ts';

describe('datasetEndpoint', () => {
  it('reads databases as the OTel db.system, host and database', () => {
    expect(datasetEndpoint('postgres://Orders-DB.internal:5432', 'orders.public.order_lines')).toEqual({
      kind: 'db',
      sys: 'postgresql',
      host: 'orders-db.internal',
      name: 'orders',
      peer: '',
    });
    expect(datasetEndpoint('mysql://crm:3306', 'crm.customers')).toMatchObject({ kind: 'db', sys: 'mysql', host: 'crm', name: 'crm' });
    expect(datasetEndpoint('postgres://db:6543', 'orders.public.t')).toMatchObject({ host: 'db:6543' });
    expect(datasetEndpoint('sqlserver://user@mssql-1:1433', 'db.dbo.t')).toMatchObject({ sys: 'mssql', host: 'mssql-1', name: 'db' });
    expect(datasetEndpoint('postgres://[::1]:5432', 'orders.public.t')).toMatchObject({ host: '[::1]' });
    expect(datasetEndpoint('bigquery', 'project.dataset.table')).toMatchObject({ kind: 'db', sys: 'bigquery', host: '', name: 'project' });
  });

  it('reads brokers as messaging with the topic as destination', () => {
    expect(datasetEndpoint('kafka://broker-1:9092,broker-2:9092', 'orders.created')).toEqual({
      kind: 'messaging',
      sys: 'kafka',
      host: 'broker-1',
      name: 'orders.created',
      peer: '',
    });
  });

  it('reads object stores as scheme, bucket and partition-free path', () => {
    expect(datasetEndpoint('s3://acme-lake', 'warehouse/orders/dt=2026-11-29/part-0.parquet')).toEqual({
      kind: 'http',
      sys: 's3',
      host: 'acme-lake',
      name: '/warehouse/orders',
      peer: '',
    });
    expect(datasetEndpoint('abfss://raw@acct.dfs.core.windows.net', '/landing/2026-11-29/x.csv')).toMatchObject({
      sys: 'abfss',
      host: 'acct.dfs.core.windows.net',
      name: '/landing',
    });
    expect(datasetEndpoint('file', '/data/out.csv')).toMatchObject({ kind: 'http', sys: 'file', host: '', name: '/data/out.csv' });
  });
});

describe('stripPartition', () => {
  it('makes partitions of one dataset one name', () => {
    const names = [
      'warehouse/orders/dt=2026-11-29',
      'warehouse/orders/dt=2026-11-30/hour=03/part-1.parquet',
      '/warehouse/orders/20261129',
      'warehouse/orders/',
    ];
    expect(new Set(names.map(stripPartition))).toEqual(new Set(['/warehouse/orders']));
    expect(datasetKey('s3://acme-lake/', 'warehouse/orders/dt=2026-11-29')).toBe('s3://acme-lake/warehouse/orders');
  });
});
