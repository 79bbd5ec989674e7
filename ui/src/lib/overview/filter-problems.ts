// The overview's URL filters checked against what the window holds: a value that matches nothing is said,
// next to the filters, with what is shown instead, never an empty canvas or a blank box without a word.
import { GROUP_ABOVE } from '../charts/graph-groups.ts';
import { MAX_HOPS, type GraphFilter } from '../charts/graph-view.ts';
import { overviewWindows } from './requests.ts';

/** One URL parameter the overview cannot apply as given, and what it shows instead. */
export interface FilterProblem {
  /** The URL parameter (one of `overviewParams`): clearing it clears the problem. */
  param: string;
  /** In words, what is wrong and what is shown instead: "No domain 'nosuch' in this window: showing every domain." */
  message: string;
}

/** What the window's graph holds, that a filter may name. */
export interface FilterChoices {
  domains: readonly string[];
  owners: readonly string[];
  /** System ids (the graph's nodes). */
  systems: readonly string[];
}

/** Every URL parameter the overview reads; each is checked here (`checkFilter`, `checkExpand`). */
export const overviewParams = ['since', 'domain', 'owner', 'documented', 'unhealthy', 'focus', 'hops', 'group', 'layout', 'expand'] as const;

/** The `group` values the overview takes ('' or none: grouped automatically past GROUP_ABOVE systems). */
export const groupChoices = ['owner', 'kind', 'none'] as const;
/** The `layout` values the overview takes ('' or none: force). */
export const layoutChoices = ['force', 'circular'] as const;

const quoted = (v: string) => `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'`;

/**
 * The filter the overview applies for `filter` (read by `filterFromParams` from `params`), and the
 * problems of the URL's values: a domain, owner or focused system the window's graph (`choices`) does not
 * hold is left out of the filter (the graph shows what it would without it, and the problem says so), a
 * `hops` outside 1–MAX_HOPS (or without a `focus`), or a `documented`, `since`, `unhealthy`, `group` or
 * `layout` the overview does not take is said, with what is shown instead (an empty `documented`,
 * `unhealthy`, `group` or `layout` is the default its control shows, and no problem). Without `choices` (the graph not loaded yet) nothing is checked against it.
 */
export function checkFilter(
  params: URLSearchParams,
  filter: GraphFilter,
  choices: FilterChoices | undefined,
): { filter: GraphFilter; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const applied: GraphFilter = { ...filter };
  const since = params.get('since');
  if (since !== null && !(overviewWindows as readonly string[]).includes(since))
    problems.push({ param: 'since', message: `No window ${quoted(since)}: the overview shows 1h, 6h, 24h or 7d; showing the last 24 hours.` });
  const documented = params.get('documented');
  if (documented && filter.documented === undefined)
    problems.push({ param: 'documented', message: `No flow filter ${quoted(documented)}: it is 'documented' or 'undocumented'; showing both.` });
  const hops = params.get('hops');
  const n = Number(hops);
  if (hops !== null && !(hops.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= MAX_HOPS))
    problems.push({ param: 'hops', message: `Focus within ${quoted(hops)} hops: it is a whole number from 1 to ${MAX_HOPS}; showing 1 hop.` });
  else if (hops !== null && !params.get('focus'))
    problems.push({ param: 'hops', message: `Within ${quoted(hops)} hops applies to a focused system, and no focus is set: showing the whole estate.` });
  const unhealthy = params.get('unhealthy');
  if (unhealthy && unhealthy !== '1')
    problems.push({ param: 'unhealthy', message: `No findings filter ${quoted(unhealthy)}: it is '1' (only what has open findings); showing everything.` });
  const group = params.get('group');
  if (group && !(groupChoices as readonly string[]).includes(group))
    problems.push({
      param: 'group',
      message: `No grouping ${quoted(group)}: it is 'owner', 'kind' or 'none'; showing the automatic grouping (by owner past ${GROUP_ABOVE} systems).`,
    });
  const layout = params.get('layout');
  if (layout && !(layoutChoices as readonly string[]).includes(layout))
    problems.push({ param: 'layout', message: `No layout ${quoted(layout)}: it is 'force' or 'circular'; showing the force layout.` });
  if (choices) {
    if (filter.domain && !choices.domains.includes(filter.domain)) {
      problems.push({ param: 'domain', message: `No domain ${quoted(filter.domain)} in this window: showing every domain.` });
      applied.domain = undefined;
    }
    if (filter.owner && !choices.owners.includes(filter.owner)) {
      problems.push({ param: 'owner', message: `No owner ${quoted(filter.owner)} in this window: showing every owner.` });
      applied.owner = undefined;
    }
    if (filter.focus && !choices.systems.includes(filter.focus)) {
      problems.push({ param: 'focus', message: `No system ${quoted(filter.focus)} in this window: showing the whole estate.` });
      applied.focus = undefined;
    }
  }
  return { filter: applied, problems };
}

/**
 * The problems of the URL's `expand` values (group keys drawn system by system): none to say while the
 * drawing is not known (`groups` undefined: the graph not loaded yet); with the graph drawn ungrouped
 * (`groups` null) every expanded group is said; else the keys that name no group of this window's drawing.
 * One problem at most: clearing `expand` clears them all.
 */
export function checkExpand(expand: readonly string[], groups: readonly string[] | null | undefined): FilterProblem[] {
  if (expand.length === 0 || groups === undefined) return [];
  const list = (keys: readonly string[]) => keys.map(quoted).join(', ');
  if (groups === null) return [{ param: 'expand', message: `Expanded ${list(expand)}: the graph is not drawn in groups; showing every system.` }];
  const unknown = expand.filter((k) => !groups.includes(k));
  return unknown.length
    ? [
        {
          param: 'expand',
          message: `No group ${list(unknown)} in this drawing to expand: ${unknown.length === expand.length ? 'showing the groups collapsed' : 'expanding the others'}.`,
        },
      ]
    : [];
}
