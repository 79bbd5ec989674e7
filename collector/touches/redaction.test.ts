import { describe, expect, it } from 'vitest';
import { KEY_NAMED, secretKeyKind } from '../../core/net/attribute-secrets.ts';
import { SPAN_KEYS } from './span-record.ts';

describe('redaction changes nothing the classification reads', () => {
  it('names no key the classification reads as a secret', () => {
    for (const key of SPAN_KEYS) expect([key, secretKeyKind(key) === KEY_NAMED]).toEqual([key, false]);
  });
});
