import type { FindingCandidate } from '../../core/contracts/index.ts';
import type { Hop, HopChain } from '../hops/hop-chain.ts';
import { subject, type Detector } from './detector.ts';

const fmt = (n: number) => n.toLocaleString('en-US');
/** `1 record`, `2 records`: a count with its noun, singular for one. */
const countOf = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

function candidate(chain: HopChain, index: number, hop: Hop, at: 'hop' | 'handoff', windowSince: string, windowUntil: string): FindingCandidate {
  const c = at === 'hop' ? hop : hop.handoff!;
  const lost = c.difference ?? 0;
  const where =
    at === 'hop'
      ? `at hop ${hop.source} → ${hop.target} (${hop.via === 'openlineage' ? 'job' : 'integration'} ${hop.integration})`
      : `between ${hop.handoff!.system} and ${hop.integration} (written into ${hop.handoff!.system}, not read out of it)`;
  const countedText =
    at === 'hop'
      ? `read ${fmt(c.read ?? 0)}, wrote ${fmt(c.written ?? 0)} over ${countOf(hop.countedUnits, hop.via === 'openlineage' ? 'run' : 'trace')}`
      : `${fmt(c.written ?? 0)} written, ${fmt(c.read ?? 0)} read`;
  return {
    kind: 'hop-record-loss',
    key: `${chain.domain}:${at === 'hop' ? `${hop.source}->${hop.target}` : `${hop.handoff!.system}=>`}@${hop.integration}`,
    severity: 'high',
    title: `${countOf(lost, `${chain.domain} record`)} lost ${where}: ${countedText}`,
    subject: subject(at === 'hop' ? [hop.source, hop.target] : [hop.handoff!.system, hop.target], hop.flowId ? [hop.flowId] : [], [chain.domain]),
    evidence: {
      domain: chain.domain,
      systemOfRecord: chain.systemOfRecord,
      chain: [chain.systemOfRecord, ...chain.hops.map((h) => h.target)],
      hop: { index, at, source: hop.source, target: hop.target, integration: hop.integration, via: hop.via, flowId: hop.flowId },
      read: c.read,
      written: c.written,
      lost,
      tolerance: c.tolerance,
      window: { since: windowSince, until: windowUntil },
      runs: at === 'hop' ? hop.evidence.runs : [],
      sampleTraceIds: at === 'hop' ? hop.evidence.traceIds : hop.handoff!.traceIds,
    },
    hint:
      at === 'hop'
        ? `${hop.integration} wrote fewer records into ${hop.target} than it read from ${hop.source}: check the runs listed (rejected rows, filters, failed partial writes) and re-run them once fixed.`
        : `Records written into ${hop.handoff!.system} were not consumed by ${hop.integration}: check the consumer for skipped or dead-lettered messages and its lag.`,
  };
}

/**
 * Records lost along a domain's hop chain: each hop (or handoff through a messaging system) whose
 * counted difference exceeds the domain's tolerance, once per hop however many chains run through it.
 * The rule is in analyzer/hops/hop-chain.ts and docs/lineage.md ("Records per hop").
 */
export const hopRecordLoss: Detector = ({ snapshot }) => {
  const out = new Map<string, FindingCandidate>();
  for (const chain of snapshot.hopChains ?? [])
    chain.hops.forEach((hop, i) => {
      for (const at of ['handoff', 'hop'] as const) {
        if (!(at === 'hop' ? hop.lost : hop.handoff?.lost)) continue;
        const c = candidate(chain, i, hop, at, snapshot.since, snapshot.until);
        if (!out.has(c.key)) out.set(c.key, c);
      }
    });
  return [...out.values()];
};
