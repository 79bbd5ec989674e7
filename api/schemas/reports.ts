/** Response schemas of /api/v1/reports (TypeBox; the UI takes its types from here). */
import { Type } from '@sinclair/typebox';
import { NullStr, Num, Str } from './common.ts';

export const ReportRunSchema = Type.Object({
  id: Str,
  trigger: Type.Union([Type.Literal('api'), Type.Literal('cli'), Type.Literal('schedule')]),
  scheduleId: Str,
  actor: Str,
  since: Str,
  until: Str,
  startedAt: Str,
  finishedAt: NullStr,
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  error: Str,
  bytes: Num,
  manifestSha256: Str,
  emailedTo: Type.Array(Str),
  /** Where the bundle can be downloaded once done. */
  bundle: NullStr,
});

export const ReportKeySchema = Type.Object({ algorithm: Type.Literal('Ed25519'), publicKey: Str, fingerprint: Str });
