// The overview's URL filters checked against what the window holds: a value that matches nothing is said,
// next to the filters, with what is shown instead, never an empty canvas or a blank box without a word.
import { MAX_HOPS, type GraphFilter } from '../charts/graph-view.ts';
import { overviewWindows } from './requests.ts';

/** One URL parameter the overview cannot apply as given, and what it shows instead. */
export interface FilterProblem {
  /** The URL parameter ('domain', 'owner', 'focus', 'hops', 'documented', 'since'): clearing it clears the problem. */
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

const quoted = (v: string) => `'${v.length > 60 ? `${v.slice(0, 60)}…` : v}'`;

/**
 * The filter the overview applies for `filter` (read by `filterFromParams` from `params`), and the
 * problems of the URL's values: a domain, owner or focused system the window's graph (`choices`) does not
 * hold is left out of the filter (the graph shows what it would without it, and the problem says so), a
 * `hops` outside 1–MAX_HOPS or a `documented` or `since` the overview does not take is said, with the
 * value used instead. Without `choices` (the graph not loaded yet) nothing is checked against it.
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
