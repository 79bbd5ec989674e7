/** Response shapes of the tokens and audit-log routes (TypeBox only). */
import { Type } from '@sinclair/typebox';
import { NullStr, Num, Str } from './common.ts';

export const RoleSchema = Type.Union(
  ['ingest', 'viewer', 'sre', 'icoe', 'auditor', 'admin'].map((r) => Type.Literal(r)),
  { description: 'a role (docs/security.md)' },
);

export const TokenInfoSchema = Type.Object({
  id: Type.String({ description: "the token's non-secret id (in its text after the role)" }),
  name: Type.String({ description: 'who acts with it in records' }),
  role: RoleSchema,
  createdAt: Str,
  createdBy: Str,
  revokedAt: NullStr,
  revokedBy: Str,
  lastUsedAt: NullStr,
});

export const AuditEntrySchema = Type.Object({
  seq: Num,
  at: Str,
  actor: Str,
  role: Str,
  action: Str,
  subject: Str,
  detail: Type.String({ description: 'JSON text, exactly as stored (hashed)' }),
  prevHash: Str,
  nonce: Type.Optional(Type.String({ description: "the appender's random value, hashed with the row ('' or absent for rows stored before it existed)" })),
  hash: Str,
});
