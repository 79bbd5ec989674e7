import { hostMatches, normaliseHost, splitHostPort } from '../net/host-port.ts';
import { LAMBDA_FUNCTIONS, LAMBDA_HOST } from '../net/lambda-host.ts';
import type { ReferenceProblem } from './references.ts';
import { windowedMeasures } from './alerting.ts';
import type { Catalog, MatchRules } from './types.ts';

/** Endpoint keys keep at most this many URL path segments (clickhouse/migrations/030_span_touches_endpoints.sql). */
export const URL_PATH_SEGMENTS = 2;

type RuleField = keyof MatchRules;

/**
 * Match rules that can never match an endpoint as Weft stores it (docs/catalog.md, "How endpoints are
 * identified"): a system without any rule, a URL prefix deeper than the stored path or with a query,
 * fragment or userinfo, a host written as a URL or with a path, a DSN that is not a URL, RabbitMQ's
 * default exchange as a destination, a rule an earlier system already has (the first match wins), a flow an earlier
 * flow takes every run of. Warnings, not errors: the catalog stays valid.
 */
export function ruleWarnings(c: Catalog): ReferenceProblem[] {
  const out: ReferenceProblem[] = [];
  const warn = (index: number, field: Array<string | number>, message: string) => out.push({ section: 'systems', index, field, message });
  const seen = new Map<string, number>();
  c.systems.forEach((s, i) => {
    const m = s.match ?? {};
    const fields = (['hosts', 'urlPrefixes', 'peerServices', 'databases', 'destinations', 'services'] as RuleField[]).filter((f) => (m[f]?.length ?? 0) > 0);
    if (fields.length === 0) {
      warn(i, ['match'], `system "${s.id}" has no match rules: no span resolves to it except one naming it in integration.source / integration.target`);
    }
    (m.hosts ?? []).forEach((h, j) => {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h))
        warn(i, ['match', 'hosts', j], `"${h}" is a URL; hosts take a host name or "host:port" (put URLs under urlPrefixes)`);
      else if (!h.startsWith('/') && /[/?#@]/.test(h))
        warn(i, ['match', 'hosts', j], `"${h}" has a path, query or userinfo; hosts take a host name or "host:port" only, so it can never match`);
    });
    (m.urlPrefixes ?? []).forEach((p, j) => {
      let u: URL;
      try {
        u = new URL(p);
      } catch {
        warn(i, ['match', 'urlPrefixes', j], `"${p}" is not a URL`);
        return;
      }
      const segments = u.pathname.split('/').filter(Boolean);
      if (u.search || u.hash)
        warn(i, ['match', 'urlPrefixes', j], `"${p}" has a query or fragment; endpoints keep only scheme, host, port and path, so it can never match`);
      else if (u.username || u.password)
        warn(
          i,
          ['match', 'urlPrefixes', j],
          `"${p}" has userinfo; endpoints never keep it, so it can never match (drop "${u.username}${u.password ? ':…' : ''}@")`,
        );
      else if (LAMBDA_HOST.test(u.hostname) && segments.length > URL_PATH_SEGMENTS) {
        // An AWS Lambda call is kept as `/2015-03-31/functions/<function>`, whatever path it used (migration 129).
        const fn = segments[1] === 'functions' ? segments[2] : '';
        if (segments.length === 3 && `/${segments.join('/')}/` === `${LAMBDA_FUNCTIONS}${fn}/`) return;
        const suggestion = fn ? ` (use "${u.protocol}//${u.host}${LAMBDA_FUNCTIONS}${fn}")` : '';
        warn(i, ['match', 'urlPrefixes', j], `"${p}": an AWS Lambda call is kept as ${LAMBDA_FUNCTIONS}<function>, so it can never match${suggestion}`);
      } else if (segments.length > URL_PATH_SEGMENTS) {
        const shorter = `${u.protocol}//${u.host}/${segments.slice(0, URL_PATH_SEGMENTS).join('/')}/`;
        warn(
          i,
          ['match', 'urlPrefixes', j],
          `"${p}" has ${segments.length} path segments; endpoints keep the first ${URL_PATH_SEGMENTS}, so it can never match (use "${shorter}")`,
        );
      }
    });
    (m.databases ?? []).forEach((d, j) => {
      if (typeof d !== 'string') return;
      try {
        const u = new URL(d);
        if (u.username || u.password) warn(i, ['match', 'databases', j], `"${d}" carries credentials; a rule needs none (and a catalog must not hold them)`);
      } catch {
        warn(i, ['match', 'databases', j], `"${d}" is not a DSN (postgresql://host[:port]/database)`);
      }
    });
    // The first system in catalog order whose rule matches an endpoint is its system: the same rule given again later
    // never matches there.
    // A host an earlier system's `hosts` rule already covers (the same host, a bare host before host:port, a
    // wildcard before a name, two spellings of loopback): that system takes every endpoint this rule matches.
    (m.hosts ?? []).forEach((h, j) => {
      const endpoint = splitHostPort(h);
      // A wildcard rule is covered by the same wildcard only (what a pattern matches is not an endpoint to test).
      const covers = (e: string) => (h.includes('*') ? normaliseHost(e) === normaliseHost(h) : hostMatches(splitHostPort(e), endpoint, '', false));
      for (const [k, earlier] of c.systems.slice(0, i).entries()) {
        const cover = (earlier.match?.hosts ?? []).find(covers);
        if (cover === undefined) continue;
        warn(
          i,
          ['match', 'hosts', j],
          `"${h}" is covered by systems[${k}] ("${earlier.id}")'s hosts rule "${cover}", which comes first and takes every endpoint it matches, so it never matches here; keep it on one system, or list the narrower one first`,
        );
        return;
      }
    });
    for (const f of fields.filter((x) => x !== 'hosts'))
      (m[f] as unknown[]).forEach((rule, j) => {
        const key = `${f}\u0000${typeof rule === 'string' ? rule : JSON.stringify(rule)}`;
        const earlier = seen.get(key);
        if (earlier === undefined) seen.set(key, i);
        else if (earlier !== i)
          warn(
            i,
            ['match', f, j],
            `${JSON.stringify(rule)} is also a rule of systems[${earlier}] ("${c.systems[earlier].id}"), which comes first and takes every endpoint it matches, so it never matches here; keep it on one system`,
          );
      });
    (m.destinations ?? []).forEach((d, j) => {
      const name = typeof d === 'string' ? d : d.name;
      // `<default>` is how the Java agent names it (migration 122): the endpoint is the routing key all the same.
      if (name === 'amq.default' || name === '<default>')
        warn(
          i,
          ['match', 'destinations', j],
          `RabbitMQ's default exchange is identified by the routing key (the queue name); "${name}" can never match — name the queue`,
        );
    });
  });
  // A flow listed after one that takes every run it could match (same ends, a runtime that covers its own) is never
  // observed: the first flow in catalog order that matches a run is its flow (analyzer `documentedFlowFor`).
  c.flows.forEach((f, i) => {
    const covering = c.flows.findIndex(
      (e, k) =>
        k < i &&
        e.source === f.source &&
        e.target === f.target &&
        ((!e.runtime?.service && !e.runtime?.flow) ||
          ((f.runtime?.service !== undefined || f.runtime?.flow !== undefined) &&
            (f.runtime?.service === undefined || f.runtime.service === e.runtime?.service) &&
            (f.runtime?.flow === undefined || f.runtime.flow === e.runtime?.flow))),
    );
    if (covering >= 0)
      out.push({
        section: 'flows',
        index: i,
        field: ['runtime'],
        message:
          `can never be observed: flows[${covering}] ("${c.flows[covering].id}") comes first with the same source and target and a runtime that covers ` +
          `this one's, and takes every run of it; remove one, list the narrower one first, or give each a runtime of its own (runtime.service / runtime.flow)`,
      });
  });
  // A window on a rule whose measure takes none was read as if it shaped the rule (it is shown nowhere, and ignored).
  c.alerts.forEach((a, i) => {
    if (a.window !== undefined && !windowedMeasures.has(a.measure))
      out.push({
        section: 'alerts',
        index: i,
        field: ['window'],
        message: `window has no effect on a rule of measure ${a.measure}: ${
          a.measure === 'telemetry-gap'
            ? 'it alerts on the time since Weft last received a span'
            : a.measure === 'pairing-lag'
              ? 'it alerts on the time since Weft last completed a pairing run'
              : `it alerts on each open ${a.measure} finding`
        }; leave window out`,
      });
  });
  return out;
}
