import { Type } from '@sinclair/typebox';
import { FindingKindSchema, FindingStatusSchema, NullStr, SeveritySchema, Str } from './common.ts';

export const FindingSchema = Type.Object({
  id: Str,
  kind: FindingKindSchema,
  key: Str,
  severity: SeveritySchema,
  title: Str,
  subject: Type.Object({ systems: Type.Array(Str), flows: Type.Array(Str), domains: Type.Array(Str) }),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  hint: Str,
  status: FindingStatusSchema,
  firstSeen: Str,
  lastSeen: Str,
  resolvedAt: NullStr,
  acknowledgedBy: NullStr,
  acknowledgedAt: NullStr,
  note: Str,
  noVerdict: Type.Optional(
    Type.Object(
      { reason: Str },
      {
        description:
          'present while the detector has no verdict on this open finding (too few runs in the window, a probe or reconciliation failing): it is kept as it was last seen (lastSeen), for reason',
      },
    ),
  ),
});

export const FindingEventSchema = Type.Object({ at: Str, actor: Str, action: Str, status: FindingStatusSchema, note: Str });
