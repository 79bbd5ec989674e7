import { describe, expect, it } from 'vitest';
import { filterFromParams } from '../charts/graph-view.ts';
import { checkExpand, checkFilter, overviewParams } from './filter-problems.ts';

const choices = { domains: ['customer', 'order'], owners: ['icoe', 'sales'], systems: ['crm', 'erp', 'wms'] };
const check = (query: string, known = choices) => {
  const params = new URLSearchParams(query);
  return checkFilter(params, filterFromParams(params), known);
};

describe("the overview's URL filters", () => {
  // Regression: /?domain=nosuch drew an empty canvas with no word and a blank Domain box.
  it('says a domain the window does not hold, and shows every domain instead', () => {
    const { filter, problems } = check('domain=nosuch');
    expect(filter.domain).toBeUndefined();
    expect(problems).toEqual([{ param: 'domain', message: "No domain 'nosuch' in this window: showing every domain." }]);
  });

  // Regression: /?focus=nonexistent silently showed the whole estate.
  it('says a focused system the window does not hold, and an owner it does not', () => {
    const { filter, problems } = check('focus=nonexistent&owner=nobody&hops=2');
    expect(filter).toMatchObject({ focus: undefined, owner: undefined, hops: 2 });
    expect(problems.map((p) => p.message)).toEqual([
      "No owner 'nobody' in this window: showing every owner.",
      "No system 'nonexistent' in this window: showing the whole estate.",
    ]);
  });

  // Regression: /?focus=erp&hops=7 drew within 7 hops while the "within" box (1–3) was blank; a hops the URL
  // does not take (11, 0, 2.5, words) fell back to 1 without a word.
  it('applies every hops the URL takes, and says one it does not take, with the 1 hop shown instead', () => {
    expect(check('focus=erp&hops=7')).toEqual({ filter: expect.objectContaining({ focus: 'erp', hops: 7 }), problems: [] });
    expect(check('focus=erp&hops=10').problems).toEqual([]);
    for (const hops of ['11', '0', '2.5', 'two', ''])
      expect(check(`focus=erp&hops=${hops}`), hops).toEqual({
        filter: expect.objectContaining({ hops: 1 }),
        problems: [{ param: 'hops', message: `Focus within '${hops}' hops: it is a whole number from 1 to 10; showing 1 hop.` }],
      });
  });

  it('says a flow filter or a window the overview does not take', () => {
    expect(check('documented=maybe&since=2h').problems).toEqual([
      { param: 'since', message: "No window '2h': the overview shows 1h, 6h, 24h or 7d; showing the last 24 hours." },
      { param: 'documented', message: "No flow filter 'maybe': it is 'documented' or 'undocumented'; showing both." },
    ]);
  });

  it('keeps values the window holds, and checks none against the graph before it is loaded', () => {
    expect(check('domain=order&owner=icoe&focus=crm')).toEqual({
      filter: expect.objectContaining({ domain: 'order', owner: 'icoe', focus: 'crm' }),
      problems: [],
    });
    const params = new URLSearchParams('domain=nosuch&focus=nonexistent');
    expect(checkFilter(params, filterFromParams(params), undefined)).toEqual({
      filter: expect.objectContaining({ domain: 'nosuch', focus: 'nonexistent' }),
      problems: [],
    });
  });

  // Regression: /?group=xyz fell back to the automatic grouping, /?unhealthy=yes showed everything,
  // /?layout=xyz drew the force layout, and /?hops=2 without a focus did nothing, each without a word.
  it('says a grouping, findings filter or layout the overview does not take, and hops without a focus', () => {
    expect(check('group=xyz&unhealthy=yes&layout=xyz&hops=2').problems).toEqual([
      { param: 'hops', message: "Within '2' hops applies to a focused system, and no focus is set: showing the whole estate." },
      { param: 'unhealthy', message: "No findings filter 'yes': it is '1' (only what has open findings); showing everything." },
      { param: 'group', message: "No grouping 'xyz': it is 'owner', 'kind' or 'none'; showing the automatic grouping (by owner past 150 systems)." },
      { param: 'layout', message: "No layout 'xyz': it is 'force' or 'circular'; showing the force layout." },
    ]);
    // The filter applied is what is said to be shown.
    expect(check('unhealthy=yes').filter.unhealthy).toBe(false);
  });

  it('takes every value its controls set, and an empty one as the default the control shows', () => {
    for (const q of [
      'group=owner',
      'group=kind',
      'group=none',
      'group=',
      'unhealthy=1',
      'unhealthy=',
      'layout=circular',
      'layout=force',
      'layout=',
      'focus=erp&hops=3',
    ])
      expect(check(q).problems, q).toEqual([]);
    // A bad hops with no focus is said once, as the value it is.
    expect(check('hops=11').problems.map((p) => p.param)).toEqual(['hops']);
  });

  it('says an expanded group the drawing does not hold, or any when it is not drawn in groups', () => {
    expect(checkExpand(['sales'], ['icoe', 'sales'])).toEqual([]);
    expect(checkExpand([], null)).toEqual([]);
    expect(checkExpand(['xyz'], undefined)).toEqual([]);
    expect(checkExpand(['xyz', 'sales'], ['icoe', 'sales'])).toEqual([
      { param: 'expand', message: "No group 'xyz' in this drawing to expand: expanding the others." },
    ]);
    expect(checkExpand(['xyz'], ['icoe'])).toEqual([{ param: 'expand', message: "No group 'xyz' in this drawing to expand: showing the groups collapsed." }]);
    expect(checkExpand(['icoe'], null)).toEqual([{ param: 'expand', message: "Expanded 'icoe': the graph is not drawn in groups; showing every system." }]);
  });

  it('checks every parameter the overview reads (a bad value of each is said)', () => {
    const bad: Record<(typeof overviewParams)[number], string> = {
      since: 'x',
      domain: 'x',
      owner: 'x',
      documented: 'x',
      unhealthy: 'x',
      focus: 'x',
      hops: 'x',
      group: 'x',
      layout: 'x',
      expand: 'x',
    };
    for (const param of overviewParams) {
      const params = new URLSearchParams([[param, bad[param]]]);
      const said = [...checkFilter(params, filterFromParams(params), choices).problems, ...checkExpand(params.getAll('expand'), null)];
      expect(
        said.map((p) => p.param),
        param,
      ).toEqual([param]);
    }
  });
});
