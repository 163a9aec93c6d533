/**
 * The istio-cni DaemonSet in the manifests sets the host probe addresses (its `env`: the istio-cni
 * chart's env value, manifests/charts/istio-cni templates/daemonset.yaml; the node agent reads
 * HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6 with netip.MustParseAddr, istio/istio cni/pkg/nodeagent
 * options.go). A literal address the mesh does not declare is used; what cannot be resolved to one
 * address is a note, and the mesh's address stays.
 */
import { authorizationPolicy, ISTIO_AMBIENT, meshReach, namespace, peerAuthentication, w, workload } from './support';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { IstioMode, Mesh } from '../../../src/cluster/mesh';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const RULES = 'istio-cni translates it to the host probe address and the pod\'s redirection rules accept TCP from that address before ztunnel, '
  + 'so no Istio policy applies';
const ASSUMED = '(assumed: istio-cni\'s environment can set another, HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6, and the analysis is not told it)';

/** The istio-cni node agent DaemonSet with `env` on its install-cni container. */
function istioCni(env: unknown[], name = 'istio-cni-node'): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': name } },
      template: {
        metadata: { labels: { 'k8s-app': name } },
        spec: { hostNetwork: true, containers: [{ name: 'install-cni', image: 'docker.io/istio/install-cni:1.30.0', env }] },
      },
    },
  };
}

function analyse(mesh: Mesh, ...daemonSets: any[]) {
  const objects = [
    namespace('istio-system'), namespace('kube-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'api'),
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }), authorizationPolicy('shop', 'allow-nothing', {}), ...daemonSets,
  ];
  expectValidManifests(objects);
  return meshReach(objects, mesh);
}

const HOLD = ', and its verdicts on connections from the node to ambient pods and from the host probe address hold only if that is the address in use';
const probeNotes = (notes: readonly string[]) => notes.filter((n) => n.includes('HOST_PROBE_SNAT'));

test('a literal address the mesh does not declare is used: it passes ztunnel by, the default it replaces does not', () => {
  const r = analyse(ISTIO_AMBIENT, istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }, { name: 'HOST_PROBE_SNAT_IPV6', value: 'FD00::7' }]));
  for (const [ip, env] of [['169.254.9.9', 'HOST_PROBE_SNAT_IP'], ['fd00::7', 'HOST_PROBE_SNAT_IPV6']]) {
    const result = r.check(Target.external(ip), w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.reasons).toEqual([`${ip} is istio-cni's host probe address (${env}, as DaemonSet kube-system/istio-cni-node sets it): ${RULES}`]);
  }
  expect(r.check(Target.external('169.254.7.127'), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.DENY);
  expect(probeNotes(r.notes)).toEqual([]);
});

test.each([
  ['a valueFrom (status.hostIP, the workaround of istio/istio#57911)', ISTIO_AMBIENT,
    [istioCni([{ name: 'HOST_PROBE_SNAT_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }])],
    'DaemonSet kube-system/istio-cni-node sets HOST_PROBE_SNAT_IP from a reference (valueFrom; status.hostIP is each node\'s own IP), not one '
      + 'address the analysis can know: the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD],
  ['a CIDR, which istio-cni refuses', ISTIO_AMBIENT, [istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.0/24' }])],
    'DaemonSet kube-system/istio-cni-node sets HOST_PROBE_SNAT_IP to a value istio-cni refuses (its node agent stops at start): \'169.254.9.0/24\' is a CIDR: istio-cni reads '
      + 'HOST_PROBE_SNAT_IP as a single IP address (e.g. 169.254.7.127), without a prefix: the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD],
  ['two DaemonSets that disagree', ISTIO_AMBIENT,
    [istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }]), istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.10' }], 'istio-cni-canary')],
    'the manifests set HOST_PROBE_SNAT_IP to different addresses (169.254.9.9 in DaemonSet kube-system/istio-cni-node, 169.254.9.10 in '
      + 'DaemonSet kube-system/istio-cni-canary): the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD],
])('%s: a note, and the mesh\'s address stays (its reason says it is assumed)', (_what, mesh, daemonSets, note) => {
  const r = analyse(mesh, ...daemonSets);
  expect(probeNotes(r.notes)).toEqual([note]);
  const result = r.check(Target.external('169.254.7.127'), w('shop/api'), HTTP);
  expect(result.meshVerdict).toBe(Verdict.ALLOW);
  expect(result.mesh!.reasons).toEqual([`169.254.7.127 is istio-cni's default host probe address ${ASSUMED}: ${RULES}`]);
});

test('a literal address other than the mesh declares: a note, and the declared one is used', () => {
  const r = analyse(Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9' }), istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.10' }]));
  expect(probeNotes(r.notes)).toEqual(['DaemonSet kube-system/istio-cni-node sets HOST_PROBE_SNAT_IP to 169.254.9.10, but the mesh declares 169.254.9.9: '
    + `the analysis uses the address the mesh declares, 169.254.9.9${HOLD}`]);
  expect(r.check(Target.external('169.254.9.9'), w('shop/api'), HTTP).mesh!.reasons)
    .toEqual([`169.254.9.9 is istio-cni's host probe address (HOST_PROBE_SNAT_IP, as the mesh declares it): ${RULES}`]);
  // The same address as declared: nothing to say.
  expect(probeNotes(analyse(Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9' }),
    istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }])).notes)).toEqual([]);
});

test('sidecar mode reads no istio-cni environment', () => {
  expect(probeNotes(analyse(Mesh.istio({ mode: IstioMode.SIDECAR }), istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.0/24' }])).notes)).toEqual([]);
});

/** The chart's ConfigMap (configmap-cni.yaml): the node agent takes it through `envFrom`, and the chart writes its `env` value there too. */
function configMap(data: Record<string, string>, name = 'istio-cni-config'): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kube-system' }, data };
}

/** istioCni with the chart's `envFrom` of its ConfigMap, and more containers. */
function withEnvFrom(ds: any, envFrom: unknown[] = [{ configMapRef: { name: 'istio-cni-config' } }]): any {
  ds.spec.template.spec.containers[0].envFrom = envFrom;
  return ds;
}

const usedReason = (ip: string, by: string) => [`${ip} is istio-cni's host probe address (HOST_PROBE_SNAT_IP, as ${by} sets it): ${RULES}`];
const CNI_DS = 'DaemonSet kube-system/istio-cni-node';

test.each([
  ['the chart\'s ConfigMap the node agent takes through envFrom', [withEnvFrom(istioCni([])), configMap({ HOST_PROBE_SNAT_IP: '169.254.9.9' })],
    `ConfigMap kube-system/istio-cni-config (envFrom of ${CNI_DS})`],
  ['an envFrom prefix', [withEnvFrom(istioCni([]), [{ prefix: 'HOST_', configMapRef: { name: 'probe' } }]), configMap({ PROBE_SNAT_IP: '169.254.9.9' }, 'probe')],
    `ConfigMap kube-system/probe (envFrom of ${CNI_DS})`],
  ['the later of two envFrom sources', [withEnvFrom(istioCni([]), [{ configMapRef: { name: 'a' } }, { configMapRef: { name: 'b' } }]),
    configMap({ HOST_PROBE_SNAT_IP: '169.254.9.10' }, 'a'), configMap({ HOST_PROBE_SNAT_IP: '169.254.9.9' }, 'b')],
  `ConfigMap kube-system/b (envFrom of ${CNI_DS})`],
  ['a configMapKeyRef of a ConfigMap in the manifests',
    [istioCni([{ name: 'HOST_PROBE_SNAT_IP', valueFrom: { configMapKeyRef: { name: 'probe', key: 'snat' } } }]), configMap({ snat: '169.254.9.9' }, 'probe')],
    `ConfigMap kube-system/probe (key snat, HOST_PROBE_SNAT_IP of ${CNI_DS})`],
  ['the last of two env entries of the name (the kubelet keeps the last)',
    [istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.10' }, { name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }])], CNI_DS],
  ['env, which wins over the envFrom ConfigMap', [withEnvFrom(istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }])),
    configMap({ HOST_PROBE_SNAT_IP: '169.254.9.10' })], CNI_DS],
  ['the install-cni image under another container name',
    [(() => { const ds = istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }]); ds.spec.template.spec.containers[0].name = 'agent'; return ds; })()],
    CNI_DS],
])('the address the node agent sees through %s is used', (_what, objects, by) => {
  const r = analyse(ISTIO_AMBIENT, ...objects);
  expect(probeNotes(r.notes)).toEqual([]);
  const used = r.check(Target.external('169.254.9.9'), w('shop/api'), HTTP);
  expect([used.verdict, used.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
  expect(used.mesh!.reasons).toEqual(usedReason('169.254.9.9', by));
  for (const ip of ['169.254.7.127', '169.254.9.10']) expect(r.check(Target.external(ip), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.DENY);
});

/** A DaemonSet with `containers`. */
function daemonSet(name: string, containers: unknown[]): any {
  const ds = istioCni([], name);
  ds.spec.template.spec.containers = containers;
  return ds;
}

test.each([
  ['another container of the istio-cni DaemonSet', daemonSet('istio-cni-node', [
    { name: 'install-cni', image: 'docker.io/istio/install-cni:1.30.0' },
    { name: 'sidecar', image: 'example.com/log-shipper:1', env: [{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }] },
  ]),
  `${CNI_DS} sets HOST_PROBE_SNAT_IP on its container "sidecar"`],
  ['a DaemonSet that is not istio-cni', daemonSet('other-agent', [{ name: 'agent', image: 'example.com/agent:1', env: [{ name: 'HOST_PROBE_SNAT_IP', value: '169.254.9.9' }] }]),
    'DaemonSet kube-system/other-agent sets HOST_PROBE_SNAT_IP on its container "agent"'],
])('the variable on %s is not the node agent\'s: a note, and istio-cni\'s default stays assumed', (_what, ds, where) => {
  const r = analyse(ISTIO_AMBIENT, ds);
  expect(probeNotes(r.notes)).toEqual([`${where}, which is not istio-cni's node agent (container install-cni, image install-cni): the analysis ignores it`]);
  expect(r.check(Target.external('169.254.9.9'), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.DENY);
  expect(r.check(Target.external('169.254.7.127'), w('shop/api'), HTTP).mesh!.reasons)
    .toEqual([`169.254.7.127 is istio-cni's default host probe address ${ASSUMED}: ${RULES}`]);
});

test('a $(VAR) the kubelet expands is a reference the analysis cannot know, not a value istio-cni refuses', () => {
  const r = analyse(ISTIO_AMBIENT, istioCni([{ name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    { name: 'HOST_PROBE_SNAT_IP', value: '$(HOST_IP)' }]));
  expect(probeNotes(r.notes)).toEqual([`${CNI_DS} sets HOST_PROBE_SNAT_IP to "$(HOST_IP)", a $(VAR) reference the kubelet expands when it starts the `
    + 'container, not one address the analysis can know: the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD]);
});

test('a Secret the node agent takes through envFrom: a note, istio-cni\'s default stays assumed', () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'probe', namespace: 'kube-system' }, stringData: { HOST_PROBE_SNAT_IP: '169.254.9.9' } };
  const r = analyse(ISTIO_AMBIENT, withEnvFrom(istioCni([]), [{ secretRef: { name: 'probe' } }]), secret);
  expect(probeNotes(r.notes)).toEqual([`Secret kube-system/probe (envFrom of ${CNI_DS}) sets HOST_PROBE_SNAT_IP from a Secret, which the analysis does not read: `
    + 'the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD]);
});

test('a value of the other family: the note names the variables, not the options of Mesh.istio', () => {
  const r = analyse(ISTIO_AMBIENT, istioCni([{ name: 'HOST_PROBE_SNAT_IP', value: 'fd00::7' }]));
  expect(probeNotes(r.notes)).toEqual([`${CNI_DS} sets HOST_PROBE_SNAT_IP to a value istio-cni refuses (its node agent stops at start): 'fd00::7' is an IPv6 `
    + 'address, but HOST_PROBE_SNAT_IP is istio-cni\'s HOST_PROBE_SNAT_IP, the address of IPv4 probes; set it in HOST_PROBE_SNAT_IPV6: the analysis uses '
    + 'istio-cni\'s default, 169.254.7.127' + HOLD]);
});

test('an envFrom ConfigMap that sets it, under a later one the manifests do not hold: a note, istio-cni\'s default stays assumed', () => {
  const r = analyse(ISTIO_AMBIENT, withEnvFrom(istioCni([]), [{ configMapRef: { name: 'istio-cni-config' } }, { configMapRef: { name: 'site-overrides' } }]),
    configMap({ HOST_PROBE_SNAT_IP: '169.254.9.9' }));
  expect(probeNotes(r.notes)).toEqual([`ConfigMap kube-system/istio-cni-config (envFrom of ${CNI_DS}) sets HOST_PROBE_SNAT_IP to "169.254.9.9", but ConfigMap `
    + 'kube-system/site-overrides, a later envFrom source the manifests do not hold, may set it over that: the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD]);
  expect(r.check(Target.external('169.254.9.9'), w('shop/api'), HTTP).meshVerdict).toBe(Verdict.DENY);
});

test.each([[{ value: '' }], [{}]])('an empty value (%j) is one istio-cni refuses: its node agent reads the empty variable, not its default', (entry) => {
  const r = analyse(ISTIO_AMBIENT, istioCni([{ name: 'HOST_PROBE_SNAT_IP', ...entry }]));
  expect(probeNotes(r.notes)).toEqual([`${CNI_DS} sets HOST_PROBE_SNAT_IP to a value istio-cni refuses (its node agent stops at start): '' is not an IP `
    + 'address istio-cni accepts in HOST_PROBE_SNAT_IP (e.g. 169.254.7.127): the analysis uses istio-cni\'s default, 169.254.7.127' + HOLD]);
});
