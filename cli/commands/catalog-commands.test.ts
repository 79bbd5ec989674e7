import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../core/catalog/index.ts';
import { parseArgs } from '../../core/config/index.ts';
import type { Command } from '../command.ts';
import { catalogImportBackstageCommand } from './catalog-import-backstage.ts';
import { main } from '../main.ts';
import { catalogValidateCommand } from './catalog-validate.ts';

const commands: Record<string, Command> = { validate: catalogValidateCommand, 'import-backstage': catalogImportBackstageCommand };

const dir = mkdtempSync(join(tmpdir(), 'weft-catalog-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function weft(_catalog: 'catalog', name: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await commands[name].run(parseArgs(argv), { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('weft catalog validate', () => {
  it('exits 0 on a valid catalog split over two files', async () => {
    writeFileSync(join(dir, 'a.yaml'), 'owners:\n  - id: icoe\nsystems:\n  - { id: crm, owner: icoe }\n');
    writeFileSync(join(dir, 'b.yaml'), 'systems:\n  - { id: erp, owner: icoe }\nflows:\n  - { id: f, source: crm, target: erp }\n');
    const r = await weft('catalog', 'validate', 'a.yaml', 'b.yaml');
    expect(r.code).toBe(0);
    // Regression: it said "1 owners", "1 flows".
    expect(r.out).toContain('valid (1 owner, 2 systems, 0 domains, 1 flow, 0 classes, 0 probes, 0 reconciliations)');
  });

  // Regression: `validate a.yaml a.yaml` read the file twice and reported each id as a duplicate of itself.
  it('reads a file named twice (or through another path to it) once, and warns', async () => {
    writeFileSync(join(dir, 'twice.yaml'), 'owners:\n  - id: ops\nsystems:\n  - { id: crm, owner: ops, match: { hosts: [crm.internal] } }\n');
    const r = await weft('catalog', 'validate', 'twice.yaml', 'twice.yaml', join(dir, 'sub', '..', 'twice.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${join(dir, 'twice.yaml')}: valid (1 owner, 1 system, 0 domains, 0 flows, 0 classes, 0 probes, 0 reconciliations)`);
    expect(r.err.split('\n')).toEqual([
      `warning: ${join(dir, 'twice.yaml')}: named twice (first as ${join(dir, 'twice.yaml')}): read once`,
      `warning: ${join(dir, 'twice.yaml')}: named twice (first as ${join(dir, 'twice.yaml')}): read once`,
    ]);
  });

  it('names the other file and line where a duplicate id was first declared (it named owners[0] of the merged list)', async () => {
    writeFileSync(join(dir, 'c2.yaml'), 'owners:\n  - id: team-b\n  - id: team-a\n');
    writeFileSync(join(dir, 'c3.yaml'), 'owners:\n  - id: team-a\n');
    const r = await weft('catalog', 'validate', 'c2.yaml', 'c3.yaml');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${join(dir, 'c3.yaml')}:2:9: owners[0].id: duplicate id "team-a": ${join(dir, 'c2.yaml')}:3:9 (owners[1]) already uses it`,
      '1 problem found.',
    ]);
  });

  it('says a directory is not a file, and warns about an empty file without failing (it was "valid" with zero counts)', async () => {
    writeFileSync(join(dir, 'empty.yaml'), '# to do\n\n');
    const empty = await weft('catalog', 'validate', 'empty.yaml');
    expect(empty.code).toBe(0);
    expect(empty.err).toBe(
      `warning: ${join(dir, 'empty.yaml')}: the file is empty (only blank lines or comments): it declares nothing; fill it in, or leave it out`,
    );
    const folder = await weft('catalog', 'validate', '.');
    expect(folder.code).toBe(1);
    expect(folder.err).toContain(`${dir}: is a directory, not a file: name the catalog files in it (e.g. catalog/*.yaml)`);
  });

  it('exits 1 and prints every problem with file, line and field', async () => {
    writeFileSync(join(dir, 'bad.yaml'), 'systems:\n  - { id: crm, owner: nobody }\nflows:\n  - { id: f, source: crm, target: crm }\n');
    const r = await weft('catalog', 'validate', 'bad.yaml', 'missing.yaml');
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${join(dir, 'missing.yaml')}: no such file: check the path (a relative path is read from the current directory)`,
      `${join(dir, 'bad.yaml')}:2:23: systems[0].owner: unknown owner "nobody"; expected one of the ids declared under owners (none declared)`,
      `${join(dir, 'bad.yaml')}:4:35: flows[0].target: a flow's target must differ from its source ("crm")`,
      '3 problems found.',
    ]);
  });

  // Regression (break test): `weft catalog validate 'catalog/*.yml'` where no file matches (the shell passes the
  // pattern on as it is) said "no such file: check the path", not that the pattern matched nothing.
  it('says a pattern the shell left unexpanded matched no file', async () => {
    const r = await weft('catalog', 'validate', 'catalog/*.yml');
    expect([r.code, r.err.split('\n')[0]]).toEqual([
      1,
      `${join(dir, 'catalog/*.yml')}: no file matches this pattern (the shell passes a pattern that matches nothing as it is): check the directory and the extension (.yaml or .yml)`,
    ]);
  });
});

describe('weft catalog validate: rules that can never match', () => {
  it('warns on stderr and still exits 0 (regression: a prefix that no endpoint key can have was accepted silently)', async () => {
    writeFileSync(
      join(dir, 'rules.yaml'),
      `systems:
  - { id: crm, match: { urlPrefixes: ["http://127.0.0.1:18081/api/v1/customers/"] } }
  - { id: erp, match: {} }
  - { id: mq, match: { hosts: ["amqp://mq.internal"], destinations: [amq.default, "<default>"] } }
`,
    );
    const r = await weft('catalog', 'validate', 'rules.yaml');
    expect(r.code).toBe(0);
    const at = join(dir, 'rules.yaml');
    expect(r.err.split('\n')).toEqual([
      `warning: ${at}:2:39: systems[0].match.urlPrefixes[0]: "http://127.0.0.1:18081/api/v1/customers/" has 3 path segments; ` +
        'endpoints keep the first 2, so it can never match (use "http://127.0.0.1:18081/api/v1/")',
      `warning: ${at}:3:23: systems[1].match: system "erp" has no match rules: ` +
        'no span resolves to it except one naming it in integration.source / integration.target',
      `warning: ${at}:4:32: systems[2].match.hosts[0]: "amqp://mq.internal" is a URL; hosts take a host name or "host:port" (put URLs under urlPrefixes)`,
      `warning: ${at}:4:70: systems[2].match.destinations[0]: RabbitMQ's default exchange is identified by the routing key (the queue name); ` +
        '"amq.default" can never match — name the queue',
      `warning: ${at}:4:83: systems[2].match.destinations[1]: RabbitMQ's default exchange is identified by the routing key (the queue name); ` +
        '"<default>" can never match — name the queue',
    ]);
  });
});

describe('weft catalog import-backstage', () => {
  it('turns Backstage entities into a catalog to complete', async () => {
    writeFileSync(
      join(dir, 'catalog-info.yaml'),
      `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: sales-it }
spec: { type: team, profile: { displayName: Sales IT, email: sales-it@example.com }, children: [] }
---
kind: Domain
metadata: { name: customer }
spec: { owner: sales-it }
---
kind: System
metadata: { name: crm, title: Customer CRM }
spec: { owner: group:default/sales-it, domain: customer }
---
kind: Component
metadata: { name: crm-api }
spec: { type: service, lifecycle: production, owner: sales-it, system: crm, providesApis: [crm-rest] }
---
kind: Component
metadata: { name: order-sync }
spec: { type: service, lifecycle: deprecated, owner: ops, consumesApis: [crm-rest], dependsOn: [resource:default/orders-db] }
---
kind: Resource
metadata: { name: orders-db }
spec: { type: database, owner: sales-it }
---
kind: API
metadata: { name: crm-rest }
spec: { type: openapi, owner: sales-it }
`,
    );
    const r = await weft('catalog', 'import-backstage', 'catalog-info.yaml', '--out', 'estate.yaml');
    expect(r.code).toBe(0);
    expect(r.err).toContain('imported 2 owners, 4 systems, 1 domain, 2 flows into estate.yaml');
    expect(r.err).toContain('note: owner "ops" (group) is referenced but not declared as a Group');
    const { catalog, problems } = parseCatalog([{ file: 'estate.yaml', text: readFileSync(join(dir, 'estate.yaml'), 'utf8') }]);
    expect(problems).toEqual([]);
    expect(catalog.owners.map((o) => o.id)).toEqual(['sales-it', 'ops']);
    expect(catalog.systems.find((s) => s.id === 'order-sync')).toMatchObject({ lifecycle: 'deprecated', owner: 'ops', match: { services: ['order-sync'] } });
    expect(catalog.domains[0]).toMatchObject({ id: 'customer', systemOfRecord: 'crm', owner: 'sales-it' });
    expect(catalog.flows.map((f) => `${f.source}->${f.target}`).sort()).toEqual(['crm-api->order-sync', 'orders-db->order-sync']);
    // What remains to complete, per entry, as docs/catalog.md promises (not only counts).
    expect(r.err).toMatch(/to complete \(\d+\) before Weft can observe and judge these entries:/);
    expect(r.err).toMatch(/owners\/ops\s+a contact/);
    expect(r.err).toMatch(/systems\/crm\s+match rules/);
    expect(r.err).toMatch(/domains\/customer\s+replicas/);
    expect(r.err).toMatch(/flows\/\S+\s+a class/);
    expect(r.err).not.toMatch(/systems\/order-sync\s+match rules/);
  });

  // Regression (break test): a file that is not YAML, or holds no entity, exited 0 and wrote an empty catalog (over
  // --out's file), with "then: weft catalog validate estate.yaml" said though nothing was written there.
  it('writes nothing from files it cannot read, or that hold no Backstage entity, and says which', async () => {
    writeFileSync(join(dir, 'good.yaml'), 'kind: System\nmetadata: { name: crm }\n');
    writeFileSync(join(dir, 'broken.yaml'), 'kind: System\nmetadata: { name: [crm\n');
    writeFileSync(join(dir, 'kept.yaml'), '# a catalog the user wrote\n');
    const run = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await main(['catalog', 'import-backstage', ...argv], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd: dir });
      return { code, err: err.join('\n') };
    };
    const broken = await run('good.yaml', 'broken.yaml', '--out', 'kept.yaml');
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(
      /^weft catalog import-backstage: Not imported: YAML that cannot be read \(fix it and run again\):\n {2}\S*broken\.yaml:\d+:\d+: /,
    );
    expect(readFileSync(join(dir, 'kept.yaml'), 'utf8')).toBe('# a catalog the user wrote\n');
    writeFileSync(join(dir, 'none.yaml'), 'apiVersion: v1\nkind: ConfigMap\n');
    const none = await run('none.yaml');
    expect(none.code).toBe(2);
    expect(none.err).toContain('Not imported: no Backstage entity');
    const printed = await run('good.yaml');
    expect(printed.code).toBe(0);
    expect(printed.err).toContain('then: save it (--out estate.yaml) and run weft catalog validate estate.yaml');
  });

  // Regression (break test): a dependsOn or consumesApis naming an entity of a file not given made no flow and said
  // nothing, so the catalog looked complete.
  it('says which dependencies made no flow because their entity was not imported', async () => {
    writeFileSync(
      join(dir, 'one.yaml'),
      'kind: Component\nmetadata: { name: crm-service }\nspec: { owner: sales, dependsOn: [resource:crm-db], consumesApis: [billing-api] }\n',
    );
    const err: string[] = [];
    const code = await main(['catalog', 'import-backstage', 'one.yaml'], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd: dir });
    expect(code).toBe(0);
    expect(err.join('\n')).toContain(
      'note: crm-service dependsOn resource:crm-db: "crm-db" is not among the imported entities, so no flow was made for it; import its file too, or add the flow by hand',
    );
    expect(err.join('\n')).toContain(
      "note: crm-service consumesApis billing-api: no imported entity providesApis it, so no flow was made for it; import the provider's file too, or add the flow by hand",
    );
  });

  // Regression (break test): --out overwrote an existing file without a word: a catalog completed by hand after the
  // first import, or (--out catalog-info.yaml) the Backstage file being imported.
  it('never writes over an existing file or one of its inputs', async () => {
    writeFileSync(join(dir, 'bs.yaml'), 'kind: System\nmetadata: { name: crm }\n');
    writeFileSync(join(dir, 'done.yaml'), '# completed by hand\n');
    const run = async (...argv: string[]) => {
      const err: string[] = [];
      const code = await main(['catalog', 'import-backstage', ...argv], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd: dir });
      return { code, err: err.join('\n') };
    };
    const over = await run('bs.yaml', '--out', 'done.yaml');
    expect([over.code, over.err]).toEqual([2, expect.stringContaining('--out done.yaml already exists (a catalog completed by hand would be lost)')]);
    expect(readFileSync(join(dir, 'done.yaml'), 'utf8')).toBe('# completed by hand\n');
    const self = await run('bs.yaml', '--out', './bs.yaml');
    expect([self.code, self.err]).toEqual([2, expect.stringContaining('--out ./bs.yaml is one of the Backstage files being imported')]);
    expect(readFileSync(join(dir, 'bs.yaml'), 'utf8')).toBe('kind: System\nmetadata: { name: crm }\n');
    const fresh = await run('bs.yaml', '--out', 'fresh.yaml');
    expect(fresh.code).toBe(0);
    expect(readFileSync(join(dir, 'fresh.yaml'), 'utf8')).toContain('id: crm');
  });

  // Regression (break test): a YAML mistake was the parser's first line, cut before its excerpt ("Tabs are not allowed as
  // indentation at line 5, column 1:"), and an unclosed quote was placed at the end of the file, not where it opens.
  it("names a YAML mistake as weft catalog validate does: what to change, at the mistake's line", async () => {
    writeFileSync(join(dir, 'tab.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: crm\n\tspec: x\n');
    writeFileSync(join(dir, 'quote.yaml'), 'kind: System\nmetadata:\n  name: "crm\n  title: CRM\n');
    const err: string[] = [];
    const code = await main(['catalog', 'import-backstage', 'tab.yaml', 'quote.yaml'], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd: dir });
    expect(code).toBe(2);
    const text = err.join('\n');
    expect(text).toMatch(/tab\.yaml:5:1: this line is indented with a tab: indent it with spaces/);
    expect(text).toMatch(/quote\.yaml:3:\d+: .*quote/i);
    expect(text).not.toMatch(/at line \d+, column \d+:$/m);
  });
});
