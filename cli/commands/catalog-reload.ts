import { flag } from '../../core/config/index.ts';
import { count } from '../../core/text/index.ts';
import type { Command } from '../command.ts';
import { weftApi } from './weft-api.ts';

/** What POST /api/v1/catalog/reload answers (the fields this command prints). */
interface ReloadAnswer {
  counts: { owners: number; systems: number; domains: number; flows: number; classes: number; probes: number; reconciliations: number; sources: string[] };
  warnings: Array<{ text: string }>;
  run: { findings: { opened: number; updated: number; resolved: number; held?: number } | null; errors: string[] };
}

export const catalogReloadCommand: Command = {
  summary: 'Make a running Weft re-read its catalog files (and the secrets file), re-schedule probes and re-evaluate findings; prints its warnings',
  usage: 'catalog reload [--url http://127.0.0.1:3000]   (token in WEFT_TOKEN: an icoe or admin one; --url defaults to WEFT_URL)',
  options: ['url'],
  async run(args, io) {
    const url = flag(args, 'url') ?? io.env.WEFT_URL ?? 'http://127.0.0.1:3000';
    // An invalid catalog is a 400 listing every problem (file:line): the error says it, and Weft keeps the catalog it had.
    const r = await weftApi(url, io.env.WEFT_TOKEN, 'an icoe or admin token').json<ReloadAnswer>('/api/v1/catalog/reload', { method: 'POST', body: {} });
    for (const w of r.warnings) io.err(`warning: ${w.text}`);
    const c = r.counts;
    io.out(
      `${c.sources.join(', ') || 'no catalog files'}: reloaded (${count(c.owners, 'owner')}, ${count(c.systems, 'system')}, ${count(c.domains, 'domain')}, ${count(c.flows, 'flow')}, ${count(c.classes, 'class')}, ${count(c.probes, 'probe')}, ${count(c.reconciliations, 'reconciliation')})`,
    );
    const f = r.run.findings;
    // `held`: open findings kept as they were, their detectors having no verdict now (too few runs, a probe failing).
    if (f) io.out(`findings: ${f.opened} opened, ${f.updated} updated, ${f.resolved} resolved${f.held ? `, ${f.held} kept open without a verdict now` : ''}`);
    for (const e of r.run.errors) io.err(`evaluation error: ${e}`);
    return 0;
  },
};
