import { resolve } from 'node:path';
import type { BacktestResult } from '../../alerting/index.ts';
import { flag, switchOn, type ParsedArgs } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { weftApi } from './weft-api.ts';
import { parsePositiveDuration } from '../../core/time/index.ts';
import { localStoreConfig, openLocalStore, refuseBesideUrl } from './store-flags.ts';
import type { Command, CommandIO } from '../command.ts';
import { count } from '../../core/text/index.ts';

/** Calls a running Weft's API (`--url`, default http://127.0.0.1:3000; token in WEFT_TOKEN); errors say what to do. */
export async function callWeft<T>(args: ParsedArgs, io: CommandIO, method: string, path: string, body?: unknown): Promise<T> {
  const url = flag(args, 'url') ?? io.env.WEFT_URL ?? 'http://127.0.0.1:3000';
  return weftApi(url, io.env.WEFT_TOKEN, 'an sre or admin token').json<T>(path, { method, body });
}

interface AlertRow {
  fingerprint: string;
  rule: string;
  state: string;
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  firedAt: string | null;
  activeSince: string | null;
  acknowledgedBy: string | null;
  silencedBy: string[];
  inhibitedBy: string | null;
}

/**
 * What an alert is about, for its row: its flow, else its system, else its domain, else the finding it follows (a drift
 * between two systems names both in its finding key); '' when it names none.
 */
const subjectOf = (labels: Record<string, string>) => labels.flow ?? labels.system ?? labels.domain ?? labels.finding ?? '';

export const alertsListCommand: Command = {
  summary: 'List alerts of a running Weft (pending and firing by default)',
  usage: 'alerts list [--state pending,firing,resolved] [--url http://127.0.0.1:3000] [--json]',
  options: ['state', 'url'],
  booleans: ['json'],
  async run(args, io) {
    const state = flag(args, 'state') ?? 'pending,firing';
    const { alerts } = await callWeft<{ alerts: AlertRow[] }>(args, io, 'GET', `/api/v1/alerts?state=${encodeURIComponent(state)}`);
    // The alert's severity, and the finding's beside it where they differ: `high (finding: medium)`.
    const { alertSeverityText } = await import('../../alerting/model/alert.ts');
    if (switchOn(args, 'json')) {
      io.out(JSON.stringify(alerts, null, 2));
      return 0;
    }
    if (alerts.length === 0) {
      io.out(`No ${state.replace(/,/g, ' or ')} alerts.`);
      return 0;
    }
    for (const a of alerts) {
      const marks = [a.acknowledgedBy ? `acked by ${a.acknowledgedBy}` : '', a.silencedBy.length ? 'silenced' : '', a.inhibitedBy ? 'inhibited' : '']
        .filter(Boolean)
        .join(', ');
      io.out(
        `${a.fingerprint}  ${a.state.padEnd(8)} ${alertSeverityText(a).padEnd(8)} ${a.rule.padEnd(22)} ${subjectOf(a.labels)}  since ${a.firedAt ?? a.activeSince}${marks ? `  (${marks})` : ''}\n    ${a.annotations.summary ?? ''}`,
      );
    }
    return 0;
  },
};

export const alertsSilenceCommand: Command = {
  summary: 'Silence alerts matching label matchers (name=value, name!=value, name=~regex, name!~regex)',
  usage: 'alerts silence MATCHER… --comment TEXT [--duration 2h] [--url …]   |   alerts silence --expire ID',
  options: ['comment', 'duration', 'url', 'expire'],
  operands: Infinity,
  async run(args, io) {
    const expire = flag(args, 'expire');
    if (expire !== undefined) {
      const besides = [
        ...(args.positionals.length ? ['matchers'] : []),
        ...['comment', 'duration'].filter((f) => flag(args, f) !== undefined).map((f) => `--${f}`),
      ];
      if (besides.length) throw ERR_CONFIG(`--expire ends a silence; it takes no ${besides.join(' or ')}: expire it, then make a new one if need be.`);
      const { silence } = await callWeft<{ silence: { id: string; endsAt: string } }>(args, io, 'DELETE', `/api/v1/silences/${encodeURIComponent(expire)}`, {});
      io.out(`Silence ${silence.id} expired at ${silence.endsAt}.`);
      return 0;
    }
    if (args.positionals.length === 0) throw ERR_CONFIG('Give at least one matcher, like flow=erp-cpq-product-sync or severity=~"high|critical".');
    const { parseMatcher } = await import('../../alerting/index.ts');
    for (const m of args.positionals) {
      try {
        parseMatcher(m);
      } catch (err) {
        throw ERR_CONFIG((err as Error).message);
      }
    }
    const comment = flag(args, 'comment');
    if (!comment) throw ERR_CONFIG('--comment is required: say why (e.g. --comment "ERP upgrade, CHG-1234").');
    const duration = flag(args, 'duration') ?? '2h';
    parsePositiveDuration(duration, '--duration', 'a silence of no time silences nothing');
    const { silence } = await callWeft<{ silence: { id: string; endsAt: string } }>(args, io, 'POST', '/api/v1/silences', {
      matchers: args.positionals,
      duration,
      comment,
    });
    io.out(`Silence ${silence.id} until ${silence.endsAt}.`);
    return 0;
  },
};

export const alertsAckCommand: Command = {
  summary: 'Acknowledge a firing alert (no more repeat notifications until it resolves)',
  usage: 'alerts ack FINGERPRINT [--note TEXT] [--url …]',
  options: ['note', 'url'],
  operands: 1,
  async run(args, io) {
    const fp = args.positionals[0];
    if (!fp) throw ERR_CONFIG('Give the alert fingerprint (weft alerts list shows it).');
    const { alert } = await callWeft<{ alert: AlertRow & { acknowledgedAt: string } }>(args, io, 'POST', `/api/v1/alerts/${encodeURIComponent(fp)}/ack`, {
      note: flag(args, 'note') ?? '',
    });
    io.out(`Alert ${alert.fingerprint} (${alert.rule}) acknowledged by ${alert.acknowledgedBy} at ${alert.acknowledgedAt}.`);
    return 0;
  },
};

export const alertsTestCommand: Command = {
  summary: 'Backtest a rule on stored history: when it would have fired and resolved',
  usage: 'alerts test RULE [--since 7d] [--url … | --catalog FILE… [--data DIR | --clickhouse URL]] [--json]',
  options: ['since', 'url', 'catalog', 'data', 'clickhouse'],
  booleans: ['json'],
  operands: Infinity,
  async run(args, io) {
    const [rule, ...files] = args.positionals;
    if (!rule) throw ERR_CONFIG('Give a rule id: a custom rule from alerts:, or a derived one (flow-latency-p95, flow-error-rate, flow-stale…).');
    const since = flag(args, 'since') ?? '7d';
    const sinceMs = parsePositiveDuration(since, '--since', 'no time at all is not a window');
    const catalogs = [...(args.flags.catalog ?? []), ...files];
    const { backtestRule, renderBacktest } = await import('../../alerting/index.ts');
    let result: BacktestResult;
    refuseBesideUrl(args, ['data', 'clickhouse'], 'store and catalog', catalogs.length);
    if (catalogs.length === 0 && (flag(args, 'data') !== undefined || flag(args, 'clickhouse') !== undefined))
      throw ERR_CONFIG('--data and --clickhouse need the catalog the rule is in: add --catalog FILE (or ask a running Weft with --url).');
    if (catalogs.length === 0) {
      result = await callWeft<BacktestResult>(args, io, 'GET', `/api/v1/alerts/backtest?rule=${encodeURIComponent(rule)}&since=${encodeURIComponent(since)}`);
    } else {
      const config = localStoreConfig(args, io);
      const [{ loadCatalog }, { migrate }] = await Promise.all([import('../../core/catalog/index.ts'), import('../../clickhouse/index.ts')]);
      const catalog = loadCatalog(
        catalogs.map((f) => resolve(io.cwd, f)),
        { envPolicy: config.catalogEnv },
      );
      const store = await openLocalStore(config);
      try {
        await migrate(store, { retention: config.retention });
        const until = new Date();
        try {
          result = await backtestRule(store, catalog, rule, new Date(until.getTime() - sinceMs), until);
        } catch (err) {
          throw ERR_CONFIG((err as Error).message);
        }
      } finally {
        await store.close();
      }
    }
    io.out(switchOn(args, 'json') ? JSON.stringify(result, null, 2) : renderBacktest(result));
    return 0;
  },
};

export const remediateCommand: Command = {
  summary: "Run the remediation actions attached to an alert's rule or flow now",
  usage: 'remediate FINGERPRINT [--action ID] [--url …]',
  options: ['action', 'url'],
  operands: 1,
  async run(args, io) {
    const fp = args.positionals[0];
    if (!fp) throw ERR_CONFIG('Give the alert fingerprint (weft alerts list shows it).');
    const { outcomes } = await callWeft<{ outcomes: Array<{ action: string; outcome: string; attempts: number; lastStatus: number; lastError: string }> }>(
      args,
      io,
      'POST',
      '/api/v1/remediations',
      { fingerprint: fp, ...(flag(args, 'action') ? { action: flag(args, 'action') } : {}) },
    );
    for (const o of outcomes)
      io.out(`${o.action}: ${o.outcome} after ${count(o.attempts, 'attempt')} (last status ${o.lastStatus || '—'}${o.lastError ? `, ${o.lastError}` : ''})`);
    return outcomes.every((o) => o.outcome === 'succeeded') ? 0 : 1;
  },
};
