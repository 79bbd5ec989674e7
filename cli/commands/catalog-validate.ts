import { resolve } from 'node:path';
import type { CatalogProblem } from '../../core/catalog/index.ts';
import { envPolicyList, flag } from '../../core/config/index.ts';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { Command } from '../command.ts';
import { count } from '../../core/text/index.ts';

export const catalogValidateCommand: Command = {
  summary: 'Validate estate catalog files (no data needed); exits 1 and prints every problem when invalid, and warns about match rules that can never match',
  usage: 'catalog validate FILE… [--catalog-env-allow NAME,…] [--catalog-env-deny NAME,…]   (or WEFT_CATALOG_ENV_ALLOW / _DENY, as for weft start)',
  options: ['catalog-env-allow', 'catalog-env-deny'],
  operands: Infinity,
  async run(args, io) {
    const files = args.positionals.map((f) => resolve(io.cwd, f));
    if (files.length === 0) throw ERR_CONFIG('Name the catalog files to validate: weft catalog validate estate.yaml [more.yaml…]');
    const { ERR_CATALOG, formatProblem, loadCatalogWithWarnings } = await import('../../core/catalog/index.ts');
    try {
      // The same env: rules as weft start: WEFT_* never, and the operator's allow/deny lists.
      const list = (name: string, variable: string) => {
        const given = flag(args, name);
        return envPolicyList(given ?? io.env[variable], given !== undefined ? `--${name}` : variable);
      };
      const envPolicy = { allow: list('catalog-env-allow', 'WEFT_CATALOG_ENV_ALLOW'), deny: list('catalog-env-deny', 'WEFT_CATALOG_ENV_DENY') };
      const { catalog: c, warnings } = loadCatalogWithWarnings(files, { envPolicy });
      for (const w of warnings) io.err(`warning: ${formatProblem(w)}`);
      io.out(
        `${c.sources.join(', ')}: valid (${count(c.owners.length, 'owner')}, ${count(c.systems.length, 'system')}, ${count(c.domains.length, 'domain')}, ${count(c.flows.length, 'flow')}, ${count(c.classes.length, 'class')}, ${count(c.probes.length, 'probe')}, ${count(c.reconciliations.length, 'reconciliation')})`,
      );
      return 0;
    } catch (err) {
      const problems = (err as { problems?: CatalogProblem[]; code?: string }).problems;
      if ((err as { code?: string }).code !== ERR_CATALOG.code || !problems) throw err;
      for (const p of problems) io.err(formatProblem(p));
      io.err(`${count(problems.length, 'problem')} found.`);
      return 1;
    }
  },
};
