/** A finding's evidence as rows to show: sample trace ids apart, the rest as label + text. */
export function evidenceRows(evidence: Record<string, unknown>): { traces: string[]; rows: { key: string; text: string }[] } {
  const traces: string[] = [];
  const rows: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (/trace/i.test(key) && (Array.isArray(value) || typeof value === 'string')) {
      for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string' && id) traces.push(id);
      continue;
    }
    rows.push({ key: spaced(key), text: show(value) });
  }
  return { traces: [...new Set(traces)], rows };
}

function spaced(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value)) return value.length ? value.map(show).join(', ') : '–';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number') return new Intl.NumberFormat('en').format(value);
  return String(value);
}
