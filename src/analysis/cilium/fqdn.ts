/**
 * DNS name matching for `toFQDNs` and DNS proxy rules (`toPorts[].rules.dns`).
 * https://docs.cilium.io/en/stable/security/policy/language/#dns-based :
 * - names are case-insensitive and a trailing `.` is implied;
 * - `*` alone matches every name;
 * - a leading `**.` matches one or more subdomain levels (`**.cilium.io` matches `a.b.cilium.io`,
 *   not `cilium.io`);
 * - any other `*` matches zero or more DNS characters except `.` (`*.cilium.io` matches
 *   `sub.cilium.io`, not `cilium.io` nor `a.b.cilium.io`).
 */

/** A DNS selector as it appears in `toFQDNs` and `rules.dns`. */
export interface DnsSelector {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

function canonical(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

const DNS_CHARS = '[-a-z0-9_]';

/** Compile a `matchPattern` into an anchored regular expression. */
export function patternToRegExp(pattern: string): RegExp {
  const p = canonical(pattern);
  if (p === '*') return /^.*$/;
  let prefix = '';
  let rest = p;
  if (rest.startsWith('**.')) {
    prefix = `(?:${DNS_CHARS}+\\.)+`;
    rest = rest.slice(3);
  }
  const body = rest.split('*').map(escapeRegex).join(`${DNS_CHARS}*`);
  return new RegExp(`^${prefix}${body}$`);
}

/** Does the selector match `name`? A selector with neither field matches nothing. */
export function dnsSelectorMatches(selector: DnsSelector, name: string): boolean {
  const n = canonical(name);
  if (selector.matchName !== undefined) return canonical(selector.matchName) === n;
  if (selector.matchPattern !== undefined) return patternToRegExp(selector.matchPattern).test(n);
  return false;
}

/** `matchName: x` / `matchPattern: y` for messages. */
export function describeDnsSelector(selector: DnsSelector): string {
  if (selector.matchName !== undefined) return `matchName ${selector.matchName}`;
  if (selector.matchPattern !== undefined) return `matchPattern ${selector.matchPattern}`;
  return '(empty DNS selector)';
}
