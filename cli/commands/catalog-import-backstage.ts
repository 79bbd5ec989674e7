import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERR_CONFIG } from '../../core/errors/index.ts';
import { flag } from '../../core/config/index.ts';
import type { Command } from '../command.ts';
import { count } from '../../core/text/index.ts';

export const catalogImportBackstageCommand: Command = {
  summary: 'Turn Backstage catalog-info.yaml entities into a Weft catalog to complete',
  usage: 'catalog import-backstage FILE… [--out estate.yaml]',
  options: ['out'],
  operands: Infinity,
  async run(args, io) {
    const files = args.positionals.map((f) => resolve(io.cwd, f));
    if (files.length === 0) throw ERR_CONFIG('Name the Backstage files: weft catalog import-backstage catalog-info.yaml [more…] [--out estate.yaml]');
    const { formatProblem, importBackstage, parseCatalog, toComplete } = await import('../../core/catalog/index.ts');
    // A directory's read error names no path: it is added, so the error says which file it was.
    const text = (file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw (err as NodeJS.ErrnoException).path ? err : Object.assign(err as NodeJS.ErrnoException, { path: file });
      }
    };
    const result = importBackstage(files.map((file) => ({ file, text: text(file) })));
    // Nothing is written from files that could not all be read: a catalog missing their entities (or an --out file
    // overwritten with an empty one) is not what was asked for.
    if (result.unreadable.length > 0)
      throw ERR_CONFIG(`Not imported: YAML that cannot be read (fix it and run again):\n${result.unreadable.map((u) => `  ${u}`).join('\n')}`);
    const c = result.counts;
    if (c.owners + c.systems + c.domains + c.flows === 0)
      throw ERR_CONFIG(
        `Not imported: no Backstage entity (Group, System, Component, Resource, API, Domain, each with kind and metadata.name) in ${args.positionals.join(', ')}.`,
      );
    // The output is a catalog to complete by hand: a second import over it would throw that work away (or, given one
    // of the Backstage files, the file itself). Printed without --out, it can still be redirected over a file on purpose.
    const out = flag(args, 'out');
    const target = out === undefined ? undefined : resolve(io.cwd, out);
    if (target !== undefined) {
      if (files.includes(target))
        throw ERR_CONFIG(`--out ${out} is one of the Backstage files being imported: write the catalog to another file (--out estate.yaml).`);
      if (existsSync(target))
        throw ERR_CONFIG(
          `--out ${out} already exists (a catalog completed by hand would be lost): give a new file, or delete it first (without --out the catalog is printed, to compare or to redirect).`,
        );
    }
    if (out && target) writeFileSync(target, result.yaml, { flag: 'wx' });
    else io.out(result.yaml);
    io.err(
      `imported ${count(c.owners, 'owner')}, ${count(c.systems, 'system')}, ${count(c.domains, 'domain')}, ${count(c.flows, 'flow')}${out ? ` into ${out}` : ''}`,
    );
    for (const n of result.notes) io.err(`note: ${n}`);
    const parsed = parseCatalog([{ file: out ?? 'output', text: result.yaml }]);
    for (const p of parsed.problems) io.err(`to fix: ${formatProblem(p)}`);
    const remaining = toComplete(parsed.catalog);
    if (remaining.length > 0) {
      io.err(`\nto complete (${remaining.length}) before Weft can observe and judge these entries:`);
      for (const r of remaining) io.err(`  ${r.entry.padEnd(36)} ${r.what}`);
    }
    io.err(out ? `\nthen: weft catalog validate ${out}` : '\nthen: save it (--out estate.yaml) and run weft catalog validate estate.yaml');
    return 0;
  },
};
