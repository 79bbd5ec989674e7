export { startCollector } from './collector.ts';
export type { Collector, StartCollectorOptions } from './collector.ts';
export { tables, tableNames, loadStatement } from './rows/tables.ts';
export { CLASSIFIED_MARK, SQL_CLASSIFICATION_SETTINGS } from './spool/loader.ts';
export type { TableName, TableSpec } from './rows/tables.ts';
export { spanKindNames, statusCodeNames } from './rows/trace-rows.ts';
