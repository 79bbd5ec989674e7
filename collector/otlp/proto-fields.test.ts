import { describe, expect, it } from 'vitest';
import { FIELDS } from './proto-fields.ts';
import { messages } from './proto-codec.ts';

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('proto-fields', () => {
  it('names every field number as otlp.proto does', () => {
    for (const [message, fields] of Object.entries(FIELDS)) {
      const type = messages.traces.request.root.lookupType(`weft.otlp.${message}`);
      for (const [name, id] of Object.entries(fields)) expect([message, name, type.fields[camel(name)]?.id]).toEqual([message, name, id]);
    }
  });
});
