/**
 * The flow matrix and the diff evaluate pods in equivalence classes and cache the mesh's reasons per
 * class (the mesh layer per source identity and destination workload, see MeshMatrix; the diff's
 * deciders per class pair and port). A reason cached for one pod must then be true of every pod of its
 * class: the texts that become a flow's `reason` or a diff change's deciders name no pod (the flow
 * says which pods it is about). Here two pods of one class (same namespace, labels, service account,
 * no stated IP) call, and are called through, mesh policies whose answer depends on the unknown
 * address or identity; each flow's texts must never name the other pod. `check` evaluates per pair.
 */
import { authorizationPolicy, ISTIO_SIDECAR, LINKERD, linkerd, meshReach, namespace, peerAuthentication, w } from './support';
import { Reachability } from '../../../src/analysis/reachability';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';

const HTTP = Port.tcp(8080);
const WEB = ['shop/web-a', 'shop/web-b'];
const API = ['shop/api-a', 'shop/api-b'];
const PODS = [...WEB, ...API];

/** A bare Pod of class `app` (labels, service account) without an IP in the manifests. */
function pod(name: string, app: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app } },
    spec: { serviceAccountName: app, containers: [{ name: 'app', image: `example/${app}:1.0`, ports: [{ containerPort: 8080 }] }] },
  };
}
const pods = [pod('web-a', 'web'), pod('web-b', 'web'), pod('api-a', 'api'), pod('api-b', 'api')];

/** The pod names a text mentions other than the flow's own source and destination. */
function foreignPods(text: string, source: string, destination: string): string[] {
  return PODS.filter((p) => p !== source && p !== destination && new RegExp(`${p}(?![\\w.-])`).test(text));
}

/** Every web -> api flow of the matrix and of the diff (from `base`), with the texts it shows. */
function texts(head: Reachability, base: Reachability): Array<{ where: string; source: string; destination: string; text: string }> {
  const out: Array<{ where: string; source: string; destination: string; text: string }> = [];
  for (const f of head.matrix().flows) {
    if (WEB.includes(f.source) && API.includes(f.destination)) {
      out.push({ where: 'matrix', source: f.source, destination: f.destination, text: `${f.reason ?? ''} ${(f.l7Constraints ?? []).join(' ')}` });
    }
  }
  for (const c of base.diff(head).changes) {
    if (WEB.includes(c.source) && API.includes(c.destination)) {
      out.push({ where: 'diff', source: c.source, destination: c.destination, text: [...c.decidedBefore, ...c.decidedAfter].join(' ') });
    }
  }
  return out;
}

/** Each listed flow names no pod but its own, and every flow was listed in the matrix and the diff. */
function expectOwnNames(head: Reachability, base: Reachability): void {
  const listed = texts(head, base);
  expect(listed.filter((t) => t.where === 'matrix').length).toBe(4);
  expect(listed.filter((t) => t.where === 'diff').length).toBe(4);
  expect(listed.map((t) => ({ where: t.where, flow: `${t.source} -> ${t.destination}`, foreign: foreignPods(t.text, t.source, t.destination) })))
    .toEqual(listed.map((t) => ({ where: t.where, flow: `${t.source} -> ${t.destination}`, foreign: [] })));
}

describe('Linkerd: texts of class-cached flows', () => {
  const ns = [namespace('shop', {}, { 'linkerd.io/inject': 'enabled' })];
  const server = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, accessPolicy: 'deny' });
  const net = linkerd('NetworkAuthentication', 'shop', 'pods', { networks: [{ cidr: '10.244.0.0/16' }] });
  const policy = linkerd('AuthorizationPolicy', 'shop', 'api-from-pods', {
    targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' },
    requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'pods' }],
  });

  test('NetworkAuthentication with unknown client addresses: matrix, diff and check name no other pod', () => {
    const head = meshReach([...ns, ...pods, server, net, policy], LINKERD);
    const base = meshReach([...ns, ...pods], LINKERD);
    expectOwnNames(head, base);
    const expected = 'mesh: AuthorizationPolicy shop/api-from-pods: NetworkAuthentication shop/pods: whether the client\'s address is in its '
      + 'networks is not known: its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given (ReachabilityOptions.podCidrs)';
    const flow = head.matrix().flows.find((f) => f.source === 'shop/web-b' && f.destination === 'shop/api-b')!;
    expect([flow.verdict, flow.reason]).toEqual([Verdict.INDETERMINATE, expected]);
    for (const source of WEB) {
      const result = head.check(w(source), w('shop/api-a'), HTTP);
      expect([result.verdict, result.uncertainties]).toEqual([Verdict.INDETERMINATE, [expected]]);
    }
  });

  test('the default inbound policy cluster-unauthenticated with unknown client addresses', () => {
    const head = meshReach([...ns, ...pods], LINKERD, { linkerdDefaultInboundPolicy: 'cluster-unauthenticated' });
    const base = meshReach([...ns, ...pods], LINKERD);
    expectOwnNames(head, base);
    const flow = head.matrix().flows.find((f) => f.source === 'shop/web-b' && f.destination === 'shop/api-b')!;
    expect([flow.verdict, flow.reason]).toEqual([Verdict.INDETERMINATE, 'mesh: no Server describes port 8080 of the destination: the default '
      + 'inbound policy cluster-unauthenticated (the cluster default) applies: whether the client is in the cluster networks 10.0.0.0/8, '
      + '100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, fd00::/8 (clusterNetworks, assumed to be Linkerd\'s install default) is not known: its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given (ReachabilityOptions.podCidrs)']);
    // check keeps the flow's own names in its reasons.
    const result = head.check(w('shop/web-b'), w('shop/api-a'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.mesh!.reasons[0]).toContain('applies to shop/web-b -> shop/api-a TCP/8080');
  });
});

describe('Istio: texts of class-cached flows', () => {
  const ns = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' })];
  // DISABLE and STRICT at the same level without creation times: whether the connection carries an identity is not known.
  const undecided = [peerAuthentication('shop', 'a', { mtls: { mode: 'DISABLE' } }), peerAuthentication('shop', 'b', { mtls: { mode: 'STRICT' } })];
  const policy = authorizationPolicy('shop', 'api-allow', {
    selector: { matchLabels: { app: 'api' } },
    action: 'ALLOW',
    rules: [
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] },
      { from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] },
      { when: [{ key: 'destination.ip', values: ['10.0.0.0/8'] }] },
    ],
  });

  test('identity, source address and destination address unknown: matrix, diff and check name no other pod', () => {
    const head = meshReach([...ns, ...pods, ...undecided, policy], ISTIO_SIDECAR);
    const base = meshReach([...ns, ...pods, ...undecided], ISTIO_SIDECAR);
    expectOwnNames(head, base);
    const unknownIp = 'its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given (ReachabilityOptions.podCidrs)';
    const expected = [
      'mesh: AuthorizationPolicy shop/api-allow spec.rules[0] (ALLOW): spec.rules[0].from[0].source.principals: whether the connection carries '
        + 'the source\'s mesh identity is not known',
      `mesh: AuthorizationPolicy shop/api-allow spec.rules[1] (ALLOW): spec.rules[1].from[0].source.ipBlocks: the source's address: ${unknownIp}`,
      `mesh: AuthorizationPolicy shop/api-allow spec.rules[2] (ALLOW): spec.rules[2].when[0] (destination.ip): the destination's address: ${unknownIp}`,
    ];
    const flow = head.matrix().flows.find((f) => f.source === 'shop/web-b' && f.destination === 'shop/api-b')!;
    expect([flow.verdict, flow.reason]).toEqual([Verdict.INDETERMINATE, expected.join('; ')]);
    for (const source of WEB) {
      for (const destination of API) {
        const result = head.check(w(source), w(destination), HTTP);
        expect([result.verdict, result.uncertainties]).toEqual([Verdict.INDETERMINATE, expected]);
      }
    }
  });

  test('the CNI\'s HTTP rules cannot read mutual TLS: the encryption text names no pod', () => {
    const strict = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api-http', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{
          fromEndpoints: [{ matchLabels: { app: 'web' } }],
          toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }],
        }],
      },
    };
    const head = meshReach([...ns, ...pods, strict, cnp], ISTIO_SIDECAR, { cni: Cni.cilium() });
    const base = meshReach([...ns, ...pods, strict], ISTIO_SIDECAR, { cni: Cni.cilium() });
    expectOwnNames(head, base);
    const flow = head.matrix().flows.find((f) => f.source === 'shop/web-b' && f.destination === 'shop/api-b')!;
    expect([flow.verdict, flow.reason]).toEqual([Verdict.INDETERMINATE, 'CNI: its HTTP rules cannot read this flow: the source and the destination '
      + 'are both in the mesh and PeerAuthentication istio-system/default (mesh-wide) sets STRICT: Istio sends this flow over mutual TLS, and the '
      + 'CNI documents its HTTP policy as incompatible with mutual TLS']);
  });
});
