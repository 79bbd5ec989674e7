import type { AlertSelector, Catalog, Flow } from '../../core/catalog/index.ts';

/** True when the flow matches every field the selector gives (an empty selector matches every flow). */
export function selectsFlow(sel: AlertSelector | undefined, f: Flow): boolean {
  if (!sel) return true;
  if (sel.flows && !sel.flows.includes(f.id)) return false;
  if (sel.owners && !(f.owner && sel.owners.includes(f.owner))) return false;
  if (sel.classes && !(f.class && sel.classes.includes(f.class))) return false;
  if (sel.domains && !(f.domain && sel.domains.includes(f.domain))) return false;
  if (sel.systems && !sel.systems.includes(f.source) && !sel.systems.includes(f.target)) return false;
  for (const [name, value] of Object.entries(sel.labels ?? {})) if (!f.labels || !Object.hasOwn(f.labels, name) || f.labels[name] !== value) return false;
  return true;
}

/**
 * The flows a custom rule's selector picks, in catalog order: active ones, and deprecated ones its `flows` names (a rule
 * written for a flow being phased out watches it; one selecting by owner, class or label watches what is in service).
 * Retired flows never: their use is the `deprecated-in-use` finding.
 */
export function selectFlows(catalog: Catalog, sel: AlertSelector | undefined): Flow[] {
  return catalog.flows.filter(
    (f) => (f.lifecycle === 'active' || (f.lifecycle === 'deprecated' && sel?.flows?.includes(f.id) === true)) && selectsFlow(sel, f),
  );
}

/** True when a finding subject (systems, flows, domains) is in the selector's reach. */
export function selectsSubject(sel: AlertSelector | undefined, catalog: Catalog, s: { systems: string[]; flows: string[]; domains: string[] }): boolean {
  if (!sel) return true;
  const flows = catalog.flows.filter((f) => s.flows.includes(f.id));
  if (flows.length > 0) return flows.some((f) => selectsFlow(sel, f));
  if (sel.flows || sel.classes || sel.labels) return false;
  if (sel.systems && !s.systems.some((x) => sel.systems!.includes(x))) return false;
  if (sel.domains && !s.domains.some((x) => sel.domains!.includes(x))) return false;
  if (sel.owners) {
    const owners = new Set([
      ...catalog.systems.filter((x) => s.systems.includes(x.id)).map((x) => x.owner),
      ...catalog.domains.filter((d) => s.domains.includes(d.id)).map((d) => d.owner),
    ]);
    if (!sel.owners.some((o) => owners.has(o))) return false;
  }
  return true;
}
