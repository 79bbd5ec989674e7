import { Type } from '@sinclair/typebox';
import { FlowStatsSchema, NullStr, Num, Str } from './common.ts';

const Strs = Type.Array(Str);

export const SystemRowSchema = Type.Object({
  id: Str,
  name: Str,
  kind: Str,
  owner: NullStr,
  lifecycle: Str,
  documented: Type.Boolean(),
  integrations: Strs,
  spans: Num,
  errors: Num,
  records: Num,
  lastSeen: NullStr,
});
export const FlowRowSchema = Type.Object({
  id: Str,
  name: Str,
  source: Str,
  target: Str,
  domain: NullStr,
  owner: NullStr,
  lifecycle: Str,
  documented: Type.Boolean(),
  integrations: Strs,
  stats: FlowStatsSchema,
  lastSeen: NullStr,
  throughputPerHour: Num,
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
