/**
 * Kubelet probes to Istio ambient pods: istio-cni SNATs every TCP connection a socket of the node
 * opens to an ambient pod to 169.254.7.127 (IPv6 fd16:9254:7127:1337:ffff:ffff:ffff:ffff), and the
 * pod's own rules accept TCP from that address before ztunnel (istio/istio cni/pkg/iptables/iptables.go
 * AppendHostRules, testdata/default.golden `ISTIO_PRERT -s 169.254.7.127 -p tcp -j ACCEPT`; istio.io
 * "Ambient and Kubernetes NetworkPolicy"). STRICT mutual TLS, allow-nothing and waypoints do not
 * apply to them; found by test/properties/tenant-mesh.property.test.ts.
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, networkPolicy, peerAuthentication, w, workload } from './support';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { IstioMode, Mesh } from '../../../src/cluster/mesh';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const strict = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });
const allowNothing = authorizationPolicy('shop', 'allow-nothing', {});
const waypoint = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'all' } },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
};

function ambient(useWaypoint: boolean) {
  const objects = [
    namespace('istio-system'),
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...(useWaypoint ? { 'istio.io/use-waypoint': 'waypoint' } : {}) }),
    workload('shop', 'api'),
    strict,
    allowNothing,
    ...(useWaypoint ? [waypoint] : []),
  ];
  expectValidManifests(objects);
  return meshReach(objects, ISTIO_AMBIENT);
}

const RULES = 'istio-cni translates it to the host probe address and the pod\'s redirection rules accept TCP from that address before ztunnel, '
  + 'so no Istio policy applies';

describe.each([['without waypoint', false], ['behind a waypoint', true]] as const)('an ambient pod %s, STRICT and allow-nothing', (_what, useWaypoint) => {
  const r = ambient(useWaypoint);

  // The address is istio-cni's default (HOST_PROBE_SNAT_IP, HOST_PROBE_SNAT_IPV6), which the node agent's
  // environment changes (istio-cni chart value env; istio/istio#57911 sets the node's IP): the reason says it is assumed.
  const ASSUMED = '(assumed: istio-cni\'s environment can set another, HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6, and the analysis is not told it)';
  test.each([
    ['169.254.7.127', Target.external('169.254.7.127'), `169.254.7.127 is istio-cni's default host probe address ${ASSUMED}: ${RULES}`],
    ['the IPv6 probe address', Target.external('fd16:9254:7127:1337:ffff:ffff:ffff:ffff'),
      `fd16:9254:7127:1337:ffff:ffff:ffff:ffff is istio-cni's default host probe address ${ASSUMED}: ${RULES}`],
    ['its own node (the kubelet)', Target.localNode(), `a connection from the destination's own node (kubelet probes, host processes): ${RULES}`],
  ])('%s reaches it: the connection passes ztunnel by', (_from, source, reason) => {
    const result = r.check(source, w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.reasons).toEqual([reason]);
  });

  test('another link-local address, a remote node and a meshed pod get no such exception', () => {
    for (const source of [Target.external('169.254.7.128'), Target.remoteNode(), w('shop/api')]) {
      expect(r.check(source, w('shop/api'), HTTP).meshVerdict).not.toBe(Verdict.ALLOW);
    }
  });
});

test('a sidecar pod gets no such exception: the probe address is a plaintext client STRICT refuses', () => {
  const objects = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'api'), strict];
  const result = meshReach(objects, ISTIO_SIDECAR).check(Target.external('169.254.7.127'), w('shop/api'), HTTP);
  expect(result.meshVerdict).toBe(Verdict.DENY);
});

describe('a hostNetwork pod: its sockets are its node\'s, so it passes ztunnel by on the destination\'s node only', () => {
  // istio-cni's host rule matches every local socket of the node (`-m owner --socket-exists`), not the
  // kubelet's alone; another node's connections are forwarded and captured. The manifests do not say
  // where a hostNetwork pod runs (was: denied by STRICT, a guess).
  const agent = workload('monitoring', 'agent');
  agent.spec.template.spec.hostNetwork = true;
  const ON_THE_NODE = 'the source uses hostNetwork and may run on the destination\'s node, whose own connections istio-cni lets past ztunnel '
    + '(no Istio policy applies), or on another node, whose connections ztunnel captures: the verdict depends on where it runs, '
    + 'which the manifests do not say';

  test.each([['without waypoint', false], ['behind a waypoint', true]] as const)('an ambient pod %s, STRICT and allow-nothing: indeterminate', (_what, useWaypoint) => {
    const objects = [
      namespace('istio-system'),
      namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...(useWaypoint ? { 'istio.io/use-waypoint': 'waypoint' } : {}) }),
      namespace('monitoring'), workload('shop', 'api'), agent, strict, allowNothing, ...(useWaypoint ? [waypoint] : []),
    ];
    expectValidManifests(objects);
    const r = meshReach(objects, ISTIO_AMBIENT);
    const result = r.check(w('monitoring/agent'), w('shop/api'), HTTP);
    expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.INDETERMINATE, Verdict.ALLOW, Verdict.INDETERMINATE]);
    expect(result.mesh!.reasons).toContain(ON_THE_NODE);
    expect(result.uncertainties).toEqual([`mesh: ${ON_THE_NODE}`]);
    // The flow matrix (hostNetwork pods are a class of their own) says the same.
    expect(r.matrix().flows.filter((f) => f.source === 'monitoring/agent' && f.destination === 'shop/api').map((f) => [f.port, f.meshVerdict]))
      .toEqual([['TCP/8080', Verdict.INDETERMINATE]]);
  });

  test('where ztunnel allows it anyway, allowed; a sidecar destination gets no such exception (STRICT refuses)', () => {
    const open = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), namespace('monitoring'), workload('shop', 'api'), agent];
    expectValidManifests(open);
    expect(meshReach(open, ISTIO_AMBIENT).check(w('monitoring/agent'), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.ALLOW);
    const sidecar = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('monitoring'), workload('shop', 'api'), agent, strict];
    expect(meshReach(sidecar, ISTIO_SIDECAR).check(w('monitoring/agent'), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.DENY);
  });
});

describe('the CNI sees the host probe address, not the node (the SNAT happens before the connection enters the pod)', () => {
  // istio.io platform prerequisites (Cilium) and istio/istio#49277: a default-deny NetworkPolicy blocks
  // the SNATed kubelet probes on Cilium, whose host exemption no longer applies; istio.io "Ambient and
  // Kubernetes NetworkPolicy": depending on the CNI. Was: allowed on every CNI (the node's exemption).
  const denyAll = networkPolicy('shop', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
  const probes = networkPolicy('shop', 'allow-probes', {
    podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] }],
  });
  const SNAT = 'istio-cni translates connections from the node to its ambient pods to the host probe address (169.254.7.127, its default) '
    + 'before they enter the pod, so the CNI sees that address, not the node';
  const EITHER = 'istio-cni translates connections from the node to an ambient pod to its host probe address, which the CNI\'s policies may '
    + 'see instead of the node (istio.io "Ambient and Kubernetes NetworkPolicy": depending on the CNI), and the two get different verdicts';
  const analyse = (cni: Cni, policies: any[], podCidrs = ['10.244.0.0/16'], ns: Record<string, string> = { 'istio.io/dataplane-mode': 'ambient' }) => {
    const objects = [namespace('istio-system'), namespace('shop', ns), workload('shop', 'api'), ...policies];
    expectValidManifests(objects);
    return meshReach(objects, ISTIO_AMBIENT, { cni, podCidrs });
  };

  test('Cilium: a default deny blocks the kubelet; allowing 169.254.7.127 lets it in', () => {
    const denied = analyse(Cni.cilium(), [denyAll]).check(Target.localNode(), w('shop/api'), HTTP);
    expect([denied.verdict, denied.cniVerdict, denied.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY, Verdict.ALLOW]);
    expect(denied.pairs[0].ingress.reasons[0]).toBe(SNAT);
    expect(analyse(Cni.cilium(), [denyAll, probes]).check(Target.localNode(), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    // An IPv6 pod is probed from fd16:9254:7127:1337:ffff:ffff:ffff:ffff, which the IPv4 allow does not name.
    expect(analyse(Cni.cilium(), [denyAll, probes], ['fd00:10:244::/56']).check(Target.localNode(), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('Kubernetes NetworkPolicy semantics: the node\'s exemption or the address, depending on the CNI: indeterminate where they differ', () => {
    const r = analyse(Cni.kubernetes(), [denyAll]).check(Target.localNode(), w('shop/api'), HTTP);
    expect([r.verdict, r.uncertainties]).toEqual([Verdict.INDETERMINATE, [EITHER]]);
    expect(analyse(Cni.kubernetes(), [denyAll, probes]).check(Target.localNode(), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('no SNAT for UDP, for a pod outside ambient, or from another node', () => {
    const r = analyse(Cni.cilium(), [denyAll]);
    expect(r.check(Target.localNode(), w('shop/api'), Port.udp(8125)).verdict).toBe(Verdict.ALLOW);
    expect(analyse(Cni.cilium(), [denyAll], ['10.244.0.0/16'], {}).check(Target.localNode(), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(Target.remoteNode(), w('shop/api'), HTTP).pairs[0].ingress.reasons).not.toContain(SNAT);
  });
});

describe('host probe addresses the mesh declares (istio-cni HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6, chart value env)', () => {
  const DECLARED = Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9', hostProbeSnatIpv6: 'fd00::7' });
  const V6_ONLY = Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: 'fd00::7' });
  const objects = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'api'), strict, allowNothing];
  expectValidManifests(objects);

  test.each([
    ['169.254.9.9', `169.254.9.9 is istio-cni's host probe address (HOST_PROBE_SNAT_IP, as the mesh declares it): ${RULES}`],
    ['fd00::7', `fd00::7 is istio-cni's host probe address (HOST_PROBE_SNAT_IPV6, as the mesh declares it): ${RULES}`],
    ['FD00:0::7', `FD00:0::7 is istio-cni's host probe address (HOST_PROBE_SNAT_IPV6, as the mesh declares it): ${RULES}`],
  ])('%s passes ztunnel by, whatever STRICT and allow-nothing say', (ip, reason) => {
    const result = meshReach(objects, DECLARED).check(Target.external(ip), w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.reasons).toEqual([reason]);
  });

  test('the default addresses it replaces are plaintext clients like any other: STRICT refuses them', () => {
    const r = meshReach(objects, DECLARED);
    for (const ip of ['169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff']) {
      const result = r.check(Target.external(ip), w('shop/api'), HTTP);
      expect([result.verdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    }
  });

  test('one family declared: the other keeps the default, which the reason says is assumed', () => {
    const r = meshReach(objects, V6_ONLY);
    expect(r.check(Target.external('169.254.7.127'), w('shop/api'), HTTP).mesh!.reasons[0]).toMatch(/^169\.254\.7\.127 is istio-cni's default host probe address \(assumed: /);
    expect(r.check(Target.external('fd00::7'), w('shop/api'), HTTP).mesh!.reasons)
      .toEqual([`fd00::7 is istio-cni's host probe address (HOST_PROBE_SNAT_IPV6, as the mesh declares it): ${RULES}`]);
    expect(r.check(Target.external('fd16:9254:7127:1337:ffff:ffff:ffff:ffff'), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.DENY);
  });

  describe('the CNI sees the declared address for the node\'s connections', () => {
    const denyAll = networkPolicy('shop', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
    const allowFrom = (cidr: string) => networkPolicy('shop', 'allow-probes', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }] }],
    });
    const analyse = (mesh: Mesh, policies: any[], podCidrs: string[]) => {
      const all = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'api'), ...policies];
      expectValidManifests(all);
      return meshReach(all, mesh, { cni: Cni.cilium(), podCidrs }).check(Target.localNode(), w('shop/api'), HTTP);
    };

    test.each([
      ['IPv4', ['10.244.0.0/16'], '169.254.9.9/32', '169.254.7.127/32', '169.254.9.9, as the mesh declares'],
      ['IPv6', ['fd00:10:244::/56'], 'fd00::7/128', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128', 'fd00::7, as the mesh declares'],
    ])('Cilium, %s: an allow of the declared address lets the kubelet in, one of the default no longer does', (_f, podCidrs, declared, old, shown) => {
      const denied = analyse(DECLARED, [denyAll, allowFrom(old)], podCidrs);
      expect([denied.verdict, denied.cniVerdict, denied.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY, Verdict.ALLOW]);
      expect(denied.pairs[0].ingress.reasons[0]).toBe(`istio-cni translates connections from the node to its ambient pods to the host probe address (${shown}) `
        + 'before they enter the pod, so the CNI sees that address, not the node');
      expect(analyse(DECLARED, [denyAll, allowFrom(declared)], podCidrs).verdict).toBe(Verdict.ALLOW);
    });

    test('a dual-stack pod whose families differ in origin names each', () => {
      const result = analyse(V6_ONLY, [denyAll], ['10.244.0.0/16', 'fd00:10:244::/56']);
      expect(result.pairs[0].ingress.reasons[0]).toBe('istio-cni translates connections from the node to its ambient pods to the host probe address '
        + '(169.254.7.127, its default, or fd00::7, as the mesh declares) before they enter the pod, so the CNI sees that address, not the node');
    });
  });
});
