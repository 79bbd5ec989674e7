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
