import type { Labels } from '../model/alert.ts';
import { labelRegex } from '../../core/catalog/index.ts';

/** An Alertmanager-style matcher: `=`, `!=`, `=~`, `!~` (regexes in RE2 syntax, anchored at both ends). */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** A silence: alerts whose labels match every matcher are not notified between startsAt and endsAt. */
export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  createdAt: string;
}

export type SilenceStatus = 'pending' | 'active' | 'expired';

/**
 * Parses `name=value`, `name!=value`, `name=~regex`, `name!~regex`; the value may be quoted. As Alertmanager's
 * `labels.ParseMatcher` (amtool, `--filter`): `\"`, `\\` and `\n` stand for `"`, `\` and a newline, any other
 * backslash is itself (`erp\.cpq` stays a regex escape), and a `"` inside the value must be escaped. Before, the
 * escapes were kept: `summary="say \"hi\""` silenced nothing, and `flow="a"b"` silenced `a"b`. Throws a message
 * naming what is wrong.
 */
export function parseMatcher(text: string): Matcher {
  // The value is the rest after the operator without the spaces around it (taken off first: one expression with a lazy
  // value between optional spaces took the square of a value's length).
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)(.*)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a matcher: write name=value, name!=value, name=~regex or name!~regex`);
  return matcherOf({ name: m[1], value: unquote(m[3].trim()), isRegex: m[2].endsWith('~'), isEqual: m[2].startsWith('=') });
}

/** A matcher's value as written (quoted or not) as the value it stands for, by Alertmanager's rules (parseMatcher). */
function unquote(raw: string): string {
  const quoted = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') && !/(^|[^\\])(\\\\)*\\"$/.test(raw.slice(1));
  const body = quoted ? raw.slice(1, -1) : raw;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && i < body.length - 1) {
      const next = body[++i];
      out += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
    } else if (c === '"') throw new Error(`the value ${raw} has a " inside: write it as \\" (or leave the value unquoted)`);
    else out += c;
  }
  return out;
}

/**
 * A matcher given as Alertmanager's API object (`{ name, value, isRegex, isEqual }`), checked as parseMatcher
 * checks text: the value is taken as it is (a regex's backslashes stay backslashes). Throws a message naming what
 * is wrong.
 */
export function matcherOf(m: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }): Matcher {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) throw new Error(`"${m.name}" is not a label name: letters, digits and _, not starting with a digit`);
  const matcher = { name: m.name, value: m.value, isRegex: m.isRegex ?? false, isEqual: m.isEqual ?? true };
  if (matcher.isRegex) labelRegex(matcher.value);
  return matcher;
}

/** A missing label matches as the empty string, as in Alertmanager. */
export function matches(m: Matcher, labels: Labels): boolean {
  const v = Object.hasOwn(labels, m.name) ? labels[m.name] : '';
  let hit: boolean;
  try {
    hit = m.isRegex ? labelRegex(m.value).test(v) : v === m.value;
  } catch {
    // A stored matcher from before the regex checks (or edited by hand) that RE2 cannot read: it matches nothing.
    hit = false;
  }
  return m.isEqual ? hit : !hit;
}

export function silenceStatus(s: Silence, now: Date): SilenceStatus {
  const t = now.getTime();
  if (t < Date.parse(s.startsAt)) return 'pending';
  return t < Date.parse(s.endsAt) ? 'active' : 'expired';
}

/** Ids of the silences active now whose matchers all match these labels. */
export function silencedBy(silences: Silence[], labels: Labels, now: Date): string[] {
  return silences.filter((s) => silenceStatus(s, now) === 'active' && s.matchers.length > 0 && s.matchers.every((m) => matches(m, labels))).map((s) => s.id);
}

/** A matcher as text parseMatcher reads back: the value quoted, its `\\` and `"` escaped (as Alertmanager writes it). */
export const formatMatcher = (m: Matcher) =>
  `${m.name}${m.isEqual ? '=' : '!='}${m.isRegex ? '~' : ''}"${m.value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`.replace('!=~', '!~');
