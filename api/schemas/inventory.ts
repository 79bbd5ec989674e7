import { Type } from '@sinclair/typebox';
import { DocumentedLifecycle, FlowStatsSchema, NullStr, Num, Str, WindowFields } from './common.ts';

const Strs = Type.Array(Str);

export const SystemRowSchema = Type.Object({
  id: Str,
  name: Str,
  kind: Str,
  owner: NullStr,
  lifecycle: DocumentedLifecycle,
  documented: Type.Boolean(),
  integrations: Strs,
  spans: Num,
  errors: Num,
  records: Num,
  lastSeen: NullStr,
  observed: Type.Boolean(),
});
/** A documented flow's declared lookup or state store, with its runtime's touches of it in the window (analyzer/flows/flow-dependencies.ts). */
export const FlowDependencySchema = Type.Object({
  role: Type.Union([Type.Literal('lookup'), Type.Literal('state')], {
    description: "lookup: a system the flow's runtime reads reference data from; state: its runtime's own state (watermark, checkpoint, lock)",
  }),
  system: Str,
  spans: Type.Number({
    description:
      "spans of the flow's runtime that touched it in the window (reads only, for a lookup); 0: declared but not touched in the window — not a finding",
  }),
  errors: Type.Number({ description: 'those of them that failed' }),
  lastSeen: Type.Union([Str, Type.Null()], { description: 'the latest of them in the window (ISO 8601); null when none' }),
});

export const FlowRowSchema = Type.Object({
  id: Str,
  name: Str,
  source: Str,
  target: Str,
  domain: NullStr,
  owner: NullStr,
  lifecycle: DocumentedLifecycle,
  documented: Type.Boolean(),
  halfOf: Type.Union([Str, Type.Null()], {
    description:
      "For an observed flow that is a half of a documented one (that flow's runtime itself reading its source or writing its target: a run whose read and write were never paired together, as across a restart without trace context), the documented flow's id; null otherwise. Such a half is not an undocumented flow.",
  }),
  integrations: Strs,
  stats: FlowStatsSchema,
  lastSeen: NullStr,
  throughputPerHour: Type.Number({
    description:
      "Traces per hour over the part of the window Weft observed: from when it first received a span, when that is later than the window's start (a Weft started 12 minutes ago divides by 12 minutes, not by the window's 24 hours); at least a minute.",
  }),
  dependencies: Type.Array(FlowDependencySchema, {
    description:
      'A documented flow\'s lookups then state stores as the catalog declares them (docs/catalog.md, "Lookups and state stores"), each with what its runtime did with it in the window; empty for an observed flow or one that declares none.',
  }),
});
export const OwnerRowSchema = Type.Object({ id: Str, name: Str, email: NullStr, systems: Strs, flows: Strs, domains: Strs, traces: Num, lastSeen: NullStr });
export const DomainRowSchema = Type.Object({
  id: Str,
  name: Str,
  systemOfRecord: Str,
  replicas: Strs,
  regulated: Strs,
  owner: NullStr,
  flows: Strs,
  traces: Num,
  records: Num,
  lastSeen: NullStr,
});

/** One flow's inventory row over a window (`GET /flows/{id}/summary`), and how much of the window Weft still keeps. */
export const FlowSummarySchema = Type.Object({
  ...WindowFields,
  keptSince: Type.Union([Str, Type.Null()], {
    description:
      'set when the window starts before what Weft keeps (now minus the rollup retention): the figures cover keptSince–until; null when the whole window is kept',
  }),
  flow: FlowRowSchema,
});
