/** The overview's time windows, and the one used when the URL names none or another. */
export const overviewWindows = ['1h', '6h', '24h', '7d'] as const;

/** The window the overview shows for its URL's `since`. */
export function overviewSince(params: URLSearchParams): string {
  const since = params.get('since') ?? '';
  return (overviewWindows as readonly string[]).includes(since) ? since : '24h';
}

/** The API paths the overview reads first (graph, flows, open findings) for a window. */
export function overviewPaths(since: string): { graph: string; flows: string; findings: string } {
  return { graph: `/graph?since=${since}`, flows: `/inventory/flows?since=${since}`, findings: '/findings?status=open&limit=10000' };
}
