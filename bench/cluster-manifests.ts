/**
 * A deterministic synthetic cluster for the reachability bench: namespaces of teams, Deployments with
 * varied labels and ports, and a realistic mix of NetworkPolicies per namespace. Seeded, so every run
 * analyzes the same manifests.
 */
import { Prng } from '../test/support/prng';

/** Shape of the generated cluster. */
export interface ClusterShape {
  readonly namespaces: number;
  readonly deploymentsPerNamespace: number;
  readonly seed: number;
}

const TEAMS = 10;
const TIERS = ['frontend', 'backend', 'db'] as const;
const APPS = ['web', 'api', 'cart', 'search', 'auth', 'billing', 'orders', 'users'];

/** Container ports per tier: named where policies refer to them by name. */
function containerPorts(tier: typeof TIERS[number], prng: Prng): any[] {
  const http = { name: 'http', containerPort: 8080, protocol: 'TCP' };
  if (tier === 'db') return [{ name: 'postgres', containerPort: 5432, protocol: 'TCP' }];
  // A third of the backends also expose metrics.
  if (tier === 'backend' && prng.int(3) === 0) return [http, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }];
  return [http];
}

function deployment(namespace: string, name: string, labels: Record<string, string>, ports: any[]): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: labels.app } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'main', image: 'registry.example/app:1', ports }] },
      },
    },
  };
}

function networkPolicy(namespace: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/**
 * The manifests: kube-system with one kube-dns Deployment, then `namespaces` team namespaces with
 * `deploymentsPerNamespace` Deployments and 5 NetworkPolicies each (default deny, DNS, same-environment
 * egress on service ports, tier-based ingress, one cross-namespace ingress by named port).
 */
export function generateCluster(shape: ClusterShape): any[] {
  const prng = new Prng(shape.seed);
  const objects: any[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns', 'app': 'coredns' },
      [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }]),
  ];
  for (let n = 0; n < shape.namespaces; n++) {
    const ns = `team-${String(n).padStart(3, '0')}`;
    const env = n % 4 === 0 ? 'staging' : 'prod';
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % TEAMS}`, env } } });
    for (let d = 0; d < shape.deploymentsPerNamespace; d++) {
      const tier = prng.pick(TIERS);
      const labels: Record<string, string> = { app: prng.pick(APPS), tier };
      if (prng.int(2) === 0) labels.version = prng.pick(['v1', 'v2']);
      objects.push(deployment(ns, `deploy-${String(d).padStart(2, '0')}`, labels, containerPorts(tier, prng)));
    }
    objects.push(
      networkPolicy(ns, 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      networkPolicy(ns, 'allow-dns', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        }],
      }),
      networkPolicy(ns, 'allow-egress-same-env', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: [env] }] } }],
          ports: [
            { protocol: 'TCP', port: 8080 },
            { protocol: 'TCP', port: 5432 },
            { protocol: 'TCP', port: 9000, endPort: 9100 },
          ],
        }],
      }),
      networkPolicy(ns, 'allow-tiers', {
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'db'] }] },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
          { from: [{ podSelector: { matchLabels: { tier: 'backend' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        ],
      }),
      networkPolicy(ns, 'allow-from-partner-team', {
        podSelector: { matchLabels: { app: prng.pick(APPS) } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { team: `t${(n + 1) % TEAMS}` } },
            podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] },
          }],
          ports: [{ protocol: 'TCP', port: 'http' }],
        }],
      }),
    );
  }
  return objects;
}
