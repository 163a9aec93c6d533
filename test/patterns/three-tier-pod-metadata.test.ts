/**
 * A ThreeTierApp tier's own pod labels and annotations (`podLabels`, `podAnnotations`): they land on
 * that tier's pod template only (e.g. Azure workload identity's `azure.workload.identity/use` on the
 * tier that uses the identity, Prometheus scrape annotations on the tier that serves metrics), and the
 * app's synth checks see the tier's pods with them. Refused, naming the app and the field: the labels
 * the app selects the tier by (the tier would fall out of its Service, PDB, NetworkPolicies and mesh
 * authorization), cert-manager's solver label (its policy would open the tier), any service mesh key
 * (it would change the tier's mesh membership behind the app's policies), the CNIs' and Multus'
 * annotations (addresses, pools, interfaces behind the NetworkPolicies) and the label keys a CNI derives
 * from a pod's namespace or ServiceAccount (per tier and app-wide), invalid keys and values, and values
 * of the wrong type (plain-JS callers).
 *
 * Ground truth: apimachinery ValidateLabels / ValidateAnnotations (qualified-name keys, label values of
 * at most 63 characters); Azure workload identity (the pod label `azure.workload.identity/use: "true"`,
 * https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html: a pod template label, read by the webhook); istio.io "Installing the Sidecar" (pod label
 * `sidecar.istio.io/inject`), linkerd.io "Automatic Proxy Injection" (pod annotation `linkerd.io/inject`)
 * and "Authorization Policy" (a pod's `config.linkerd.io/default-inbound-policy` wins over its namespace's);
 * docs.tigera.io "Use a specific IP address with a pod", "Add a floating IP to a pod" (Calico pod
 * annotations), docs.okd.io "Configuring multi-network policy" (NetworkPolicies cover the default network
 * only), docs.cilium.io "Multi-Pool IPAM" (`ipam.cilium.io/ip-pool`), cilium/cilium
 * pkg/k8s/apis/cilium.io/const.go and projectcalico/calico libcalico-go k8s conversion constants (the
 * labels the CNIs derive: `io.cilium.k8s.*`, `pcns.`, `pcsa.`).
 */
import { Chart } from 'cdk8s';
import { AppTier, Cni, IstioMode, Mesh, Peer, Port, ThreeTierApp, ThreeTierAppProps, ZeroTrustNamespace } from '../../src';
import { meshChart, SHOP_TIERS } from '../support/mesh';
import { find, synthValid } from '../support/synth';

const LINKERD = () => Mesh.linkerd({ cni: true });
const AMBIENT = () => Mesh.istio({ mode: IstioMode.AMBIENT });
const tierLabels = (tier: string) => ({ 'app.kubernetes.io/component': tier, 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' });
const workloadOf = (objects: any[], tier: string) => find(objects, tier === 'database' ? 'StatefulSet' : 'Deployment', `shop-${tier}`, 'shop');

/** Fields merged into each tier's props (any shape: the refusal tests pass wrong types). */
type Tiers = { readonly [tier in 'frontend' | 'backend' | 'database']?: object };
/** The shop app (meshed when `mesh` is given), with `Tiers` merged into each tier's props. */
function shop(props: Tiers & Omit<Partial<ThreeTierAppProps>, keyof Tiers> = {}, mesh?: Mesh): { chart: Chart; app: ThreeTierApp } {
  const chart = meshChart(Cni.calico(), mesh ?? LINKERD());
  const { frontend, backend, database, ...rest } = props;
  const app = new ThreeTierApp(chart, 'shop', {
    namespace: 'shop',
    ...(mesh ? { mesh: {} } : {}),
    ...SHOP_TIERS,
    frontend: { ...SHOP_TIERS.frontend, ...frontend },
    backend: { ...SHOP_TIERS.backend, ...backend },
    database: { ...SHOP_TIERS.database, ...database },
    ...rest,
  } as ThreeTierAppProps);
  return { chart, app };
}

describe('a tier\'s podLabels and podAnnotations land on that tier\'s pod template only', () => {
  const props = {
    labels: { team: 'payments' },
    backend: {
      // `team` replaces the app-wide value on the backend pods only.
      podLabels: { 'azure.workload.identity/use': 'true', 'team': 'api' },
      podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
    },
    database: { podAnnotations: { 'backup.velero.io/backup-volumes': 'data' } },
  };

  test('unmeshed: exact pod template metadata; the workloads, Services and the other tiers keep the app\'s labels', () => {
    const objects = synthValid(shop(props).chart);
    expect(workloadOf(objects, 'backend').spec.template.metadata).toEqual({
      labels: { ...tierLabels('backend'), 'azure.workload.identity/use': 'true', 'team': 'api' },
      annotations: { 'prometheus.io/port': '9090', 'prometheus.io/scrape': 'true' },
    });
    expect(workloadOf(objects, 'database').spec.template.metadata).toEqual({
      labels: { ...tierLabels('database'), team: 'payments' },
      annotations: { 'backup.velero.io/backup-volumes': 'data' },
    });
    expect(workloadOf(objects, 'frontend').spec.template.metadata).toEqual({ labels: { ...tierLabels('frontend'), team: 'payments' } });
    // Pod template only: the Deployment, its selector, the Service and the PDB are as without them.
    const backend = workloadOf(objects, 'backend');
    expect(backend.metadata.labels).toEqual({ ...tierLabels('backend'), team: 'payments' });
    expect(backend.metadata.annotations).toBeUndefined();
    expect(backend.spec.selector).toEqual({ matchLabels: tierLabels('backend') });
    expect(find(objects, 'Service', 'shop-backend', 'shop').metadata.labels).toEqual({ ...tierLabels('backend'), team: 'payments' });
    expect(find(objects, 'Service', 'shop-backend', 'shop').spec.selector).toEqual(tierLabels('backend'));
    expect(find(objects, 'PodDisruptionBudget', 'shop-backend', 'shop').metadata.labels).toEqual({ ...tierLabels('backend'), team: 'payments' });
    // The volume claim template labels the claims, not the pods.
    expect(workloadOf(objects, 'database').spec.volumeClaimTemplates[0].metadata.labels).toEqual({ ...tierLabels('database'), team: 'payments' });
  });

  test('Linkerd mesh authorization: the user\'s annotations beside the app\'s default inbound policy; the accounts keep the app\'s labels', () => {
    const objects = synthValid(shop(props, LINKERD()).chart);
    expect(workloadOf(objects, 'backend').spec.template.metadata).toEqual({
      labels: { ...tierLabels('backend'), 'azure.workload.identity/use': 'true', 'team': 'api' },
      annotations: { 'config.linkerd.io/default-inbound-policy': 'deny', 'prometheus.io/port': '9090', 'prometheus.io/scrape': 'true' },
    });
    expect(workloadOf(objects, 'database').spec.template.metadata.annotations)
      .toEqual({ 'backup.velero.io/backup-volumes': 'data', 'config.linkerd.io/default-inbound-policy': 'deny' });
    expect(find(objects, 'ServiceAccount', 'shop-backend', 'shop').metadata.labels).toEqual({ ...tierLabels('backend'), team: 'payments' });
  });

  test('the mesh authorization\'s synth check sees the tier\'s pods with their own labels', () => {
    // An allow selecting the backend by its own pod label opens another port of the backend pods, which the app's Linkerd deny refuses.
    const { chart, app } = shop({ backend: { podLabels: { metrics: 'yes' } } }, LINKERD());
    app.zeroTrustNamespace.allowIngress('scrape-api', { metrics: 'yes' }, [Peer.monitoring()], [Port.tcp(9090)]);
    expect(() => synthValid(chart)).toThrow("meshTierAuthorization: the policy 'scrape-api' (test/shop/Namespace/scrape-api) allows ingress[0] to the "
      + 'backend pods on TCP/9090, but under Linkerd the backend pods refuse, in the mesh, every port but 8080 and the proxy admin port');
    // The same allow selects no tier pod when no tier carries the label.
    const other = shop({ frontend: { podLabels: { metrics: 'no' } } }, LINKERD());
    other.app.zeroTrustNamespace.allowIngress('scrape-api', { metrics: 'yes' }, [Peer.monitoring()], [Port.tcp(9090)]);
    expect(() => synthValid(other.chart)).not.toThrow();
  });

  test('podLabels(tier) stays the labels the app selects the tier by', () => {
    const { app } = shop(props);
    expect(app.podLabels(AppTier.BACKEND)).toEqual(tierLabels('backend'));
  });
});

describe('refused at construction, naming the app and the field', () => {
  const refused = (tier: 'frontend' | 'backend' | 'database', fields: object, message: string, mesh?: Mesh) =>
    expect(() => shop({ [tier]: fields }, mesh)).toThrow(message);

  test.each(['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of'])('the tier selector label %s', (key) => {
    refused('backend', { podLabels: { [key]: 'shop' } }, `[test/shop] backend.podLabels: '${key}' is set by ThreeTierApp: the backend tier's Service, `
      + 'PodDisruptionBudget, NetworkPolicies and mesh authorization select its pods by it, so another value would detach them from those (their '
      + 'policies would no longer apply). Remove it');
  });

  test('cert-manager\'s HTTP-01 solver label (its policy would open the tier to the ingress controller)', () => {
    refused('database', { podLabels: { 'acme.cert-manager.io/http01-solver': 'true' } }, '[test/shop] database.podLabels: '
      + '\'acme.cert-manager.io/http01-solver\' is cert-manager\'s HTTP-01 solver label: the namespace\'s policy \'acme-solver-allow-ingress-controller\' '
      + 'admits the ingress controller to port 8089 of every pod carrying it, the database pods included. Remove it');
  });

  const meshMessage = (tier: string, field: string, key: string) => `[test/shop] ${tier}.${field}: '${key}' is a service mesh key (istio.io, `
    + `linkerd.io and their subdomains): on the ${tier} pods alone it would change their mesh membership, the ports their proxy handles or their `
    + 'default inbound policy, which the app\'s NetworkPolicies and mesh authorization are written for (the membership the namespace gives every '
    + 'tier). Join the mesh per namespace (mesh: {}, or the zeroTrustNamespace\'s), and remove the key';

  test.each([
    ['podLabels', 'sidecar.istio.io/inject', 'true'],
    ['podLabels', 'istio.io/dataplane-mode', 'none'],
    ['podLabels', 'istio.io/rev', 'canary'],
    ['podLabels', 'istio.io/use-waypoint', 'waypoint'],
    ['podLabels', 'istio-injection', 'enabled'],
    ['podLabels', 'security.istio.io/tlsMode', 'istio'],
    ['podLabels', 'linkerd.io/control-plane-component', 'x'],
    ['podAnnotations', 'sidecar.istio.io/inject', 'false'],
    ['podAnnotations', 'traffic.sidecar.istio.io/excludeInboundPorts', '8080'],
    ['podAnnotations', 'linkerd.io/inject', 'disabled'],
    ['podAnnotations', 'config.linkerd.io/default-inbound-policy', 'all-unauthenticated'],
    ['podAnnotations', 'config.linkerd.io/opaque-ports', '8080'],
    ['podAnnotations', 'config.linkerd.io/skip-inbound-ports', '8080'],
    ['podAnnotations', 'config.linkerd.io/skip-outbound-ports', '8080'],
    ['podAnnotations', 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds', '5'],
    // The API server compares annotation keys lower-cased.
    ['podAnnotations', 'Config.Linkerd.IO/opaque-ports', '8080'],
  ])('the mesh key %s %s, meshed or not', (field, key, value) => {
    for (const mesh of [undefined, LINKERD(), AMBIENT()]) {
      refused('backend', { [field]: { [key]: value } }, meshMessage('backend', field, key), mesh);
    }
    refused('frontend', { [field]: { [key]: value } }, meshMessage('frontend', field, key));
  });

  test('a mesh key among the app-wide labels (every tier\'s pods), with the app\'s own namespace or a given one', () => {
    const appWide = (key: string) => meshMessage('x', 'labels', key).replace('[test/shop] x.labels', '[test/shop] labels')
      .replace('on the x pods alone', 'on the app\'s pods');
    expect(() => shop({ labels: { 'sidecar.istio.io/inject': 'false' } }, AMBIENT())).toThrow(appWide('sidecar.istio.io/inject'));
    const chart = meshChart(Cni.calico(), LINKERD());
    const zt = new ZeroTrustNamespace(chart, 'zt', { name: 'shop', mesh: {} });
    expect(() => new ThreeTierApp(chart, 'shop', { zeroTrustNamespace: zt, ...SHOP_TIERS, labels: { 'istio.io/rev': 'canary' } }))
      .toThrow(appWide('istio.io/rev'));
    // The namespace's own refusal of its mesh labels comes first where the app creates the namespace (they would label it too).
    expect(() => shop({ labels: { 'istio.io/rev': 'canary' } }, AMBIENT())).toThrow('[test/shop/Namespace] labels.istio.io/rev: mesh labels are set by '
      + 'mesh membership, never by hand');
  });

  const cniAnnotationMessage = (tier: string, key: string) => `[test/shop] ${tier}.podAnnotations: '${key}' is an annotation of the CNI or of `
    + 'Multus (cni.projectcalico.org, k8s.v1.cni.cncf.io, multus-cni.io, cilium.io and their subdomains, io.cilium.*): on the '
    + `${tier} pods alone it would change their addresses (a fixed or floating IP, another IP pool, source addresses beyond their own), their `
    + 'network interfaces (a network the NetworkPolicies do not cover) or how the CNI tracks their connections, behind the app\'s '
    + 'NetworkPolicies, which are written for pods the CNI addresses from its pod CIDRs on their one cluster interface. Remove it';

  test.each([
    // Calico: a fixed address (any, outside IPAM), another pool, a floating IP, spoofed source addresses.
    ['cni.projectcalico.org/ipAddrs', '["203.0.113.7"]'],
    ['cni.projectcalico.org/ipAddrsNoIpam', '["203.0.113.7"]'],
    ['cni.projectcalico.org/ipv4pools', '["public-pool"]'],
    ['cni.projectcalico.org/floatingIPs', '["203.0.113.8"]'],
    ['cni.projectcalico.org/allowedSourcePrefixes', '["10.244.0.0/16"]'],
    // Multus: another interface, or another cluster network in place of the CNI's.
    ['k8s.v1.cni.cncf.io/networks', 'macvlan-conf'],
    ['v1.multus-cni.io/default-network', 'macvlan-conf'],
    // Cilium: another IP pool, connection tracking, proxy visibility (and its legacy unprefixed key).
    ['ipam.cilium.io/ip-pool', 'public'],
    ['policy.cilium.io/no-track-port', '5432'],
    ['io.cilium.proxy-visibility', '<Ingress/5432/TCP/>'],
    // The API server compares annotation keys lower-cased.
    ['CNI.ProjectCalico.ORG/ipAddrs', '["203.0.113.7"]'],
  ])('the CNI annotation %s, on any CNI', (key, value) => {
    refused('database', { podAnnotations: { [key]: value } }, cniAnnotationMessage('database', key));
    refused('frontend', { podAnnotations: { [key]: value } }, cniAnnotationMessage('frontend', key), LINKERD());
  });

  const cniLabelMessage = (prop: string, key: string, pods: string) => `[test/shop] ${prop}: '${key}' is a label key the CNI derives from a pod's `
    + 'namespace or ServiceAccount (Cilium\'s io.kubernetes.pod.* and io.cilium.k8s.*, Calico\'s projectcalico.org and its pcns.* and pcsa.* '
    + `labels), which network policies select by: on ${pods} it could pass for another namespace's or account's. Remove it`;

  test.each([
    ['io.kubernetes.pod.namespace', 'kube-system'],
    ['io.cilium.k8s.policy.serviceaccount', 'ingress-nginx'],
    ['io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', 'ingress-nginx'],
    ['pcns.kubernetes.io/metadata.name', 'ingress-nginx'],
    ['pcsa.team', 'platform'],
    ['projectcalico.org/namespace', 'kube-system'],
  ])('the CNI-derived label %s, per tier and app-wide', (key, value) => {
    refused('backend', { podLabels: { [key]: value } }, cniLabelMessage('backend.podLabels', key, 'the backend pods alone'));
    expect(() => shop({ labels: { [key]: value } })).toThrow(cniLabelMessage('labels', key, 'the app\'s pods'));
    const chart = meshChart(Cni.cilium(), LINKERD());
    const zt = new ZeroTrustNamespace(chart, 'zt', { name: 'shop' });
    expect(() => new ThreeTierApp(chart, 'shop', { zeroTrustNamespace: zt, ...SHOP_TIERS, labels: { [key]: value } }))
      .toThrow(cniLabelMessage('labels', key, 'the app\'s pods'));
  });

  test('keys beside the CNIs\' own are the user\'s', () => {
    const objects = synthValid(shop({
      labels: { 'io.cilium/team': 'payments' },
      database: { podLabels: { pcnsx: 'a' }, podAnnotations: { 'kubernetes.io/egress-bandwidth': '10M', 'cilium.example.com/x': 'y' } },
    }).chart);
    expect(workloadOf(objects, 'database').spec.template.metadata).toEqual({
      labels: { ...tierLabels('database'), 'io.cilium/team': 'payments', 'pcnsx': 'a' },
      annotations: { 'cilium.example.com/x': 'y', 'kubernetes.io/egress-bandwidth': '10M' },
    });
  });

  test('keys and values the API server rejects', () => {
    refused('frontend', { podLabels: { 'bad key!': 'x' } }, "[test/shop] frontend.podLabels: 'bad key!' is not a valid label key");
    refused('frontend', { podLabels: { team: 'x'.repeat(64) } }, `[test/shop] frontend.podLabels: '${'x'.repeat(64)}' is not a valid value for label 'team'`);
    refused('frontend', { podLabels: { team: 'a b' } }, "[test/shop] frontend.podLabels: 'a b' is not a valid value for label 'team'");
    refused('database', { podAnnotations: { 'example.com/': 'x' } }, "[test/shop] database.podAnnotations: 'example.com/' is not a valid annotation key");
    refused('database', { podAnnotations: { big: 'x'.repeat(256 * 1024) } }, '[test/shop] database.podAnnotations: the annotations take 262147 bytes; '
      + 'the API server accepts at most 262144 (256 KiB) per object');
  });

  test('values of the wrong type (plain-JS callers)', () => {
    refused('backend', { podLabels: 'team=api' }, "[test/shop] backend.podLabels: must be a map of strings to strings, got the string 'team=api'");
    refused('backend', { podLabels: ['team'] }, '[test/shop] backend.podLabels: must be a map of strings to strings, got an array of 1');
    refused('backend', { podLabels: { replicas: 3 } }, '[test/shop] backend.podLabels.replicas: must be a string, got the number 3');
    refused('backend', { podAnnotations: { 'prometheus.io/scrape': true } },
      '[test/shop] backend.podAnnotations.prometheus.io/scrape: must be a string, got the boolean true');
    refused('backend', { podAnnotations: null }, '[test/shop] backend.podAnnotations: must be a map of strings to strings, got null');
  });
});
