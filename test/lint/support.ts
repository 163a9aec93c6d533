import { LintFinding, PolicyLint, PolicyLintOptions } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

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

/**
 * Lint `objects` (after checking them against the pinned schemas) and keep the findings of `rule`.
 * @default options {} (PolicyLint's own defaults)
 */
export function lintRule(rule: string, objects: any[], options: PolicyLintOptions = {}) {
  expectValidManifests(objects);
  return PolicyLint.check(objects, options).filter((f) => f.rule === rule);
}

/** A v1 Namespace with `values` as its `labels` or its `annotations`. */
export function namespaceWith(name: string, field: 'labels' | 'annotations', values: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, [field]: values } };
}

/** How {@link deployment} builds its pod template. */
export interface DeploymentOptions {
  /** Pod labels besides `app: <name>` (which also is the selector). @default none */
  readonly labels?: Record<string, string>;
  /** Run the pods as a ServiceAccount named like the Deployment. @default false (no serviceAccountName field) */
  readonly ownServiceAccount?: boolean;
  /** Container ports. @default [8080, 9090] */
  readonly ports?: number[];
  /** Name each container port `p<port>`. @default false */
  readonly namedPorts?: boolean;
}

/** An apps/v1 Deployment `namespace/name` of one container `name` selecting `app: <name>`. */
export function deployment(namespace: string, name: string, options: DeploymentOptions = {}): any {
  const ports = (options.ports ?? [8080, 9090])
    .map((containerPort) => (options.namedPorts ? { containerPort, name: `p${containerPort}` } : { containerPort }));
  const containers = [{ name, image: `example/${name}:1`, ports }];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...options.labels } },
        spec: options.ownServiceAccount ? { serviceAccountName: name, containers } : { containers },
      },
    },
  };
}

/** A NetworkPolicy `shop/<name>` on the pods `app: <app>` admitting `from` on `ports` (Ingress only). */
export function admitting(name: string, app: string, from: unknown[], ports: unknown[] = [{ protocol: 'TCP', port: 8080 }]): any {
  return netpol(name, 'shop', { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [{ from, ports }] });
}

/** NetworkPolicy peer: the pods `app: <app>` of namespace `namespace`. */
export function podsOf(namespace: string, app: Record<string, string>) {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector: { matchLabels: app } };
}
