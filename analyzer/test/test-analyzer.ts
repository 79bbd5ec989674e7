import type { Store } from '../../clickhouse/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startAnalyzer, type Analyzer } from '../index.ts';
import { catalogFrom } from './estate-fixture.ts';

/**
 * An analyzer for a test, over `store` and the catalog `catalogYaml`, on the real clock: a window of `windowMs` (ms, default
 * a day), complete traces paired at once, `lateMs` (ms, default a minute) waited for late spans, and no schedule (the test
 * calls `runNow`). Throws what `catalogFrom` throws on a catalog that does not load.
 */
export function testAnalyzer(store: Store, catalogYaml: string, { lateMs = 60_000, windowMs = 86_400_000 } = {}): Analyzer {
  return startAnalyzer({
    store,
    catalog: catalogFrom(catalogYaml),
    logger: silentLogger(),
    config: { intervalMs: 3_600_000, windowMs, lateMs, completeGraceMs: 0 },
    schedule: false,
  });
}

/** An edge of `Analyzer.graph()`. */
type GraphEdge = Awaited<ReturnType<Analyzer['graph']>>['edges'][number];

/** The titles of `analyzer`'s open findings of the kinds `kinds`, in the order the analyzer lists them. */
export async function openFindingTitles(analyzer: Analyzer, kinds: NonNullable<Parameters<Analyzer['findings']['list']>[0]>['kind']): Promise<string[]> {
  return (await analyzer.findings.list({ status: ['open'], kind: kinds })).map((f) => f.title);
}

/** Each edge of `analyzer`'s graph that was observed, as `describe` writes it (by default `source -> target flow`), sorted. */
export async function observedEdges(
  analyzer: Analyzer,
  describe: (e: GraphEdge) => string = (e) => `${e.source} -> ${e.target} ${e.flowId ?? ''}`,
): Promise<string[]> {
  return (await analyzer.graph()).edges
    .filter((e) => e.observed)
    .map(describe)
    .sort();
}

/** `observedEdges` of `analyzer` written `<flow id> <source> -> <target>` (the flow id '' for an edge of no documented flow). */
export const flowEdges = (analyzer: Analyzer): Promise<string[]> => observedEdges(analyzer, (e) => `${e.flowId ?? ''} ${e.source} -> ${e.target}`);

/** The findings a span read wrongly shows as: an edge no flow documents, a system no rule names, a flow never seen. */
export const MISREADING_KINDS = ['undocumented-flow', 'unknown-system', 'unnamed-endpoint', 'flow-never-observed'] as const;
