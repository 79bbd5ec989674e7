import { ProbeError } from './probe-error.ts';

/** Reads one environment variable (the process configuration's `env`), nothing else. */
export type EnvLookup = (name: string) => string | undefined;

/**
 * Resolves `env:NAME` references when a probe runs and remembers every value it handed out, so
 * that error messages can be scrubbed before they reach logs, ClickHouse or the API.
 */
export class Secrets {
  private readonly values = new Set<string>();
  constructor(private readonly env: EnvLookup) {}

  /**
   * `env:NAME` → the variable's value; a missing variable is a config error naming it (never the value).
   * `remember: false` is for values whose secret part the caller remembers itself (a DSN's password).
   */
  resolve(ref: string, what: string, remember = true): string {
    const m = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref);
    if (!m) return ref;
    const value = this.env(m[1]);
    if (value === undefined || value === '') throw new ProbeError('config', `environment variable ${m[1]} (${what}) is not set`);
    if (remember) this.remember(value);
    return value;
  }

  /** A header value like "Bearer env:TOKEN": the reference at its end is resolved. */
  resolveEmbedded(text: string, what: string): string {
    const m = /^(.*?)(env:[A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
    return m ? m[1] + this.resolve(m[2], what) : text;
  }

  remember(value: string): void {
    if (value.length >= 3) {
      this.values.add(value);
      this.values.add(encodeURIComponent(value));
    }
  }

  /** Replaces every secret handed out, and any password in a URL, with ***. */
  redact(text: string): string {
    let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@\s/]*@/gi, '$1***@');
    for (const v of this.values) out = out.split(v).join('***');
    return out;
  }
}
