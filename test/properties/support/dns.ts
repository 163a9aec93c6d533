/**
 * DNS-1123 label generators: valid ones for names the constructs must accept, and invalid ones
 * (filtered against the rule itself, so they are invalid by construction).
 * Rule: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
import * as fc from 'fast-check';

/** The DNS-1123 label rule, restated from the Kubernetes docs (not imported from src/). */
export const DNS_LABEL_RULE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Namespaces the cluster or the ClusterNetwork defaults already use; tenants never own them. */
export const RESERVED_NAMESPACES = new Set([
  'default', 'kube-system', 'kube-public', 'kube-node-lease', 'monitoring', 'ingress-nginx',
]);

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const alnum = fc.constantFrom(...ALNUM);
const inner = fc.constantFrom(...ALNUM, '-');

/** A valid DNS-1123 label of 1..maxLength characters (short by default, so names stay readable). */
export function dnsLabel(maxLength = 12): fc.Arbitrary<string> {
  return fc.oneof(
    alnum,
    fc.tuple(alnum, fc.array(inner, { maxLength: maxLength - 2 }), alnum).map(([a, m, b]) => a + m.join('') + b),
  ).filter((s) => DNS_LABEL_RULE.test(s) && !RESERVED_NAMESPACES.has(s));
}

/** A valid DNS-1123 label of exactly 63 characters (the upper bound). */
export const maxLengthDnsLabel: fc.Arbitrary<string> = fc
  .tuple(alnum, fc.array(inner, { minLength: 61, maxLength: 61 }), alnum)
  .map(([a, m, b]) => a + m.join('') + b);

/** Strings that are guaranteed not to be DNS-1123 labels: upper case, '_', leading/trailing '-', > 63 chars, empty, dots. */
export const invalidDnsLabel: fc.Arbitrary<string> = fc
  .oneof(
    dnsLabel().map((s) => s.toUpperCase() === s ? `${s}A` : s.toUpperCase()),
    fc.tuple(dnsLabel(), dnsLabel()).map(([a, b]) => `${a}_${b}`),
    dnsLabel().map((s) => `-${s}`),
    dnsLabel().map((s) => `${s}-`),
    fc.tuple(maxLengthDnsLabel, alnum).map(([s, c]) => s + c),
    fc.tuple(dnsLabel(), dnsLabel()).map(([a, b]) => `${a}.${b}`),
    fc.constant(''),
    fc.string({ maxLength: 20 }),
  )
  .filter((s) => !DNS_LABEL_RULE.test(s));
