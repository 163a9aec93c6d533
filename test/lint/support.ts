import { LintFinding } from '../../src/lint';

/** The identifying fields of a finding (message and fix are prose, asserted separately where it matters). */
export interface Brief {
  rule: string;
  severity: string;
  object: string;
  path?: string;
}

/** Reduce findings to rule/severity/object/path, optionally keeping only some rules. */
export function brief(findings: LintFinding[], ...rules: string[]): Brief[] {
  return findings
    .filter((f) => rules.length === 0 || rules.includes(f.rule))
    .map((f) => ({ rule: f.rule, severity: f.severity, object: f.object, ...(f.path !== undefined ? { path: f.path } : {}) }));
}

/** A networking.k8s.io/v1 NetworkPolicy. */
export function netpol(name: string, namespace: string, spec: Record<string, unknown>): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** NetworkPolicy peer: CoreDNS pods in kube-system, selected the right way. */
export const KUBE_DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/** UDP and TCP 53. */
export const DNS_PORTS = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
