import type { Endpoint } from '../flows/endpoint-match.ts';
import { endpointLabel } from '../flows/endpoint-match.ts';
import { selfEdgeRuns } from '../flows/observed.ts';
import { sampleTraces, subject, type Detector } from './detector.ts';
import { groupBy } from '../../core/collections/index.ts';
import { compareCodePoints, count } from '../../core/text/index.ts';

const describe = (e: Endpoint) => {
  const label = endpointLabel(e);
  return `${e.kind} ${label}${e.kind === 'http' && e.name && !label.endsWith(e.name) ? e.name : ''}`;
};

/**
 * An edge whose two ends one system claims because a `hosts` rule is broader than the system (e.g. an
 * API host rule that also captures the broker on that machine): the flow would otherwise vanish from the
 * graph without a word, and a documented flow through it would look never observed.
 */
export const catalogRuleOverlap: Detector = ({ snapshot }) => {
  const groups = groupBy(snapshot.ruleOverlaps ?? [], (o) => `${o.system}@${o.integration}`);
  return [...groups].map(([key, list]) => {
    const first = list[0];
    // The ends it reads, then the ends it writes, each in code-point order: the rows come in no particular order
    // (one store gave one order, another store or version of the read another), and the title carries the list.
    const sorted = (ends: string[]) => [...new Set(ends)].sort(compareCodePoints);
    const endpoints = [...new Set([...sorted(list.map((o) => describe(o.source))), ...sorted(list.map((o) => describe(o.target)))])];
    return {
      kind: 'catalog-rule-overlap' as const,
      key,
      severity: 'medium' as const,
      title: `${first.integration} reads and writes ${first.system} only: the match rules of ${first.system} claim both ends (${endpoints.join(', ')})`,
      subject: subject([first.system]),
      evidence: {
        system: first.system,
        integration: first.integration,
        endpoints,
        rules: [...new Set(list.flatMap((o) => [o.sourceRule, o.targetRule]).filter(Boolean))],
        // Runs, not raw edges: a run that read two endpoints and wrote two is in four of them.
        traces: selfEdgeRuns(list),
        lastSeen: list
          .map((o) => o.lastSeen)
          .sort()
          .at(-1),
        sampleTraceIds: sampleTraces(list.map((o) => o.sampleTrace)),
      },
      hint:
        `Narrow the hosts rule of ${first.system} (add the port, "host:port", or use urlPrefixes), and give the other endpoint its own system ` +
        '(databases or destinations rule); run weft catalog validate afterwards.',
    };
  });
};

const unnamedHints = new Map([
  ['http', 'The client spans carry neither url.full / http.url with a host nor server.address: upgrade the instrumentation or set server.address.'],
  ['messaging', "The messaging spans carry no destination (messaging.destination.name, or the routing key for RabbitMQ's default exchange): set one."],
]);

/**
 * Whether an unnamed touch is a broker's management call rather than a message: a messaging span that neither sends nor
 * receives and names no destination — the aws-sdk's SQS GetQueueUrl, CreateQueue or ListQueues, SNS CreateTopic,
 * Subscribe or ListTopics (CLIENT spans with `messaging.system` and no destination, as its instrumentation makes them).
 * It moves no message, and nothing can name what it has no destination for.
 */
const managementCall = (t: { system: string; direction: string }) => t.system === 'unnamed:messaging' && t.direction !== 'read' && t.direction !== 'write';

/** Spans that touched an endpoint Weft cannot name (no host in an HTTP call, no destination on a message sent or received). */
export const unnamedEndpoint: Detector = ({ snapshot }) => {
  const byKind = new Map<string, NonNullable<typeof snapshot.unnamed>>();
  for (const t of (snapshot.unnamed ?? []).filter((u) => !managementCall(u))) byKind.set(t.system, [...(byKind.get(t.system) ?? []), t]);
  return [...byKind].map(([system, touches]) => {
    const kind = system.slice(system.indexOf(':') + 1);
    const integrations = [...new Set(touches.map((t) => t.integration))];
    return {
      kind: 'unnamed-endpoint' as const,
      key: system,
      severity: 'low' as const,
      title: `${integrations.join(', ')} touched ${kind} endpoints without a usable name (${count(
        touches.reduce((n, t) => n + t.spans, 0),
        'span',
      )})`,
      subject: subject(),
      evidence: {
        endpointKind: kind,
        integrations,
        spans: touches.reduce((n, t) => n + t.spans, 0),
        lastSeen: touches
          .map((t) => t.lastSeen)
          .sort()
          .at(-1),
        sampleTraceIds: [...new Set(touches.map((t) => t.sampleTrace).filter(Boolean))].slice(0, 3),
      },
      hint: unnamedHints.get(kind) ?? 'The spans name neither a host nor a database: set server.address (and db.namespace).',
    };
  });
};
