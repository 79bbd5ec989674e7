import type { AlertView } from '../api/types.ts';
import { flowHref } from '../format.ts';

/** One link of an alert's row: where it goes, what it says, and its tooltip. */
export interface AlertLink {
  href: string;
  text: string;
  title: string;
}

/** What an alert's row links to: its subject (a flow's page, else the name alone), its finding and its sample traces. */
export interface AlertLinks {
  subject: { text: string; href: string | null };
  finding: AlertLink | null;
  traces: AlertLink[];
}

/**
 * The links of one alert on the Alerts page (pure): the flow it is about, the finding it was derived
 * from (`/findings/<id>`) and each sample trace (`/traces/<id>`, shown as its first 8 hex digits).
 * Alerts from a server that does not send `finding` or `traceIds` get no such links.
 */
export function alertLinks(a: Pick<AlertView, 'flow' | 'labels' | 'finding' | 'traceIds'>): AlertLinks {
  const text = a.flow ?? a.labels.flow ?? a.labels.system ?? a.labels.domain ?? 'estate';
  return {
    subject: { text, href: a.flow ? flowHref(a.flow) : null },
    finding: a.finding ? { href: `/findings/${encodeURIComponent(a.finding)}`, text: 'finding', title: 'the finding this alert is about' } : null,
    traces: (a.traceIds ?? []).map((id) => ({ href: `/traces/${encodeURIComponent(id)}`, text: `trace ${id.slice(0, 8)}…`, title: `sample trace ${id}` })),
  };
}
