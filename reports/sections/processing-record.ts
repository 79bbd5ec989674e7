import type { Section } from '../model.ts';
import type { ReportData } from '../source/report-data.ts';
import { regionKind, type Catalog, type System } from '../../core/catalog/index.ts';
import { catalogIndex, fmtTime, list, table } from './helpers.ts';
import { count } from '../../core/text/index.ts';

const MECHANISM: Record<NonNullable<System['transfer']>['mechanism'], string> = {
  'adequacy-decision': 'adequacy decision (Art. 45)',
  'standard-contractual-clauses': 'standard contractual clauses (Art. 46)',
  'binding-corporate-rules': 'binding corporate rules (Art. 47)',
  'derogation-art-49': 'derogation (Art. 49)',
};

/**
 * "yes: US (outside the EEA); safeguard: standard contractual clauses (Art. 46), documented in …" / "…; safeguard not
 * documented" / "no (DE)" / "region not recorded" / "unknown region 'eu-west-1'" (never called a transfer).
 */
function transferText(target: System | undefined): string {
  const region = target?.region;
  switch (regionKind(region)) {
    case 'not-recorded':
      return 'region not recorded';
    case 'unknown':
      return `unknown region '${region}'`;
    case 'eea':
      return `no (${region})`;
    case 'third-country': {
      const t = target?.transfer;
      const safeguard = t ? `safeguard: ${MECHANISM[t.mechanism]}${t.documentation ? `, documented in ${t.documentation}` : ''}` : 'safeguard not documented';
      return `yes: ${region} (outside the EEA); ${safeguard}`;
    }
  }
}

/**
 * Whether a transfer to `target` lacks what Art. 30(1)(e) asks: a third-country recipient with no safeguard recorded,
 * or an Art. 49 derogation without its documentation.
 */
function safeguardMissing(target: System | undefined): boolean {
  if (regionKind(target?.region) !== 'third-country') return false;
  return !target?.transfer || (target.transfer.mechanism === 'derogation-art-49' && !target.transfer.documentation);
}

/** "name, contact" of a party of the record. */
const party = (p: { name: string; contact: string }) => `${p.name}, ${p.contact}`;

/**
 * The Art. 30(1)(a) rows: the controller and, where the catalog has them, its joint controllers, representative and
 * data protection officer ([role, name and contact]); empty without a controller in the catalog.
 */
function controllerRows(c: Catalog['controller']): string[][] {
  if (!c) return [];
  return [
    ['Controller', party(c)],
    ...(c.jointControllers ?? []).map((j) => ['Joint controller', party(j)]),
    ['Representative (Art. 27)', c.representative ? party(c.representative) : 'none recorded'],
    ['Data protection officer', c.dpo ? party(c.dpo) : 'none recorded'],
  ];
}

/**
 * GDPR Art. 30 record of processing for every documented flow whose domain carries regulated data,
 * and beside it the regulated flows observed in the period that no documented flow accounts for.
 */
export function processingRecordSection(data: ReportData): Section {
  const { catalog } = data;
  const ix = catalogIndex(catalog);
  const regulated = (domainId: string | undefined | null) => {
    const d = domainId ? ix.domains.get(domainId) : undefined;
    return d && d.regulated.length > 0 ? d : undefined;
  };
  const flows = catalog.flows.filter((f) => regulated(f.domain));
  const observedTraces = (flowId: string) => data.edges.filter((e) => e.flowId === flowId).reduce((n, e) => n + e.traces, 0);
  const records = flows.map((f) => {
    const d = regulated(f.domain)!;
    const target = ix.systems.get(f.target);
    return {
      f,
      d,
      row: [
        `${f.name} (${f.id})`,
        f.purpose ?? 'purpose not documented',
        list(d.dataSubjects, 'not documented'),
        `${list(d.personalData, 'not documented')} [${d.regulated.join(', ')}]`,
        `${ix.systemName(f.target)}; owner: ${ix.ownerText(target?.owner)}`,
        transferText(target),
        [d.retention ? `retention: ${d.retention}` : 'retention not documented', d.erasure ? `erasure: ${d.erasure}` : 'erasure not documented'].join('; '),
        list([...(f.security ?? []).map((s) => `${s} (transit)`), ...(target?.security ?? []).map((s) => `${s} (${f.target})`)], 'not documented'),
        observedTraces(f.id) > 0 ? `yes (${count(observedTraces(f.id), 'trace')})` : 'no',
      ],
    };
  });
  // Observed in the period, regulated domain, no documented flow: what no hand-written register can show.
  const undocumented = new Map<
    string,
    {
      source: string;
      target: string;
      integration: string;
      domain: string;
      traces: number | null;
      records: number | null;
      first: string;
      last: string;
      trace: string;
    }
  >();
  for (const e of data.edges) {
    if (e.flowId || !regulated(e.effectiveDomain)) continue;
    const key = `${e.source}|${e.target}|${e.integration}|${e.effectiveDomain}`;
    const prev = undocumented.get(key);
    if (prev) {
      prev.traces = (prev.traces ?? 0) + e.traces;
      prev.records = (prev.records ?? 0) + e.records;
      prev.first = prev.first < e.firstSeen ? prev.first : e.firstSeen;
      prev.last = prev.last > e.lastSeen ? prev.last : e.lastSeen;
    } else {
      undocumented.set(key, {
        source: e.source,
        target: e.target,
        integration: e.integration,
        domain: e.effectiveDomain,
        traces: e.traces,
        records: e.records,
        first: e.firstSeen,
        last: e.lastSeen,
        trace: e.sampleTrace,
      });
    }
  }
  // Findings raised in the period for regulated data on undocumented flows that the window's rollups no longer hold (or a
  // period with no whole minute). Their evidence counts the finding's own window, not the period: no counts are shown,
  // and a first or last seen outside the period is left out rather than shown as if seen in it.
  const inPeriod = (at: string) => Date.parse(at) >= Date.parse(data.period.since) && Date.parse(at) < Date.parse(data.period.until);
  let fromFindings = 0;
  for (const f of data.findings.filter((x) => x.kind === 'regulated-data-exposure' && x.evidence.documented === false)) {
    const [source, target] = f.subject.systems;
    const integration = String(f.evidence.integration ?? '');
    const domain = String(f.evidence.domain ?? f.subject.domains[0] ?? '');
    const key = `${source}|${target}|${integration}|${domain}`;
    if (!undocumented.has(key) && source && target) {
      fromFindings++;
      undocumented.set(key, {
        source,
        target,
        integration,
        domain,
        traces: null,
        records: null,
        first: inPeriod(f.firstSeen) ? f.firstSeen : '',
        last: inPeriod(f.lastSeen) ? f.lastSeen : '',
        trace: String((f.evidence.sampleTraceIds as string[] | undefined)?.[0] ?? ''),
      });
    }
  }
  const transfers = records.filter((r) => regionKind(ix.systems.get(r.f.target)?.region) === 'third-country');
  // Art. 30(1): purposes (b), categories of data subjects and of personal data (c), whether the recipient is in a third
  // country (e: the target's region, not recorded or not recognised), envisaged erasure time limits (f: retention).
  const transferUnknown = (r: (typeof records)[number]) => {
    const kind = regionKind(ix.systems.get(r.f.target)?.region);
    return kind === 'not-recorded' || kind === 'unknown';
  };
  const gaps = records.filter(
    (r) =>
      !r.f.purpose ||
      !r.d.retention ||
      !r.d.dataSubjects?.length ||
      !r.d.personalData?.length ||
      transferUnknown(r) ||
      safeguardMissing(ix.systems.get(r.f.target)),
  ).length;
  const sections = {
    id: 'processing-record' as const,
    title: 'Record of processing (GDPR Art. 30)',
    summary: [
      `Every documented flow that moves regulated data (a domain with regulated categories in the catalog): purpose, categories of data subjects and of personal data, recipients (the target system and its owner), transfers to third countries (the target system's region outside the EEA), retention and erasure limits, and security measures.`,
      `${count(records.length, 'documented flow')} ${records.length === 1 ? 'moves' : 'move'} regulated data; ${transfers.length} of them ${transfers.length === 1 ? 'transfers' : 'transfer'} it to a third country; ${gaps} ${gaps === 1 ? 'lacks' : 'lack'} a purpose, data subjects, personal data categories, a retention limit, the recipient's region (so whether it is a third-country transfer) or a third-country transfer's safeguard in the catalog. ` +
        `${count(undocumented.size, 'regulated flow')} ${undocumented.size === 1 ? 'was' : 'were'} observed in the period without being documented.`,
      ...(fromFindings > 0
        ? [
            `${fromFindings} of them ${fromFindings === 1 ? 'is' : 'are'} known from a regulated-data-exposure finding open in the period, not from flow figures counted in it (its traces and records are left blank, and a first or last seen outside the period too).`,
          ]
        : []),
      catalog.controller
        ? `Controller (Art. 30(1)(a)): ${party(catalog.controller)}${catalog.controller.dpo ? `; data protection officer: ${party(catalog.controller.dpo)}` : ''}.`
        : "The controller's name and contact details (Art. 30(1)(a)) are not in the catalog: add controller: { name, contact } (with dpo and representative where there are any); without them this is not a complete record.",
    ],
    figures: [
      { label: 'controller recorded', value: catalog.controller ? 'yes' : 'no' },
      { label: 'regulated flows documented', value: records.length },
      { label: 'third-country transfers', value: transfers.length },
      { label: 'records incomplete', value: gaps },
      { label: 'regulated flows observed, not documented', value: undocumented.size },
    ],
    charts: [],
    tables: [
      table(
        'controller',
        'Controller and contacts (Art. 30(1)(a))',
        [
          ['role', 'Role', 1],
          ['contact', 'Name and contact details', 3],
        ],
        controllerRows(catalog.controller),
        'Not recorded: the catalog names no controller (controller: { name, contact }).',
      ),
      table(
        'register',
        'Processing activities (documented flows moving regulated data)',
        [
          ['flow', 'Flow', 1.5],
          ['purpose', 'Purpose', 1.6],
          ['subjects', 'Data subjects', 1],
          ['data', 'Personal data', 1.3],
          ['recipients', 'Recipients', 1.4],
          ['transfer', 'Third country', 0.9],
          ['retention', 'Retention / erasure', 1.5],
          ['security', 'Security measures', 1.2],
          ['observed', 'Observed', 0.8],
        ],
        records.map((r) => r.row),
        'No documented flow moves a domain marked regulated in the catalog.',
      ),
      table(
        'undocumented-regulated',
        'Regulated flows observed but not documented',
        [
          ['route', 'Source → target', 1.8],
          ['integration', 'Integration', 1.2],
          ['domain', 'Domain (categories)', 1.2],
          ['traces', 'Traces', 0.6],
          ['records', 'Records', 0.7],
          ['first', 'First seen', 1.2],
          ['last', 'Last seen', 1.2],
          ['trace', 'Sample trace', 1.6],
        ],
        [...undocumented.values()].map((u) => [
          `${ix.systemName(u.source)} → ${ix.systemName(u.target)}`,
          u.integration,
          `${u.domain} (${list(ix.domains.get(u.domain)?.regulated)})`,
          u.traces,
          u.records,
          fmtTime(u.first),
          fmtTime(u.last),
          u.trace,
        ]),
        'None: every regulated flow observed in the period is documented.',
      ),
    ],
  };
  for (const t of sections.tables) t.landscape = true;
  return sections;
}
