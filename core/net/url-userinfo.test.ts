import { describe, expect, it } from 'vitest';
import { splitUrl } from '../../collector/touches/endpoint-host.ts';
import { redactAttribute, redactText } from './attribute-secrets.ts';
import { redactStatement } from './statement-secrets.ts';

/** [URL, the same URL with its userinfo redacted]: the one answer every path must give. */
const TABLE: [string, string][] = [
  ['https://svc:p@ss@crm.internal/x', 'https://REDACTED:REDACTED@crm.internal/x'],
  ['https://svc:p%40ss@crm.internal:8443/x', 'https://REDACTED:REDACTED@crm.internal:8443/x'],
  ['http://u:p@[::1]:8080/a', 'http://REDACTED:REDACTED@[::1]:8080/a'],
  ['http://u:p@[2001:db8::1]/a', 'http://REDACTED:REDACTED@[2001:db8::1]/a'],
  ['jdbc:postgresql://app:S3cr3t@db:5432/orders', 'jdbc:postgresql://REDACTED:REDACTED@db:5432/orders'],
  ['mongodb+srv://app:S3cr3t@cluster0.example.net/db', 'mongodb+srv://REDACTED:REDACTED@cluster0.example.net/db'],
  ['amqps://app:S3cr3t@mq.example.com:5671/vhost', 'amqps://REDACTED:REDACTED@mq.example.com:5671/vhost'],
  ['redis://:S3cr3t@cache:6379/0', 'redis://REDACTED:REDACTED@cache:6379/0'],
  ['postgres://u:pa$1@h/db', 'postgres://REDACTED:REDACTED@h/db'],
  ['postgres://u:p\\x@h/db', 'postgres://REDACTED:REDACTED@h/db'],
  ['https://u:p@h', 'https://REDACTED:REDACTED@h'],
  ['https://REDACTED:REDACTED@h/x', 'https://REDACTED:REDACTED@h/x'],
  ['http://[2001:db8::1]:8080/a', 'http://[2001:db8::1]:8080/a'],
  ['https://h/users/a@b.com', 'https://h/users/a@b.com'],
];

/** Free text around a URL: the URL ends before the punctuation that follows it. */
const AROUND: [string, string][] = [
  ['see ', '.'],
  ['(', ')'],
  ['"', '",'],
  ['<', '>;'],
  ['failed: ', '!'],
];

/** Each path a URL is redacted by: [name, redact the URL in its context and give back the URL's part]. */
const PATHS: [string, (u: string) => string][] = [
  ['url.full', (u) => redactAttribute('url.full', u)],
  ['a plain attribute', (u) => redactAttribute('app.target', u)],
  ...AROUND.map(([a, b]): [string, (u: string) => string] => [`free text ${a}…${b}`, (u) => redactText(`${a}${u}${b}`).slice(a.length, -b.length)]),
  // A literal holding a quote is read by the URL rule alone (a credential's shape is looked for only in a literal without one).
  ['a statement literal', (u) => /^SELECT 'it''s (.*)'$/s.exec(redactStatement(`SELECT 'it''s ${u}'`))![1]],
  ['a $$ literal', (u) => /^SELECT \$\$(.*)\$\$$/s.exec(redactStatement(`SELECT $$${u}$$`))![1]],
];

describe("a URL's userinfo, redacted by one rule on every path", () => {
  for (const [name, redact] of PATHS)
    it.each(TABLE)(`${name}: %s → %s`, (raw, want) => {
      expect(redact(raw)).toBe(want);
    });

  it.each(TABLE)('keeps what the classification and the WHATWG parser read of %s', (raw, want) => {
    const [before, after] = [splitUrl(raw), splitUrl(want)];
    expect([after.scheme, after.host, after.port]).toEqual([before.scheme, before.host, before.port]);
    // (`jdbc:postgresql://…` has no authority there, its whole rest a path: no host, no endpoint read from it.)
    if (before.host !== '') expect(after.path).toBe(before.path);
    if (!URL.canParse(raw)) return;
    const [u, r] = [new URL(raw), new URL(want)];
    if (u.host === '') return;
    expect([r.protocol, r.host, r.pathname]).toEqual([u.protocol, u.host, u.pathname]);
    if (u.password !== '') expect([r.username, r.password]).toEqual(['REDACTED', 'REDACTED']);
  });

  it('redacts a user alone in a URL attribute and a statement, and keeps it in free text (`ssh://git@host`)', () => {
    const raw = 'ssh://git@github.com/acme/repo.git';
    expect(redactAttribute('url.full', raw)).toBe('ssh://REDACTED@github.com/acme/repo.git');
    expect(redactStatement(`SELECT 'it''s ${raw}'`)).toBe("SELECT 'it''s ssh://REDACTED@github.com/acme/repo.git'");
    expect(redactText(`cloning ${raw}.`)).toBe(`cloning ${raw}.`);
  });
});
