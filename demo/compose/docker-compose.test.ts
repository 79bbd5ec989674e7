import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SQL_CLASSIFICATION_SETTINGS } from '../../collector/spool/loader.ts';
import { buildConfig, parseArgs } from '../../core/config/index.ts';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
const services = compose.services as Record<string, any>;

/** What a user sets before `docker compose up` (in .env, as the file's comment says): the credentials, nothing else. */
const userEnv: Record<string, string> = {
  WEFT_API_TOKENS: 'compose-admin-token-0123456789:admin:me',
  WEFT_INGEST_TOKEN: 'compose-ingest-token-0123456789',
  WEFT_CLICKHOUSE_PASSWORD: 'compose-clickhouse-password-0123',
};

/**
 * Compose's interpolation: `${NAME}`, `${NAME:-default}` / `${NAME-default}`, and `${NAME:?message}` / `${NAME?message}`,
 * which refuses to start (thrown here) when NAME is unset (or empty, with the colon).
 */
function interpolate(value: unknown, env: Record<string, string> = userEnv): string {
  return String(value).replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (_m, name: string, colon?: string, op?: string, arg?: string) => {
    const set = env[name] !== undefined && !(colon && env[name] === '');
    if (set) return env[name];
    if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** Every string in a parsed YAML value, with where it is. */
function strings(value: unknown, at = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

function environment(service: string): Record<string, string> {
  return Object.fromEntries(Object.entries(services[service].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
}

/** "8123:8123" → { host: 8123, container: 8123 } */
function ports(service: string): Array<{ host: number; container: number }> {
  return (services[service].ports ?? []).map((p: string) => {
    const [host, container] = String(p).split(':').map(Number);
    return { host, container };
  });
}

function weftConfig() {
  const [command, ...args] = services.weft.command as string[];
  expect(command).toBe('start');
  return { config: buildConfig(parseArgs(args), environment('weft'), '/app'), args };
}

const tablesInMigrations = readdirSync(join(root, 'clickhouse/migrations'))
  .filter((f) => f.endsWith('.sql'))
  .flatMap((f) => [...readFileSync(join(root, 'clickhouse/migrations', f), 'utf8').matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]));

describe('docker-compose.yml', () => {
  it('runs a ClickHouse server, Weft, the demo estate as its own service, and an optional collector gateway', () => {
    expect(Object.keys(services).sort()).toEqual(['clickhouse', 'demo', 'otel-collector', 'weft']);
    expect(services['otel-collector'].profiles).toEqual(['gateway']);
    expect(services.weft.depends_on.clickhouse.condition).toBe('service_healthy');
    expect(services.weft.depends_on.demo.condition).toBe('service_healthy');
    expect(services.clickhouse.healthcheck.test).toContain('SELECT 1');
  });

  it("sends the demo's telemetry to Weft's collector with one of its ingest tokens, and hands Weft the demo's catalog", () => {
    const { config } = weftConfig();
    const [command, ...args] = services.demo.command as string[];
    expect(command).toBe('demo');
    const demoArgs = parseArgs(args);
    const flagOf = (name: string) => demoArgs.flags[name]?.at(-1);
    const otlp = new URL(flagOf('otlp')!);
    expect(otlp.hostname).toBe('weft');
    expect(Number(otlp.port)).toBe(config.collector.port);
    expect(config.access.tokens.filter((t) => t.role === 'ingest').map((t) => t.token)).toContain(environment('demo').WEFT_INGEST_TOKEN);
    // Probes reach the demo's systems by its service name, on every interface of its container.
    expect(flagOf('advertise')).toBe('demo');
    expect(flagOf('bind')).toBe('0.0.0.0');
    const out = flagOf('out')!;
    expect(config.demo.enabled).toBe(false);
    expect(config.catalogFiles).toEqual([`${out}/demo-catalog.yaml`]);
    const volumeAt = (service: string, path: string) => (services[service].volumes as string[]).map((v) => v.split(':')).find((v) => v[1] === path)?.[0];
    expect(volumeAt('demo', out)).toBe('demo-catalog');
    expect(volumeAt('weft', out)).toBe('demo-catalog');
    expect(services.demo.healthcheck.test.join(' ')).toContain(`${out}/demo-catalog.yaml`);
  });

  it("gives Weft an environment its configuration accepts, pointing at the ClickHouse service's database and user", () => {
    const { config } = weftConfig();
    const ch = environment('clickhouse');
    expect(config.store).toEqual({
      kind: 'server',
      url: 'http://clickhouse:8123',
      user: ch.CLICKHOUSE_USER,
      password: ch.CLICKHOUSE_PASSWORD,
      database: ch.CLICKHOUSE_DB,
      cluster: undefined,
    });
    expect(ports('clickhouse')).toContainEqual({ host: 8123, container: 8123 });
    // Binding beyond loopback is only accepted with tokens (access/binding.ts refuses to start otherwise).
    expect(config.collector.host).toBe('0.0.0.0');
    expect(config.access.tokens.filter((t) => t.role === 'ingest').length).toBeGreaterThan(0);
    expect(config.access.tokens.filter((t) => t.role === 'admin').length).toBeGreaterThan(0);
  });

  it('publishes the OTLP port 4318, the API port 3000 and ClickHouse 8123, with no host port taken twice', () => {
    const { config } = weftConfig();
    expect(config.collector.port).toBe(4318);
    expect(config.api.port).toBe(3000);
    expect(ports('weft')).toEqual(
      expect.arrayContaining([
        { host: 4318, container: config.collector.port },
        { host: 3000, container: config.api.port },
      ]),
    );
    const hostPorts = Object.keys(services).flatMap((s) => ports(s).map((p) => p.host));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it("keeps ClickHouse's data and Weft's data directory (the collector's spool) on declared named volumes", () => {
    const { config } = weftConfig();
    const mounts = (service: string) => (services[service].volumes as string[]).map((v) => v.split(':'));
    expect(mounts('clickhouse')).toContainEqual(['clickhouse-data', '/var/lib/clickhouse']);
    expect(mounts('weft')).toContainEqual(['weft-data', config.dataDir]);
    expect(config.collector.spoolDir.startsWith(`${config.dataDir}/`)).toBe(true);
    expect(Object.keys(compose.volumes).sort()).toEqual(['clickhouse-data', 'demo-catalog', 'weft-data']);
  });

  it("points the gateway's clickhouse exporter at the same database and at tables Weft's migrations create", () => {
    const [source, target] = (services['otel-collector'].volumes as string[])[0].split(':');
    expect(target).toBe('/etc/otelcol-contrib/config.yaml');
    expect(existsSync(join(root, source))).toBe(true);
    const gateway = parse(readFileSync(join(root, source), 'utf8'));
    const exporter = gateway.exporters.clickhouse;
    const endpoint = new URL(exporter.endpoint);
    expect(endpoint.hostname).toBe('clickhouse');
    expect(ports('clickhouse').map((p) => p.container)).toContain(Number(endpoint.port));
    expect(exporter.database).toBe(environment('clickhouse').CLICKHOUSE_DB);
    expect(exporter.username).toBe(environment('clickhouse').CLICKHOUSE_USER);
    expect(exporter.create_schema).toBe(false);
    const tables = [exporter.traces_table_name, exporter.logs_table_name, ...Object.values(exporter.metrics_tables).map((t: any) => t.name)];
    for (const table of tables) expect(tablesInMigrations).toContain(table);
    expect(gateway.service.pipelines.traces.exporters).toEqual(['clickhouse']);
  });

  /**
   * The clickhouse exporter's configuration keys (opentelemetry-collector-contrib exporter/clickhouseexporter, README
   * "Configuration options" and config.go's mapstructure tags): the collector refuses to start on any other.
   */
  const exporterKeys = new Set([
    'endpoint',
    'username',
    'password',
    'database',
    'connection_params',
    'ttl',
    'create_schema',
    'compress',
    'async_insert',
    'tls',
    'logs_table_name',
    'traces_table_name',
    'profiles_table_name',
    'metrics_table_name',
    'metrics_tables',
    'cluster_name',
    'table_engine',
    'json',
    'timeout',
    'sending_queue',
    'retry_on_failure',
  ]);
  /** What clickhouse-go reads from a DSN as its own options (Options.fromDSN): any other parameter is a ClickHouse setting. */
  const driverParameters = new Set([
    'debug',
    'compress',
    'compress_level',
    'dial_timeout',
    'read_timeout',
    'secure',
    'skip_verify',
    'connection_open_strategy',
    'block_buffer_size',
    'max_compression_buffer',
    'max_open_conns',
    'max_idle_conns',
    'conn_max_lifetime',
    'username',
    'password',
    'client_info_product',
    'http_proxy',
  ]);

  // Regression: the gateway's inserts into otel_traces carried no short_circuit_function_evaluation='disable', so the
  // views classified its spans at many times the CPU of Weft's own inserts (SQL_CLASSIFICATION_SETTINGS).
  it("regression: gives the gateway's clickhouse exporter the settings Weft's own inserts into otel_traces carry, for its connections only", () => {
    const [source] = (services['otel-collector'].volumes as string[])[0].split(':');
    const exporter = parse(readFileSync(join(root, source), 'utf8')).exporters.clickhouse;
    expect(Object.keys(exporter).filter((k) => !exporterKeys.has(k))).toEqual([]);
    const params = exporter.connection_params as Record<string, unknown>;
    expect(Object.keys(SQL_CLASSIFICATION_SETTINGS).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SQL_CLASSIFICATION_SETTINGS)) {
      // A string, as the driver sends it (a YAML scalar such as 0 or off would be read otherwise).
      expect(params[name], name).toBe(String(value));
      expect(driverParameters.has(name), `${name} is a driver option, not a setting`).toBe(false);
      // The endpoint's own query parameters are overwritten by connection_params; none may say otherwise anyway.
      expect(new URL(exporter.endpoint).searchParams.get(name) ?? String(value), name).toBe(String(value));
    }
    // Not a setting of the user the gateway shares with Weft: no server-side ALTER USER in the compose file.
    expect(JSON.stringify(services.clickhouse)).not.toMatch(/short_circuit/);
  });

  it('regression: gives no credential a default (an unset WEFT_API_TOKENS made "change-me-admin-token" an admin token on every interface)', () => {
    const credential = /TOKEN|PASSWORD|SECRET|KEY/i;
    const defaults: string[] = [];
    const required = new Set<string>();
    for (const [at, text] of strings(compose)) {
      for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\}/g)) {
        if (!credential.test(m[1])) continue;
        if (m[2] === '?') required.add(m[1]);
        else defaults.push(`${at}: ${m[0]}`);
      }
      // A literal credential in the file is a default too.
      if (credential.test(at.split('.').at(-1) ?? '') && !/^\$\{[^}]*\}$/.test(text)) defaults.push(`${at}: ${text}`);
    }
    expect(defaults).toEqual([]);
    expect([...required].sort()).toEqual(['WEFT_API_TOKENS', 'WEFT_CLICKHOUSE_PASSWORD', 'WEFT_INGEST_TOKEN']);
    // Without them compose refuses to start, naming the variable.
    for (const name of required) {
      const env = { ...userEnv };
      delete env[name];
      const values = Object.keys(services).flatMap((svc) => Object.values(services[svc].environment ?? {}));
      expect(() => values.forEach((v) => interpolate(v, env)), name).toThrow(new RegExp(`required variable ${name} is missing a value: set it in .env`));
    }
  });

  it('regression: keeps .env (where the credentials go) out of the image and out of git (COPY . . copied it into every layer)', () => {
    const lines = (file: string) =>
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .map((l) => l.trim());
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^COPY \. \.$/m);
    expect(lines('.dockerignore')).toContain('.env');
    expect(lines('.dockerignore')).toContain('.env.*');
    expect(lines('.gitignore')).toContain('.env');
  });

  it('builds Weft and the demo from a Dockerfile whose entrypoint is the weft command', () => {
    expect(services.weft.build).toBe('.');
    expect(services.demo.image).toBe(services.weft.image);
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/weft.mjs"]');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    // The image serves the UI: a build stage makes ui/build and the runtime stage copies it.
    expect(dockerfile).toMatch(/^FROM node:20\S* AS ui$/m);
    expect(dockerfile).toContain('COPY --from=ui /app/ui/build ./ui/build');
  });
});
