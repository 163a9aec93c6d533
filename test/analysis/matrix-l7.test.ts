/**
 * The flow matrix reports Cilium L7 rules as constraints on allowed flows (issue: "L7 rules reported
 * as constraints"), in the table, the JSON and the Mermaid chart.
 */
import { deployment, namespace } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Cni } from '../../src/cluster/cni';

const port = (containerPort: number) => ({ containers: [{ name: 'c', image: 'app', ports: [{ name: 'http', containerPort }] }] });
const manifests = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }, port(8080)),
  deployment('shop', 'api', { app: 'api' }, port(8080)),
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api-get-only', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { app: 'web' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api' }] } }],
      }],
    },
  },
];

describe('L7 constraints in the flow matrix', () => {
  const matrix = Reachability.fromManifests(manifests, { cni: Cni.cilium() }).matrix();
  const flow = (source: string, destination: string) => matrix.flows.find((f) => f.source === source && f.destination === destination)!;

  test('the HTTP-restricted flow carries its constraint; plain allows do not', () => {
    expect(flow('shop/web', 'shop/api').allowed).toBe(true);
    expect(flow('shop/web', 'shop/api').l7Constraints).toHaveLength(1);
    expect(flow('shop/web', 'shop/api').l7Constraints![0]).toMatch(/GET/);
    expect(flow('shop/web', 'shop/api').l7Constraints![0]).toMatch(/\/api/);
    // api is not isolated for egress and web not for ingress: plain L4 allows.
    expect(flow('shop/api', 'shop/web')).toEqual({ source: 'shop/api', destination: 'shop/web', port: 'TCP/8080', verdict: 'allow', allowed: true });
  });

  test('table, JSON and Mermaid show it', () => {
    expect(matrix.toTable()).toMatch(/^shop\/web\s+shop\/api\s+TCP\/8080\s+allow \(L7\)$/m);
    expect(matrix.toTable()).toMatch(/^shop\/api\s+shop\/web\s+TCP\/8080\s+allow$/m);
    const json = JSON.parse(matrix.toJson());
    expect(json.flows.find((f: any) => f.source === 'shop/web' && f.destination === 'shop/api').l7Constraints).toHaveLength(1);
    expect(matrix.toMermaid()).toContain('-->|"TCP/8080 (L7)"|');
  });

  test('without L7 rules the matrix is unchanged (no l7Constraints key anywhere)', () => {
    const plain = Reachability.fromManifests(manifests.slice(0, 3), { cni: Cni.cilium() }).matrix();
    expect(plain.flows.every((f) => !('l7Constraints' in f))).toBe(true);
  });
});
