/**
 * A diff change lists what decided the flow before and after (`decidedBefore` / `decidedAfter`),
 * cached per class pair and port, so without pod names. The list must be true for the verdict it
 * explains: a flow denied by a default of the mesh (no policy object) must not read "default allow",
 * a flow allowed while a policy selects its destination without deciding must not read "no policy
 * selects", and a flow indeterminate because the CNI sees the mesh's tunnel port must say so.
 */
import { Reachability } from '../../src/analysis/reachability';
import { ReachabilityOptions } from '../../src/analysis/reachability-options';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { IstioMode, Mesh } from '../../src/cluster/mesh';

function pod(ns: string, name: string, app: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app } },
    spec: { serviceAccountName: app, containers: [{ name: 'app', image: `example/${app}:1.0`, ports: [{ containerPort: 8080 }] }] },
  };
}

function namespace(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } };
}

/** The change of `source -> destination` on TCP/8080 from `base` to `head`. */
function change(base: any[], head: any[], options: ReachabilityOptions, headOptions: Partial<ReachabilityOptions> = {}) {
  const diff = Reachability.fromManifests(base, options).diff(Reachability.fromManifests(head, { ...options, ...headOptions }));
  const c = diff.changes.find((x) => x.source === 'out/web' && x.destination === 'shop/api' && x.port === 'TCP/8080')!;
  return { before: c.before, after: c.after, decidedBefore: c.decidedBefore, decidedAfter: c.decidedAfter };
}

describe('diff deciders are true for the verdict they explain', () => {
  test('a flow the mesh\'s default inbound policy denies says so (it read "no policy selects either side (default allow)")', () => {
    const cluster = [namespace('shop', {}, { 'linkerd.io/inject': 'enabled' }), namespace('out'), pod('out', 'web', 'web'), pod('shop', 'api', 'api')];
    expect(change(cluster, cluster, { cni: Cni.kubernetes(), mesh: Mesh.linkerd() }, { linkerdDefaultInboundPolicy: 'all-authenticated' })).toEqual({
      before: Verdict.ALLOW,
      after: Verdict.DENY,
      decidedBefore: ['no policy decides the flow (allowed by default)'],
      decidedAfter: ['mesh: denied by a default of the mesh, not by a policy object (check gives the reason)'],
    });
  });

  test('allowed while a Cilium policy selects the destination without ingress rules: "no policy decides", not "no policy selects"', () => {
    const cluster = [namespace('shop'), namespace('out'), pod('out', 'web', 'web'), pod('shop', 'api', 'api')];
    const cnp = (ingress: any[]) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress },
    });
    expect(change([...cluster, cnp([])], [...cluster, cnp([{ fromEndpoints: [{ matchLabels: { app: 'db' } }] }])], { cni: Cni.cilium() })).toEqual({
      before: Verdict.ALLOW,
      after: Verdict.DENY,
      decidedBefore: ['no policy decides the flow (allowed by default)'],
      decidedAfter: ['ingress: CiliumNetworkPolicy shop/api spec (isolate)'],
    });
  });

  test('indeterminate because the CNI may see the ambient tunnel port: the deciders say so (they listed only the allowing rule)', () => {
    const cluster = [
      namespace('istio-system'), namespace('out', { 'istio-injection': 'enabled' }), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
      pod('out', 'web', 'web'), pod('shop', 'api', 'api'),
    ];
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-8080', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] },
    };
    const result = change(cluster, [...cluster, np], { cni: Cni.kubernetes(), mesh: Mesh.istio({ mode: IstioMode.AMBIENT }) });
    expect([result.before, result.after]).toEqual([Verdict.ALLOW, Verdict.INDETERMINATE]);
    expect(result.decidedAfter.filter((d) => d.startsWith('CNI: '))).toEqual(['CNI: indeterminate: the CNI gives TCP/8080 and TCP/15008 different '
      + 'verdicts, and Istio ambient tunnels meshed traffic over HBONE to port 15008 of the destination pod, and the CNI sees that port (istio.io '
      + '"Ambient and Kubernetes NetworkPolicy"); whether a sidecar client tunnels to an ambient pod depends on the Istio version']);
  });
});
