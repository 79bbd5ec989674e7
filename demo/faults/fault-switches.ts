import { ERR_CONFIG } from '../../core/errors/index.ts';
import { didYouMean, shown } from '../../core/text/index.ts';
/** The problems the demo can inject into its own estate, each one a thing Weft must find. */
export const faultKinds = [
  'shadow-it',
  'replica-drift',
  'latency-regression',
  'stale-flow',
  'deprecated-flow',
  'sor-violation',
  'lossy-etl',
  'failing-flow',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export type FaultSelection = boolean | Partial<Record<FaultKind, boolean>>;

export type FaultListener = (kind: FaultKind, on: boolean) => void;

/** Which faults are on; switching one notifies whoever acts on the change (e.g. a replica repair). */
export class FaultSwitches {
  private readonly on = new Set<FaultKind>();
  private readonly listeners: FaultListener[] = [];

  constructor(selection: FaultSelection = false) {
    for (const kind of faultKinds) {
      const wanted = typeof selection === 'boolean' ? selection : selection[kind] === true;
      if (wanted) this.on.add(kind);
    }
  }

  isOn(kind: FaultKind): boolean {
    return this.on.has(kind);
  }

  active(): FaultKind[] {
    return faultKinds.filter((k) => this.on.has(k));
  }

  set(kind: FaultKind, on: boolean): void {
    if (!faultKinds.includes(kind)) throw new Error(`Unknown demo fault "${kind}"; the faults are ${faultKinds.join(', ')}.`);
    if (this.on.has(kind) === on) return;
    if (on) this.on.add(kind);
    else this.on.delete(kind);
    for (const listener of this.listeners) listener(kind, on);
  }

  onChange(listener: FaultListener): void {
    this.listeners.push(listener);
  }
}

/**
 * Parses "shadow-it,stale-flow" (or "all" / "none") into a selection. Throws ERR_CONFIG naming the unknown
 * names (with the likely meant one), or when no name is given (`--faults=,`), or when all / none is mixed
 * with names.
 */
export function parseFaultList(text: string): FaultSelection {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const choices = `choose from ${faultKinds.join(', ')}, or all or none`;
  if (names.length === 0) throw ERR_CONFIG(`--faults was given no fault names: ${choices}.`);
  if (names.length === 1 && (names[0] === 'all' || names[0] === 'none')) return names[0] === 'all';
  if (names.includes('all') || names.includes('none')) throw ERR_CONFIG(`--faults takes all, none or a list of faults, not a mix of them (${shown(text)}).`);
  const unknown = names.filter((n) => !faultKinds.includes(n as FaultKind));
  if (unknown.length > 0)
    throw ERR_CONFIG(`Unknown demo fault ${unknown.map((u) => `${shown(u)}${didYouMean(u.slice(0, 100), faultKinds)}`).join(', ')}; ${choices}.`);
  return Object.fromEntries(names.map((n) => [n, true]));
}

/** The configuration's `demo.faults` (all, none, or names) as a selection; unknown names are an error naming them. */
export function faultSelection(value: boolean | string[]): FaultSelection {
  return typeof value === 'boolean' ? value : parseFaultList(value.join(','));
}
