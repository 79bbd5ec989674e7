import type { Finding } from '../../core/contracts/index.ts';

/** Reads findings the way a user does: the API over a real socket. */
export async function openFindings(apiUrl: string): Promise<Finding[]> {
  const res = await fetch(`${apiUrl}/api/v1/findings?status=open&limit=1000`);
  if (!res.ok) throw new Error(`GET /api/v1/findings answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { findings: Finding[] }).findings;
}

export async function findingsWithStatus(apiUrl: string, status: string): Promise<Finding[]> {
  const res = await fetch(`${apiUrl}/api/v1/findings?status=${status}&limit=1000`);
  if (!res.ok) throw new Error(`GET /api/v1/findings answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { findings: Finding[] }).findings;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers a value (not undefined) or the deadline passes; then throws `what()`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, deadlineMs: number, what: () => string, everyMs = 1000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(what());
    await sleep(everyMs);
  }
}

export function describeFindings(findings: Finding[]): string {
  return findings.length === 0 ? '(none)' : findings.map((f) => `  - ${f.kind} [${f.severity}] ${f.title}`).join('\n');
}
