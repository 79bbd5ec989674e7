import type { FindingCandidate } from '../core/contracts/index.ts';
import type { ProbeSample } from './sample.ts';
import { count } from '../core/text/index.ts';

export interface FailureStreak {
  probeId: string;
  failures: number;
  since: Date | null;
  lastOk: Date | null;
}

/** A probe-failing finding for each probe whose last `threshold` runs or more all failed. */
export function probeFailingCandidates(streaks: FailureStreak[], latest: ProbeSample[], threshold = 2): FindingCandidate[] {
  const last = new Map(latest.map((s) => [s.probeId, s]));
  return streaks
    .filter((s) => s.failures >= threshold && last.get(s.probeId)?.ok === false)
    .map((s) => {
      const sample = last.get(s.probeId)!;
      return {
        kind: 'probe-failing' as const,
        key: s.probeId,
        severity: sample.errorCode === 'down' || sample.errorCode === 'auth' ? ('high' as const) : ('medium' as const),
        title: `Probe ${s.probeId} on ${sample.system} has failed ${count(s.failures, 'time')} in a row: ${sample.error}`,
        subject: { systems: [sample.system], flows: [], domains: sample.domain ? [sample.domain] : [] },
        evidence: {
          probe: s.probeId,
          kind: sample.kind,
          consecutiveFailures: s.failures,
          failingSince: s.since?.toISOString() ?? null,
          lastSuccess: s.lastOk?.toISOString() ?? null,
          errorCode: sample.errorCode,
          error: sample.error,
        },
        hint:
          sample.errorCode === 'auth'
            ? `The credentials of probe ${s.probeId} were refused: update the environment variable its env: reference names.`
            : sample.errorCode === 'query' || sample.errorCode === 'config'
              ? `Fix probe ${s.probeId} in the catalog (query, queue, stream or connection settings).`
              : `Check that ${sample.system} is up and reachable from Weft; until then its counts and drift are unknown.`,
      };
    });
}
