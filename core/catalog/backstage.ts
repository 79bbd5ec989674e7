/**
 * Backstage `catalog-info.yaml` → a Weft catalog the user completes: Group → owners,
 * System/Component/Resource → systems, Domain → domains, dependsOn / consumesApis / providesApis →
 * documented flows (dependency → dependent: the dependent reads from what it depends on).
 */
import { Document, LineCounter, parseAllDocuments } from 'yaml';
import { explainYamlErrors } from './yaml-errors.ts';

interface Entity {
  kind: string;
  metadata: { name: string; title?: string; description?: string };
  spec?: Record<string, unknown>;
}

export interface BackstageImport {
  yaml: string;
  notes: string[];
  /** YAML that could not be read, each `file:line:column: message` (its documents are not imported). */
  unreadable: string[];
  counts: { owners: number; systems: number; domains: number; flows: number };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
/** "group:default/team-a" → { kind: "group", name: "team-a" } */
function ref(text: string, defaultKind: string): { kind: string; name: string } {
  const m = /^(?:([\w-]+):)?(?:[\w.-]+\/)?([\w.-]+)$/.exec(String(text).trim());
  return { kind: (m?.[1] ?? defaultKind).toLowerCase(), name: slug(m?.[2] ?? String(text)) };
}
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function importBackstage(files: Array<{ file: string; text: string }>): BackstageImport {
  const notes: string[] = [];
  const unreadable: string[] = [];
  const entities: Entity[] = [];
  for (const { file, text } of files) {
    const lines = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      if ('errors' in doc && doc.errors.length) {
        // Said as `weft catalog validate` says it: what to change, where the mistake is (an unclosed quote where it opens).
        const [p] = explainYamlErrors(text, doc.errors, lines);
        unreadable.push(`${file}:${p.line}:${p.column}: ${p.message}`);
        continue;
      }
      const e = doc.toJS() as Entity | null;
      if (!e || typeof e !== 'object') continue;
      if (!e.kind || !e.metadata?.name) {
        notes.push(`${file}: skipped a document without kind and metadata.name`);
        continue;
      }
      entities.push(e);
    }
  }
  const of = (kind: string) => entities.filter((e) => e.kind.toLowerCase() === kind);
  const owners = new Map<string, Record<string, unknown>>();
  for (const g of of('group')) {
    const profile = (g.spec?.profile ?? {}) as { displayName?: string; email?: string };
    owners.set(slug(g.metadata.name), {
      id: slug(g.metadata.name),
      name: profile.displayName ?? g.metadata.title ?? g.metadata.name,
      ...(profile.email ? { email: profile.email } : {}),
    });
  }
  const ownerOf = (e: Entity): string | undefined => {
    if (!e.spec?.owner) return undefined;
    const r = ref(String(e.spec.owner), 'group');
    if (!owners.has(r.name)) {
      owners.set(r.name, { id: r.name, name: r.name });
      notes.push(`owner "${r.name}" (${r.kind}) is referenced but not declared as a Group: added it; add contacts`);
    }
    return r.name;
  };
  const systems = [...of('system'), ...of('component'), ...of('resource')].map((e) => {
    const lifecycle = String(e.spec?.lifecycle ?? '') === 'deprecated' ? 'deprecated' : 'active';
    const owner = ownerOf(e);
    return {
      id: slug(e.metadata.name),
      name: e.metadata.title ?? e.metadata.name,
      kind: String(e.spec?.type ?? e.kind.toLowerCase()),
      ...(owner ? { owner } : {}),
      lifecycle,
      ...(e.metadata.description ? { description: e.metadata.description } : {}),
      match: e.kind.toLowerCase() === 'component' ? { services: [e.metadata.name] } : {},
    };
  });
  const ids = new Set(systems.map((s) => s.id));
  const domains = of('domain').flatMap((d) => {
    const members = of('system').filter((s) => s.spec?.domain && ref(String(s.spec.domain), 'domain').name === slug(d.metadata.name));
    if (members.length === 0) {
      notes.push(`domain "${d.metadata.name}" has no System in it: skipped (a Weft domain needs a system of record)`);
      return [];
    }
    notes.push(`domain "${d.metadata.name}": system of record set to "${slug(members[0].metadata.name)}" (its first System); check it and add replicas`);
    const owner = ownerOf(d);
    return [
      { id: slug(d.metadata.name), name: d.metadata.title ?? d.metadata.name, systemOfRecord: slug(members[0].metadata.name), ...(owner ? { owner } : {}) },
    ];
  });
  const providers = new Map<string, string[]>();
  for (const e of entities)
    for (const api of strings(e.spec?.providesApis))
      providers.set(ref(api, 'api').name, [...(providers.get(ref(api, 'api').name) ?? []), slug(e.metadata.name)]);
  const flows: Array<Record<string, unknown>> = [];
  const addFlow = (source: string, dependent: Entity, why: string) => {
    const target = slug(dependent.metadata.name);
    // A dependency on an entity of a file not given makes no flow: said, so that it is not taken for none.
    if (!ids.has(source) && ids.has(target))
      notes.push(`${why}: "${source}" is not among the imported entities, so no flow was made for it; import its file too, or add the flow by hand`);
    if (source === target || !ids.has(source) || !ids.has(target)) return;
    const id = `${source}-to-${target}`;
    if (flows.some((f) => f.id === id)) return;
    const owner = ownerOf(dependent);
    flows.push({
      id,
      source,
      target,
      ...(owner ? { owner } : {}),
      runtime: { service: dependent.metadata.name },
      purpose: `imported from Backstage (${why}); check the direction and add domain and class`,
    });
  };
  for (const e of entities) {
    for (const dep of strings(e.spec?.dependsOn)) addFlow(ref(dep, 'component').name, e, `${e.metadata.name} dependsOn ${dep}`);
    for (const api of strings(e.spec?.consumesApis)) {
      const from = providers.get(ref(api, 'api').name) ?? [];
      if (from.length === 0 && ids.has(slug(e.metadata.name)))
        notes.push(
          `${e.metadata.name} consumesApis ${api}: no imported entity providesApis it, so no flow was made for it; import the provider's file too, or add the flow by hand`,
        );
      for (const p of from) addFlow(p, e, `${e.metadata.name} consumesApis ${api}`);
    }
  }
  const catalog = { owners: [...owners.values()], systems, domains, flows };
  const doc = new Document(catalog);
  doc.commentBefore = [
    ' Weft estate catalog, imported from Backstage.',
    ' Complete it: match rules for each system (hosts, urlPrefixes, databases, destinations, peerServices),',
    ' domains with their system of record, replicas and regulated data, flow domains and classes.',
    ' Check it with: weft catalog validate <this file>',
  ].join('\n');
  return {
    yaml: doc.toString({ lineWidth: 0 }),
    notes,
    unreadable,
    counts: { owners: owners.size, systems: systems.length, domains: domains.length, flows: flows.length },
  };
}
