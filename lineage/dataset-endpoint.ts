/**
 * OpenLineage dataset names → Weft endpoints, so that the catalog's match rules (hosts, databases,
 * destinations, urlPrefixes) resolve datasets the way they resolve traced calls.
 * Naming conventions: https://openlineage.io/docs/spec/naming
 */
import { defaultPorts } from '../core/net/default-ports.ts';

/** The endpoint columns of weft_flow_edges_1m (see analyzer/flows/endpoint-match.ts `Endpoint`). */
export interface DatasetEndpoint {
  kind: string;
  sys: string;
  host: string;
  name: string;
  peer: string;
}

/** The job's own side of a flow (a job with no inputs, or no outputs). */
export const NO_ENDPOINT: DatasetEndpoint = { kind: '', sys: '', host: '', name: '', peer: '' };

type Shape = 'db' | 'messaging' | 'storage';
/** Namespace scheme → the endpoint kind and the `db.system` / `messaging.system` OTel would report. */
const schemes = new Map<string, { shape: Shape; sys: string }>([
  ['postgres', { shape: 'db', sys: 'postgresql' }],
  ['postgresql', { shape: 'db', sys: 'postgresql' }],
  ['mysql', { shape: 'db', sys: 'mysql' }],
  ['mariadb', { shape: 'db', sys: 'mysql' }],
  ['mssql', { shape: 'db', sys: 'mssql' }],
  ['sqlserver', { shape: 'db', sys: 'mssql' }],
  ['oracle', { shape: 'db', sys: 'oracle' }],
  ['db2', { shape: 'db', sys: 'db2' }],
  ['redshift', { shape: 'db', sys: 'redshift' }],
  ['snowflake', { shape: 'db', sys: 'snowflake' }],
  ['bigquery', { shape: 'db', sys: 'bigquery' }],
  ['trino', { shape: 'db', sys: 'trino' }],
  ['hive', { shape: 'db', sys: 'hive' }],
  ['awsathena', { shape: 'db', sys: 'athena' }],
  ['teradata', { shape: 'db', sys: 'teradata' }],
  ['clickhouse', { shape: 'db', sys: 'clickhouse' }],
  ['mongodb', { shape: 'db', sys: 'mongodb' }],
  ['cassandra', { shape: 'db', sys: 'cassandra' }],
  ['kafka', { shape: 'messaging', sys: 'kafka' }],
  ['pubsub', { shape: 'messaging', sys: 'gcp_pubsub' }],
  ['kinesis', { shape: 'messaging', sys: 'aws_kinesis' }],
  ['rabbitmq', { shape: 'messaging', sys: 'rabbitmq' }],
  ['amqp', { shape: 'messaging', sys: 'rabbitmq' }],
]);

/** A path segment that is a partition (`dt=2026-11-29`, `2026-11-29`, `20261129`): it and what follows are dropped. */
const PARTITION = /^([^=]+=.*|\d{4}-\d{2}(-\d{2})?([T ]\d{2}(:\d{2})*)?|\d{8}(\d{2})?)$/;

/** `warehouse/orders/dt=2026-11-29/part-0.parquet` → `/warehouse/orders`: one dataset, one endpoint. */
export function stripPartition(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  const cut = segments.findIndex((s) => PARTITION.test(s));
  return `/${(cut === -1 ? segments : segments.slice(0, cut)).join('/')}`;
}

/** `scheme://authority` of a namespace: scheme, lower-cased host (IPv6 in brackets) and port, without credentials. */
function splitNamespace(namespace: string): { scheme: string; host: string; port: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/)?([^/?#]*)/.exec(namespace.trim());
  if (!m) return { scheme: namespace.trim().toLowerCase(), host: '', port: '' };
  const authority = (m[2].split(',')[0] ?? '').replace(/^.*@/, '').toLowerCase();
  const v6 = /^(\[[^\]]*\])(?::(\d+))?$/.exec(authority);
  if (v6) return { scheme: m[1].toLowerCase(), host: v6[1], port: v6[2] ?? '' };
  const [host, port = ''] = authority.split(':');
  return { scheme: m[1].toLowerCase(), host: host.replace(/\.$/, ''), port: /^\d+$/.test(port) ? String(Number(port)) : '' };
}

/** The `ep_host` spelling: "host", or "host:port" when the port is not the system's default. */
const canonicalHost = (host: string, port: string, sys: string) => (host && port && port !== defaultPorts.get(sys) ? `${host}:${port}` : host);

/**
 * The endpoint a dataset is, per the naming conventions:
 * - databases (`postgres://host:port` + `db.schema.table`, `mysql://host:port` + `db.table`, …):
 *   kind `db`, the OTel `db.system`, the host (":port" unless the default), and the database (the name's first part) as name,
 *   which is what `databases` rules match; a namespace without host (`bigquery`) keeps host empty;
 * - brokers (`kafka://broker:port` + topic): kind `messaging`, name the topic (`destinations`);
 * - object stores and files (`s3://bucket`, `gs://`, `abfss://`, `hdfs://`, `file`): kind `http` with the
 *   scheme as sys, the bucket as host and the partition-free path as name, so `urlPrefixes`
 *   (`s3://bucket/warehouse/orders`) and `hosts` (the bucket) match.
 */
export function datasetEndpoint(namespace: string, name: string): DatasetEndpoint {
  const { scheme, host, port } = splitNamespace(namespace);
  const known = schemes.get(scheme);
  if (known?.shape === 'db') {
    const database = name.split('.')[0] ?? '';
    return { kind: 'db', sys: known.sys, host: canonicalHost(host, port, known.sys), name: database, peer: '' };
  }
  if (known?.shape === 'messaging') return { kind: 'messaging', sys: known.sys, host: canonicalHost(host, port, known.sys), name, peer: '' };
  // A namespace without "://" (`file`, `bigquery` handled above) keeps the path as is.
  return { kind: 'http', sys: scheme, host: canonicalHost(host, port, scheme), name: stripPartition(name), peer: '' };
}

/** The dataset's identity with its partition path removed, for keys and display. */
export function datasetKey(namespace: string, name: string): string {
  const e = datasetEndpoint(namespace, name);
  return e.kind === 'http' ? `${namespace.replace(/(?<!\/)\/+$/, '')}${e.name}` : `${namespace}/${name}`;
}
