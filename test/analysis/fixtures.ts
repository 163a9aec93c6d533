/**
 * Fixtures shaped like the Kubernetes network-policy e2e suite (test/e2e/network/netpol): namespaces
 * x, y, z labelled `ns: <name>`, each with pods a, b, c labelled `pod: <name>` that serve 80 and 81
 * on TCP, UDP and SCTP under named ports `serve-<port>-<proto>`.
 */
import { Reachability } from '../../src/analysis/reachability';
import { ReachabilityOptions } from '../../src/analysis/reachability-options';
import { Target } from '../../src/analysis/target';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';

export const NAMESPACES = ['x', 'y', 'z'];
export const PODS = ['a', 'b', 'c'];

export function namespace(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function deployment(ns: string, name: string, labels: Record<string, string>, podSpec: any = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'agnhost' }], ...podSpec } },
    },
  };
}

const SERVE_PORTS = ['TCP', 'UDP', 'SCTP'].flatMap((protocol) => [80, 81].map((port) => ({
  name: `serve-${port}-${protocol.toLowerCase()}`,
  containerPort: port,
  protocol,
})));

/** The e2e cluster: 3 namespaces x 3 pods. */
export function e2eCluster(): any[] {
  return NAMESPACES.flatMap((ns) => [
    namespace(ns, { ns }),
    ...PODS.map((pod) => deployment(ns, pod, { pod }, { containers: [{ name: 'c', image: 'agnhost', ports: SERVE_PORTS }] })),
  ]);
}

export function networkPolicy(name: string, ns: string, spec: any) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function e2eReach(policies: any[], options: Partial<ReachabilityOptions> = {}): Reachability {
  return Reachability.fromManifests([...e2eCluster(), ...policies], { cni: Cni.kubernetes(), ...options });
}

/** `ns/name` -> Target.workload. */
export function w(name: string): Target {
  const [ns, pod] = name.split('/');
  return Target.workload(ns, pod);
}

/** Every ordered pair of distinct e2e pods that is denied on `port`, as `x/a->y/b`, sorted. */
export function deniedPairs(reach: Reachability, port: Port = Port.tcp(80)): string[] {
  const all = NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`));
  const denied: string[] = [];
  for (const from of all) {
    for (const to of all) {
      if (from !== to && !reach.check(w(from), w(to), port).allowed) denied.push(`${from}->${to}`);
    }
  }
  return denied.sort();
}

/** All pairs `from->to` for every source except `to` itself. */
export function allInto(to: string, except: string[] = []): string[] {
  return NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`))
    .filter((from) => from !== to && !except.includes(from))
    .map((from) => `${from}->${to}`)
    .sort();
}

/** All pairs `from->to` for every destination except `from` itself. */
export function allFrom(from: string, except: string[] = []): string[] {
  return NAMESPACES.flatMap((ns) => PODS.map((p) => `${ns}/${p}`))
    .filter((to) => to !== from && !except.includes(to))
    .map((to) => `${from}->${to}`)
    .sort();
}
