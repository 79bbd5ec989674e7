/**
 * Default ports by URL scheme, `db.system` or `messaging.system`: an endpoint's host is written with
 * ":port" only when the port is not its system's default (clickhouse/migrations/030_span_touches_endpoints.sql
 * leaves the same ones out). Shared by the analyzer's match rules and the OpenLineage dataset names.
 */
export const defaultPorts: ReadonlyMap<string, string> = new Map([
  ['http', '80'],
  ['https', '443'],
  ['ws', '80'],
  ['wss', '443'],
  ['postgresql', '5432'],
  ['mysql', '3306'],
  ['mssql', '1433'],
  ['oracle', '1521'],
  ['mongodb', '27017'],
  ['redis', '6379'],
  ['rabbitmq', '5672'],
  ['amqp', '5672'],
  ['amqps', '5671'],
  ['kafka', '9092'],
  ['nats', '4222'],
]);
