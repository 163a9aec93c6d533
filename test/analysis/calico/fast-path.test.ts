/**
 * The Calico model's fast path used by the flow matrix: `allows` must equal `evaluate(...).allowed`,
 * and subjects with equal `subjectKey` must get equal verdicts for every peer and port (the empty key:
 * allowed whatever the peer). Checked exhaustively over a seeded corpus of random clusters mixing
 * Calico NetworkPolicy / GlobalNetworkPolicy / Tier, Kubernetes NetworkPolicy and
 * ClusterNetworkPolicy, plus hand-written cases with upstream-derived expectations.
 */
import { cnp, egress, external, gnp, ingress, knp, NAMESPACES, pod, tier } from './helpers';
import { podCidrSpace } from '../../../src/analysis/addresses';
import { calicoModel } from '../../../src/analysis/calico';
import { Endpoint, L4Protocol, ManifestObject, NamedPort } from '../../../src/analysis/model';
import { NO, YES } from '../../../src/analysis/verdict';
import { parseCidr } from '../../../src/util/cidr';
import { Prng as Rng } from '../../support/prng';
import { checkSeededClusters } from '../fast-path-contract';


const HTTP: NamedPort = { name: 'http', port: 8080, protocol: 'TCP' };
const HTTP_ALT: NamedPort = { name: 'http', port: 9090, protocol: 'TCP' };
const METRICS: NamedPort = { name: 'metrics', port: 9100, protocol: 'TCP' };
const PORTS: Array<[L4Protocol, number]> = [['TCP', 8080], ['TCP', 9090], ['TCP', 9100], ['TCP', 5432], ['UDP', 53]];
const NODE: Endpoint = { kind: 'node', name: 'node', labels: {}, namespaceLabels: {}, ip: '10.0.0.10', hostNetwork: true, namedPorts: [] };
const LOCAL_NODE: Endpoint = { ...NODE, name: 'local-node', nodeLocality: 'local' };
const REMOTE_NODE: Endpoint = { ...NODE, name: 'remote-node', nodeLocality: 'remote' };

const SELECTORS = ["app == 'web'", 'has(tier)', 'all()', "app in {'api','db'}", "tier != 'fe'",
  "projectcalico.org/serviceaccount == 'sa1'", '!has(app)', "projectcalico.org/namespace == 'shop'"];
const NS_SELECTORS = ["tenant == 'acme'", 'all()', 'global()', "projectcalico.org/name == 'billing'"];
const NETS = [['10.0.0.0/24'], ['203.0.113.0/24'], ['0.0.0.0/0'], ['fd00::/64']];
const CALICO_PORTS: Array<Array<number | string>> = [[8080], ['http'], ['9000:9200'], [5432, 53]];

function randomPods(r: Rng, count: number): Endpoint[] {
  const labels: Array<Record<string, string>> = [
    { app: 'web' }, { app: 'web', tier: 'fe' }, { app: 'api' }, { app: 'db', tier: 'be' }, {},
  ];
  const named = [[], [HTTP], [HTTP_ALT], [HTTP, METRICS]];
  return Array.from({ length: count }, (_, i) => pod(r.pick(['shop', 'billing']), `p${i}`, r.pick(labels), {
    serviceAccount: r.pick([undefined, 'sa1', 'sa2']),
    namedPorts: r.pick(named),
    ip: r.pick([undefined, undefined, '10.0.0.5', '10.0.1.7', 'fd00::5']),
    hostNetwork: r.chance(0.08),
  }));
}

/** Pods without an IP get a pod-CIDR address space half of the time (the rest: anywhere). */
function withSpaces(r: Rng, pods: Endpoint[]): Endpoint[] {
  const space = podCidrSpace([parseCidr('10.0.0.0/16')]);
  return pods.map((p) => (p.ip === undefined && r.chance(0.5) ? { ...p, addressSpace: space } : p));
}

function entity(r: Rng): any {
  const e: any = {};
  if (r.chance(0.35)) e.selector = r.pick(SELECTORS);
  if (r.chance(0.15)) e.notSelector = r.pick(SELECTORS);
  if (r.chance(0.2)) e.namespaceSelector = r.pick(NS_SELECTORS);
  if (r.chance(0.15)) e.nets = r.pick(NETS);
  if (r.chance(0.1)) e.notNets = r.pick(NETS);
  if (r.chance(0.3)) e.ports = r.pick(CALICO_PORTS);
  if (r.chance(0.1)) e.notPorts = r.pick(CALICO_PORTS);
  // Not resolved by the analysis: the rule may match.
  if (r.chance(0.05) && !e.ports && !e.notPorts) e.services = { name: 'db', namespace: 'shop' };
  if (r.chance(0.1)) {
    e.serviceAccounts = r.pick([
      { names: ['sa1'] },
      { selector: "projectcalico.org/name == 'sa2'" },
      { selector: '!has(projectcalico.org/name)' },
      { selector: "role == 'frontend'" },
      {},
      { names: [] },
    ]);
  }
  return e;
}

function calicoRule(r: Rng): any {
  const rule: any = { action: r.pick(['Allow', 'Allow', 'Deny', 'Pass', 'Log']) };
  const source = entity(r);
  const destination = entity(r);
  if (Object.keys(source).length > 0) rule.source = source;
  if (Object.keys(destination).length > 0) rule.destination = destination;
  const hasPorts = [source, destination].some((e) => e.ports || e.notPorts);
  rule.protocol = hasPorts ? r.pick(['TCP', 'UDP']) : r.pick([undefined, 'TCP', 'UDP']);
  if (r.chance(0.1)) rule.ipVersion = r.pick([4, 6]);
  return rule;
}

function calicoPolicy(r: Rng, i: number): ManifestObject {
  const spec: any = {
    selector: r.pick(SELECTORS),
    ingress: Array.from({ length: r.int(3) }, () => calicoRule(r)),
    egress: Array.from({ length: r.int(3) }, () => calicoRule(r)),
  };
  if (r.chance(0.5)) spec.types = r.pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
  if (r.chance(0.5)) spec.tier = r.pick(['security', 'default', 'undeclared']);
  if (r.chance(0.6)) spec.order = r.pick([10, 100, 1000]);
  if (r.chance(0.15)) spec.serviceAccountSelector = "projectcalico.org/name == 'sa1'";
  if (r.chance(0.5)) return cnp(r.pick(['shop', 'billing']), `cnp-${i}`, spec);
  if (r.chance(0.3)) spec.namespaceSelector = r.pick(NS_SELECTORS);
  return gnp(`gnp-${i}`, spec);
}

function kubernetesPolicy(r: Rng, i: number): ManifestObject {
  const peers = [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { tenant: 'acme' } } },
    { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } }, { namespaceSelector: {}, podSelector: { matchLabels: { tier: 'be' } } }];
  const ports = [{ port: 'http' }, { port: 8080 }, { protocol: 'UDP', port: 53 }, { port: 9000, endPort: 9200 }];
  const rule = (field: 'from' | 'to') => ({
    ...(r.chance(0.7) ? { [field]: [r.pick(peers)] } : {}),
    ...(r.chance(0.6) ? { ports: [r.pick(ports)] } : {}),
  });
  const spec: any = {
    podSelector: r.pick([{}, { matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }]),
    // undefined: defaulted from the rules (an empty egress list adds no Egress).
    policyTypes: r.pick([['Ingress'], ['Egress'], ['Ingress', 'Egress'], undefined]),
    ingress: Array.from({ length: r.int(3) }, () => rule('from')),
    egress: Array.from({ length: r.int(3) }, () => rule('to')),
  };
  return knp(r.pick(['shop', 'billing']), `knp-${i}`, spec);
}

function clusterNetworkPolicy(r: Rng, i: number): ManifestObject {
  const peer = () => r.pick<any>([{ namespaces: { matchLabels: { tenant: 'acme' } } }, { pods: { podSelector: { matchLabels: { app: 'api' } } } },
    { networks: ['10.0.0.0/8'] }]);
  const protocols = () => r.pick<any>([undefined, [{ destinationNamedPort: 'http' }], [{ tcp: { destinationPort: { number: 8080 } } }]]);
  const rules = (field: 'from' | 'to') => Array.from({ length: 1 + r.int(2) }, () => ({
    action: r.pick(['Accept', 'Deny', 'Pass']), [field]: [peer()], protocols: protocols(),
  }));
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `cnp-${i}` },
    spec: {
      tier: r.pick(['Admin', 'Baseline']),
      priority: r.int(5),
      subject: r.pick<any>([{ namespaces: {} }, { pods: { podSelector: { matchLabels: { app: 'web' } } } }]),
      ingress: r.chance(0.6) ? rules('from') : undefined,
      egress: r.chance(0.6) ? rules('to') : undefined,
    },
  };
}

function randomCluster(r: Rng): ManifestObject[] {
  const objects: ManifestObject[] = [tier('security', 100, r.pick(['Deny', 'Pass']))];
  const n = 2 + r.int(5);
  for (let i = 0; i < n; i++) {
    const kind = r.int(10);
    objects.push(kind < 5 ? calicoPolicy(r, i) : kind < 8 ? kubernetesPolicy(r, i) : clusterNetworkPolicy(r, i));
  }
  if (r.chance(0.3)) {
    objects.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'partners', labels: { app: 'web' } },
      spec: { nets: ['203.0.113.0/24'] },
    });
  }
  return objects;
}


describe('Calico fast path (allows, subjectKey)', () => {
  test('agrees with evaluate on 150 seeded random clusters, and equal keys mean equal verdicts', () => {
    const { clusters, shared } = checkSeededClusters(150, 7919, PORTS, (r) => {
      const manifests = randomCluster(r);
      const subjects = withSpaces(r, randomPods(r, 14));
      const peers = [...subjects, external('203.0.113.5'), external('10.0.1.9'), NODE, LOCAL_NODE, REMOTE_NODE];
      return { model: calicoModel(manifests, NAMESPACES), subjects, peers };
    });
    expect(clusters).toBe(150);
    // The keys do group subjects (otherwise the matrix gains nothing).
    expect(shared).toBeGreaterThan(500);
  });

  const web = pod('shop', 'web', { app: 'web' }, { namedPorts: [HTTP] });
  const web2 = pod('shop', 'web2', { app: 'web', version: 'v2' }, { namedPorts: [HTTP] });
  const webAlt = pod('shop', 'web-alt', { app: 'web' }, { namedPorts: [HTTP_ALT] });
  const api = pod('shop', 'api', { app: 'api' });

  test('an endpoint no policy selects, and a hostNetwork pod, get the empty key (namespace profile allows)', () => {
    const model = calicoModel([cnp('shop', 'web-only', { selector: "app == 'web'", ingress: [{ action: 'Deny' }] })], NAMESPACES);
    expect(model.subjectKey(api, 'ingress')).toBe('');
    expect(model.subjectKey(pod('shop', 'h', { app: 'web' }, { hostNetwork: true }), 'ingress')).toBe('');
    // Types defaults to Ingress only when there are only ingress rules: egress is unselected.
    expect(model.subjectKey(web, 'egress')).toBe('');
    expect(model.subjectKey(web, 'ingress')).not.toBe('');
  });

  test('same selecting policies: one ingress key unless the named ports differ', () => {
    const policy = cnp('shop', 'http', {
      selector: "app == 'web'",
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } }],
    });
    const model = calicoModel([policy], NAMESPACES);
    expect(model.subjectKey(web, 'ingress')).toBe(model.subjectKey(web2, 'ingress'));
    // `http` resolves to 8080 on web and 9090 on web-alt: different verdicts on 8080.
    expect(model.subjectKey(web, 'ingress')).not.toBe(model.subjectKey(webAlt, 'ingress'));
    expect(model.decide(ingress(api, web, 8080))).toBe(YES);
    expect(model.decide(ingress(api, webAlt, 8080))).toBe(NO);
  });

  test('an egress rule whose source selector looks at the selected endpoint splits the key by labels', () => {
    // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule : `source` is the
    // sender, which for an egress rule is the selected endpoint itself.
    const policy = gnp('v2-only', { selector: "app == 'web'", egress: [{ action: 'Allow', source: { selector: "version == 'v2'" } }] });
    const model = calicoModel([policy], NAMESPACES);
    expect(model.subjectKey(web, 'egress')).not.toBe(model.subjectKey(web2, 'egress'));
    expect(model.decide(egress(web, api, 80))).toBe(NO);
    expect(model.decide(egress(web2, api, 80))).toBe(YES);
  });

  test('a Pass to a later tier and the tier default action give the same verdicts through allows and evaluate', () => {
    const manifests = [
      tier('security', 100, 'Deny'),
      gnp('pass-web', {
        tier: 'security', selector: "app == 'web'", ingress: [{ action: 'Pass', source: { selector: "app == 'api'" } }],
      }),
      knp('shop', 'allow-api', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      }),
    ];
    const model = calicoModel(manifests, NAMESPACES);
    // api passes to the default tier, where the Kubernetes policy allows it; anyone else hits the
    // end of the security tier (defaultAction Deny).
    expect(model.decide(ingress(api, web, 8080))).toBe(YES);
    expect(model.decide(ingress(web2, web, 8080))).toBe(NO);
    expect(model.evaluate(ingress(api, web, 8080)).allowed).toBe(true);
    expect(model.evaluate(ingress(web2, web, 8080)).allowed).toBe(false);
  });
});
