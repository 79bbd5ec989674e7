import { describe, expect, it } from 'vitest';
import { parseCatalog } from './load.ts';
import { MAX_CATALOG_FILE_BYTES } from './load.ts';
import { redactCatalog } from './secret-fields.ts';

const systems = `systems:
  - { id: crm, kind: crm }
  - { id: broker, kind: broker }
`;
const problemsOf = (yaml: string, envPolicy?: { allow: string[]; deny: string[] }) =>
  parseCatalog([{ file: 'c.yaml', text: yaml }], { envPolicy }).problems.map((p) => `${p.path}: ${p.message}`);

describe('catalog env: references', () => {
  it("refuses Weft's own secrets at validation (regression: amqp url: env:WEFT_API_TOKENS, sql dsn: env:WEFT_API_TOKENS)", () => {
    const problems = problemsOf(`${systems}probes:
  - { id: q, kind: amqp-queue, system: broker, every: 1m, url: env:WEFT_API_TOKENS, queue: orders }
  - { id: s, kind: sql, system: crm, every: 1m, dsn: env:WEFT_API_TOKENS, query: select 1 }
  - { id: h, kind: http, system: crm, every: 1m, url: "https://crm/x", headers: { authorization: "Bearer env:WEFT_INGEST_TOKENS" } }
reconciliations:
  - { id: r, key: id, columns: [a], left: { system: crm, dsn: env:WEFT_CLICKHOUSE_PASSWORD, table: t }, right: { system: crm, dsn: env:CRM_B, table: t } }
`);
    expect(problems).toEqual([
      expect.stringMatching(/^probes\[0\]\.url: env:WEFT_API_TOKENS names one of Weft's own settings \(WEFT_\*\)/),
      expect.stringMatching(/^probes\[1\]\.dsn: env:WEFT_API_TOKENS names one of Weft's own settings/),
      expect.stringMatching(/^probes\[2\]\.headers\.authorization: env:WEFT_INGEST_TOKENS names one of Weft's own settings/),
      expect.stringMatching(/^reconciliations\[0\]\.left\.dsn: env:WEFT_CLICKHOUSE_PASSWORD names/),
    ]);
  });
  it("applies the operator's allow-list and deny-list", () => {
    const yaml = `${systems}probes:
  - { id: a, kind: sql, system: crm, every: 1m, dsn: env:CRM_DSN, query: select 1 }
  - { id: b, kind: sql, system: crm, every: 1m, dsn: env:HOME, query: select 1 }
  - { id: c, kind: sql, system: crm, every: 1m, dsn: env:CRM_ROOT_DSN, query: select 1 }
  - { id: d, kind: sql, system: crm, every: 1m, dsn: env:crm_dsn, query: select 1 }
  - { id: e, kind: sql, system: crm, every: 1m, dsn: env:aws_secret, query: select 1 }
`;
    expect(problemsOf(yaml)).toEqual([]);
    // The allow-list matches exactly (crm_dsn is not CRM_*); the deny-list ignores case (aws_secret is AWS_*).
    expect(problemsOf(yaml, { allow: ['CRM_*'], deny: ['*_ROOT_*'] })).toEqual([
      expect.stringMatching(/^probes\[1\]\.dsn: env:HOME is not in the allow-list/),
      expect.stringMatching(/^probes\[2\]\.dsn: env:CRM_ROOT_DSN matches "\*_ROOT_\*" in the deny-list/),
      expect.stringMatching(/^probes\[3\]\.dsn: env:crm_dsn is not in the allow-list/),
      expect.stringMatching(/^probes\[4\]\.dsn: env:aws_secret is not in the allow-list/),
    ]);
    expect(problemsOf(yaml, { allow: [], deny: ['AWS_*', '*_root_*'] })).toEqual([
      expect.stringMatching(/^probes\[2\]\.dsn: env:CRM_ROOT_DSN matches "\*_root_\*" in the deny-list/),
      expect.stringMatching(/^probes\[4\]\.dsn: env:aws_secret matches "AWS_\*" in the deny-list/),
    ]);
  });
});

describe('catalog env: references outside the probes', () => {
  // Regression: the policy (never WEFT_*, the operator's allow- and deny-list) was checked for probes and
  // reconciliations only: a receiver's header, an SMTP password, a remediation URL or a report's SMTP URL
  // could name Weft's own tokens or a denied variable, and alerting would send it where the catalog said.
  it("refuses Weft's own settings and denied variables in receivers, remediations and reports, at the field", () => {
    const yaml = `${systems}receivers:
  - { id: hook, type: webhook, url: "https://hooks.example/x", headers: { authorization: "Bearer env:AWS_SECRET_ACCESS_KEY", x-own: "env:WEFT_API_TOKENS" } }
  - { id: chat, type: slack, url: env:WEFT_INGEST_TOKENS }
  - { id: mail, type: email, to: [a@example.com], smtp: { host: smtp.example, port: 25, user: u, password: env:WEFT_CLICKHOUSE_PASSWORD } }
  - { id: ok, type: webhook, url: env:HOOK_URL }
remediations:
  - { id: rerun, rules: [probe-failing], request: { method: POST, url: env:AWS_RUN_URL, headers: { authorization: "Bearer env:weft_api_tokens" } } }
reports:
  - { id: weekly, cron: "0 6 * * 1", email: { to: [a@example.com], smtp: env:WEFT_SMTP_URL } }
  - { id: daily, cron: "0 6 * * *", email: { to: [a@example.com], smtp: env:REPORT_SMTP_URL } }
`;
    const own = "names one of Weft's own settings (WEFT_*)";
    const expected = [
      `receivers[0].headers.x-own: env:WEFT_API_TOKENS ${own}`,
      `receivers[1].url: env:WEFT_INGEST_TOKENS ${own}`,
      `receivers[2].smtp.password: env:WEFT_CLICKHOUSE_PASSWORD ${own}`,
      `remediations[0].request.headers.authorization: env:weft_api_tokens ${own}`,
      `reports[0].email.smtp: env:WEFT_SMTP_URL ${own}`,
    ];
    expect(problemsOf(yaml).map((p) => p.replace(/, which a catalog may never read.*$/, ''))).toEqual(expected);
    const denyAws = problemsOf(yaml, { allow: [], deny: ['AWS_*'] }).map((p) => p.replace(/, which a catalog may never read.*$/, ''));
    expect(denyAws).toEqual([
      'receivers[0].headers.authorization: env:AWS_SECRET_ACCESS_KEY matches "AWS_*" in the deny-list of variables a catalog may not read (WEFT_CATALOG_ENV_DENY)',
      ...expected.slice(0, 3),
      'remediations[0].request.url: env:AWS_RUN_URL matches "AWS_*" in the deny-list of variables a catalog may not read (WEFT_CATALOG_ENV_DENY)',
      ...expected.slice(3),
    ]);
    const onlyHooks = problemsOf(yaml, { allow: ['HOOK_*', 'REPORT_*'], deny: [] });
    expect(onlyHooks.filter((p) => /allow-list/.test(p)).map((p) => p.split(':')[0])).toEqual([
      'receivers[0].headers.authorization',
      'remediations[0].request.url',
    ]);
  });
});

describe('env: references in a remediation body', () => {
  // Regression: a remediation's body is a template sent as written: `env:TOKEN` there went out as its text.
  it('refuses them, saying where references are read', () => {
    const yaml = `${systems}remediations:
  - { id: rerun, rules: [probe-failing], request: { method: POST, url: "https://runner.example/run", body: '{"token":"env:RUN_TOKEN"}' } }
`;
    expect(problemsOf(yaml)).toEqual([
      'remediations[0].request.body: env: references are read in the url and the headers, not in the body (sent as written): put the secret in a header, e.g. authorization: "Bearer env:NAME"',
    ]);
  });
});

describe('percent-encoded env: references', () => {
  // Regression: an http probe decodes its query values before resolving them, so `?q=env%3AWEFT_API_TOKENS` was read
  // (and refused) only when the probe ran, after `weft catalog validate` had called the catalog valid.
  it('checks a reference as the probe reads it, decoded', () => {
    const yaml = `${systems}probes:
  - { id: a, kind: http, system: crm, every: 1m, url: "https://crm/x?q=env%3AWEFT_API_TOKENS" }
  - { id: b, kind: http, system: crm, every: 1m, url: "https://crm/x?api_key=env%3aCRM_SECRET&page=1" }
  - { id: c, kind: http, system: crm, every: 1m, url: "https://crm/x?q=%E0%A4%A" }
`;
    expect(problemsOf(yaml, { allow: [], deny: ['CRM_*'] })).toEqual([
      expect.stringMatching(/^probes\[0\]\.url: env:WEFT_API_TOKENS names one of Weft's own settings/),
      expect.stringMatching(/^probes\[1\]\.url: env:CRM_SECRET matches "CRM_\*" in the deny-list/),
    ]);
  });
});

describe('http probe credentials', () => {
  it('refuses literal passwords in URLs, secret query values and literal credential headers', () => {
    const problems = problemsOf(`${systems}probes:
  - { id: a, kind: http, system: crm, every: 1m, url: "https://weft:hunter2@crm/x" }
  - { id: b, kind: http, system: crm, every: 1m, url: "https://crm/x?api_key=LIVE123&page=1" }
  - id: c
    kind: http
    system: crm
    every: 1m
    url: https://crm/x
    headers: { authorization: "Bearer abc123", cookie: "sid=1", x-api-key: "k", x-auth-token: "t", x-client-secret: "s", accept-language: "en" }
  - { id: d, kind: nats-consumer, system: broker, every: 1m, servers: "nats://u:pw@nats:4222", stream: S, consumer: C }
`);
    expect(problems).toEqual([
      expect.stringMatching(/^probes\[0\]\.url: the url must not carry a password/),
      expect.stringMatching(/^probes\[1\]\.url: query parameter "api_key" looks like a credential: write it as api_key=env:NAME/),
      ...['authorization', 'cookie', 'x-api-key', 'x-auth-token', 'x-client-secret'].map((h) =>
        expect.stringMatching(new RegExp(`^probes\\[2\\]\\.headers\\.${h}: header "${h}" carries a credential`)),
      ),
      expect.stringMatching(/^probes\[3\]\.servers: the url must not carry a password/),
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|LIVE123|abc123/);
  });
  it('accepts references: Bearer env:NAME, ?key=env:NAME, a user in the URL with password: env:NAME', () => {
    expect(
      problemsOf(`${systems}probes:
  - { id: a, kind: http, system: crm, every: 1m, url: "https://weft@crm/x?api_key=env:CRM_KEY&page=1", password: env:CRM_PASSWORD, headers: { authorization: "Bearer env:CRM_TOKEN", x-api-key: env:CRM_KEY, accept: application/json } }
`),
    ).toEqual([]);
  });
});

describe('redactCatalog', () => {
  it('shows references and hides literal credentials (the /catalog view)', () => {
    const { catalog } = parseCatalog([
      {
        file: 'c.yaml',
        text: `${systems}probes:\n  - { id: a, kind: http, system: crm, every: 1m, url: "https://crm/x", headers: { authorization: "Bearer env:CRM_TOKEN" } }\n`,
      },
    ]);
    // a catalog from before the rule, literal secrets and all
    catalog.probes.push({
      id: 'old',
      kind: 'http',
      system: 'crm',
      every: '1m',
      url: 'https://u:hunter2@crm/x?token=LIVE123',
      headers: { 'x-api-key': 'k3y-literal', accept: 'x' },
    });
    catalog.reconciliations.push({
      id: 'r',
      key: 'id',
      columns: ['a'],
      left: { system: 'crm', url: 'postgres://u:pw1234@h/db', table: 't' },
      right: { system: 'crm', dsn: 'env:B', table: 't' },
    });
    const shown = JSON.stringify(redactCatalog(catalog));
    expect(shown).toContain('Bearer env:CRM_TOKEN');
    expect(shown).toContain('env:B');
    expect(shown).not.toMatch(/hunter2|LIVE123|k3y-literal|pw1234/);
  });
});

describe('catalog bounds', () => {
  it('answers an alias bomb with a catalog problem, not a crash', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    const problems = problemsOf(bomb);
    expect(problems).toEqual([expect.stringMatching(/^: YAML: more than 1000 alias expansions/)]);
  });
  it('refuses a file larger than the limit', () => {
    const problems = problemsOf(`# ${'x'.repeat(MAX_CATALOG_FILE_BYTES)}\n`);
    expect(problems).toEqual([expect.stringMatching(/larger than 4 MiB/)]);
  });
});

describe('schema problems never repeat a literal credential', () => {
  it('says what to write instead of echoing a literal password, token, dsn or header', () => {
    const problems = problemsOf(`${systems}probes:
  - { id: a, kind: sql, system: crm, every: 1m, url: "postgres://weft@h/db", password: hunter2-literal, query: select 1 }
  - { id: b, kind: nats-consumer, system: broker, every: 1m, servers: "nats:4222", stream: S, consumer: C, token: T0ken-literal }
  - { id: c, kind: sql, system: crm, every: 1m, dsn: "postgres://u:pw-literal@h/db", query: select 1 }
`);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toMatch(/hunter2|T0ken|pw-literal/);
    expect(problems[0]).toMatch(/probes\[0\]\.password: .*not repeated here: write env:NAME/);
  });
});

describe('credentials of receivers and remediations', () => {
  // Regression: a receiver's or remediation's literal token (a URL's ?token=, an authorization header, a literal
  // Slack webhook URL) was accepted, and GET /api/v1/catalog showed it to every viewer.
  const yaml = `${systems}receivers:
  - { id: hook, type: webhook, url: "https://hooks.example/x?token=LITERAL999", headers: { authorization: "Bearer LITERAL777" } }
  - { id: chat, type: slack, url: "https://hooks.slack.com/services/T0/B0/SECRET" }
  - { id: ok, type: webhook, url: "https://hooks.example/x?token=env:HOOK_TOKEN", headers: { authorization: "Bearer env:HOOK_BEARER" } }
remediations:
  - { id: rerun, rules: [flow-stale], request: { url: "https://runner.example/run?api_key=LITERAL555" } }
`;
  it('refuses them at validation, saying to write env:NAME', () => {
    expect(problemsOf(yaml)).toEqual([
      expect.stringMatching(/^receivers\[0\]\.url: query parameter "token" looks like a credential: write it as token=env:NAME/),
      expect.stringMatching(/^receivers\[0\]\.headers\.authorization: header "authorization" carries a credential/),
      expect.stringMatching(/^receivers\[1\]\.url: a Slack incoming-webhook URL is itself the credential: give it as env:NAME/),
      expect.stringMatching(/^remediations\[0\]\.request\.url: query parameter "api_key" looks like a credential/),
    ]);
  });

  it('regression: says how a receiver or remediation sends a user and password (a header), not a password field they do not have', () => {
    const problems = problemsOf(`${systems}receivers:
  - { id: w2, type: webhook, url: "https://user:pw@example.com/hook" }
  - { id: am, type: alertmanager, url: "http://user:pw@alertmanager:9093" }
remediations:
  - { id: rerun, rules: [flow-stale], request: { url: "https://user:pw@runner.example/run" } }
probes:
  - { id: h, kind: http, system: crm, every: 1m, url: "https://weft:pw@crm/x" }
`);
    const header =
      'the url must not carry a user and password: send them as a header instead, headers: { authorization: "Basic env:NAME" } (NAME holding base64 of user:password)';
    expect(problems).toEqual([
      `receivers[0].url: ${header}`,
      `receivers[1].url: ${header}`,
      `remediations[0].request.url: ${header}`,
      // An http probe has a password field, sent as basic auth.
      'probes[0].url: the url must not carry a password: give the user in the url and password: env:NAME (sent as basic auth)',
    ]);
    // The advice, followed, is accepted.
    expect(
      problemsOf(`${systems}receivers:
  - { id: w2, type: webhook, url: "https://example.com/hook", headers: { authorization: "Basic env:HOOK_BASIC" } }
remediations:
  - { id: rerun, rules: [flow-stale], request: { url: "https://runner.example/run", headers: { authorization: "Basic env:RUNNER_BASIC" } } }
`),
    ).toEqual([]);
  });

  it('regression: does not report references to a receiver, rule or remediation the schema refused (the follow-on of one mistake)', () => {
    expect(
      problemsOf(`${systems}owners:
  - { id: icoe, receiver: w2 }
receivers:
  - { id: w2, type: webhook, url: "https://example.com/hook", password: "env:HOOK_PASSWORD" }
routes:
  - { receiver: w2 }
alerts:
  - { id: slow, measure: latency-p95, threshold: 1000, severity: hgh, remediation: rerun }
remediations:
  - { id: rerun, rules: [slow], escalate: w2, request: { url: "https://runner.example/run" }, attempts: many }
`),
    ).toEqual([
      'receivers[0].password: unknown field "password"; expected one of: id, type, url, headers, to, from, smtp, timeout',
      expect.stringMatching(/^alerts\[0\]\.severity: /),
      expect.stringMatching(/^remediations\[0\]\.attempts: /),
    ]);
  });

  it('masks them in the catalog viewers see, keeping references', () => {
    const { catalog } = parseCatalog([{ file: 'c.yaml', text: yaml }]);
    const shown = JSON.stringify(redactCatalog(catalog));
    for (const secret of ['LITERAL999', 'LITERAL777', 'SECRET', 'LITERAL555']) expect(shown).not.toContain(secret);
    expect(shown).toContain('token=env:HOOK_TOKEN');
    expect(shown).toContain('"rerun"');
    expect(shown).toContain('Bearer env:HOOK_BEARER');
  });
});
