/**
 * The Cilium model's fast path used by the flow matrix: `allows` must equal `evaluate(...).allowed`,
 * and subjects with equal `subjectKey` must get equal verdicts for every peer and port (the empty key:
 * allowed whatever the peer). Checked exhaustively over a seeded corpus of random clusters mixing
 * CiliumNetworkPolicy (incl. `specs`), CiliumClusterwideNetworkPolicy, deny rules, enableDefaultDeny,
 * FQDN rules and Kubernetes NetworkPolicy, plus hand-written cases with upstream-derived expectations.
 */
import { ccnp, cnp, external, NAMESPACES, node, np, pod } from './helpers';
import { ciliumModel } from '../../../src/analysis/cilium';
import { evaluateNetworkPolicies } from '../../../src/analysis/kubernetes/network-policy';
import { Direction, Endpoint, L4Protocol, ManifestObject, NamedPort, SideQuery } from '../../../src/analysis/model';
import { NO, YES } from '../../../src/analysis/verdict';
import { Prng as Rng } from '../../support/prng';
import { checkSeededClusters } from '../fast-path-contract';


const HTTP: NamedPort = { name: 'http', port: 8080, protocol: 'TCP' };
const HTTP_ALT: NamedPort = { name: 'http', port: 9090, protocol: 'TCP' };
const PORTS: Array<[L4Protocol, number]> = [['TCP', 8080], ['TCP', 9090], ['TCP', 443], ['UDP', 53]];
const GITHUB = external('140.82.112.3', 'api.github.com');
const INTERNET = external('203.0.113.7');
const REMOTE_NODE = node({ 'reserved:remote-node': '' });
const LOCAL_NODE: Endpoint = { ...node(), name: 'local-node', nodeLocality: 'local' };
const REMOTE_NODE_BY_LOCALITY: Endpoint = { ...node(), name: 'remote-node', nodeLocality: 'remote' };

const SUBJECT_SELECTORS: any[] = [{}, { matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
  { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'sa1' } }];
const PEER_SELECTORS: any[] = [{}, { matchLabels: { app: 'api' } }, { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'billing' } },
  { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'retail' } }, { matchLabels: { 'reserved:host': '' } },
  { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }];
const TO_PORTS: any[] = [
  [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
  [{ ports: [{ port: 'http' }] }],
  [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*.github.com' }] } }],
  [{ ports: [{ port: '8000', endPort: 9100, protocol: 'ANY' }], rules: { http: [{ method: 'GET' }] } }],
  [{ ports: [{ port: '0', protocol: 'TCP' }] }],
  // Portless entries match no port; portless DNS rules get the whole policy rejected.
  [{ rules: { http: [{ method: 'GET' }] } }, { ports: [{ port: '8080', protocol: 'TCP' }] }],
  [{ ports: [], rules: { http: [{ method: 'GET' }] } }],
  [{}],
  [{ rules: { dns: [{ matchPattern: '*' }] } }],
  // Same as no toPorts (all ports with an L3 peer; nothing without one).
  [],
];

function randomPods(r: Rng, count: number): Endpoint[] {
  const labels: Array<Record<string, string>> = [
    { app: 'web' }, { app: 'web', tier: 'fe' }, { app: 'api' }, { app: 'api', tier: 'be' }, {},
  ];
  return Array.from({ length: count }, (_, i) => pod(r.pick(['shop', 'billing']), `p${i}`, r.pick(labels), {
    serviceAccount: r.pick([undefined, 'sa1']),
    namedPorts: r.pick([[], [HTTP], [HTTP_ALT]]),
    hostNetwork: r.chance(0.08),
  }));
}

function ciliumRule(r: Rng, direction: Direction): any {
  const pfx = direction === 'ingress' ? 'from' : 'to';
  const rule: any = {};
  const l3 = r.int(10);
  if (l3 === 1) rule[`${pfx}Endpoints`] = [r.pick(PEER_SELECTORS)];
  // Peers the analysis does not resolve: their flows may be indeterminate.
  if (l3 === 6 && direction === 'egress') rule.toServices = [{ k8sService: { serviceName: 'db', namespace: 'shop' } }];
  if (l3 === 7) rule[`${pfx}Nodes`] = [{ matchLabels: { role: 'infra' } }];
  if (l3 === 8) rule[`${pfx}CIDRSet`] = [{ cidrGroupRef: 'partners' }];
  if (l3 === 9) {
    rule[`${pfx}Endpoints`] = [r.pick(PEER_SELECTORS)];
    if (r.chance(0.5)) rule[`${pfx}Requires`] = [{ matchLabels: { app: 'web' } }];
    else rule.authentication = { mode: 'required' };
  }
  if (l3 === 2) rule[`${pfx}Entities`] = [r.pick(['world', 'cluster', 'host', 'all', 'remote-node'])];
  if (l3 === 3) rule[`${pfx}CIDR`] = [r.pick(['203.0.113.0/24', '140.82.0.0/16', '0.0.0.0/0'])];
  if (l3 === 4 && direction === 'egress') rule.toFQDNs = [r.pick([{ matchName: 'api.github.com' }, { matchPattern: '*.example.com' }])];
  if (l3 === 5) rule[`${pfx}Endpoints`] = [];
  if (r.chance(0.6)) rule.toPorts = r.pick(TO_PORTS);
  if (r.chance(0.05)) rule.icmps = [{ fields: [{ type: 8 }] }];
  if (r.chance(0.03)) rule.icmps = [];
  return rule;
}

function ciliumSpec(r: Rng): any {
  const spec: any = { endpointSelector: r.pick(SUBJECT_SELECTORS) };
  for (const field of ['ingress', 'egress', 'ingressDeny', 'egressDeny']) {
    const direction: Direction = field.startsWith('ingress') ? 'ingress' : 'egress';
    if (r.chance(field.endsWith('Deny') ? 0.25 : 0.5)) spec[field] = Array.from({ length: r.int(3) }, () => ciliumRule(r, direction));
  }
  if (r.chance(0.3)) spec.enableDefaultDeny = { ingress: r.chance(0.5), egress: r.chance(0.5) };
  return spec;
}

function ciliumPolicy(r: Rng, i: number): ManifestObject {
  if (r.chance(0.3)) return ccnp(`ccnp-${i}`, ciliumSpec(r));
  const namespace = r.pick(['shop', 'billing']);
  if (r.chance(0.2)) return cnp(namespace, `cnp-${i}`, undefined, { specs: [ciliumSpec(r), ciliumSpec(r)] });
  return cnp(namespace, `cnp-${i}`, ciliumSpec(r));
}

function kubernetesPolicy(r: Rng, i: number): ManifestObject {
  const peers = [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: { matchLabels: { team: 'retail' } } },
    { ipBlock: { cidr: '0.0.0.0/0' } }, { namespaceSelector: {}, podSelector: { matchLabels: { tier: 'be' } } }];
  const ports = [{ port: 'http' }, { port: 8080 }, { protocol: 'UDP', port: 53 }, { port: 400, endPort: 9000 }];
  const rule = (field: 'from' | 'to') => ({
    ...(r.chance(0.7) ? { [field]: [r.pick(peers)] } : {}),
    ...(r.chance(0.6) ? { ports: [r.pick(ports)] } : {}),
  });
  return np(r.pick(['shop', 'billing']), `np-${i}`, {
    podSelector: r.pick([{}, { matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }]),
    // undefined: defaulted from the rules (an empty egress list adds no Egress).
    policyTypes: r.pick([['Ingress'], ['Egress'], ['Ingress', 'Egress'], undefined]),
    ingress: Array.from({ length: r.int(3) }, () => rule('from')),
    egress: Array.from({ length: r.int(3) }, () => rule('to')),
  });
}

function randomCluster(r: Rng): ManifestObject[] {
  return Array.from({ length: 2 + r.int(5) }, (_, i) => (r.chance(0.65) ? ciliumPolicy(r, i) : kubernetesPolicy(r, i)));
}


function ask(direction: Direction, subject: Endpoint, peer: Endpoint, port: number): SideQuery {
  return { direction, subject, peer, port, protocol: 'TCP', destination: direction === 'ingress' ? subject : peer };
}

describe('Cilium fast path (allows, subjectKey)', () => {
  test('agrees with evaluate on 150 seeded random clusters, and equal keys mean equal verdicts', () => {
    const { clusters, shared } = checkSeededClusters(150, 104729, PORTS, (r) => {
      const manifests = randomCluster(r);
      const subjects = randomPods(r, 14);
      const peers = [...subjects, GITHUB, INTERNET, node(), REMOTE_NODE, LOCAL_NODE, REMOTE_NODE_BY_LOCALITY];
      return { model: ciliumModel(manifests, NAMESPACES), subjects, peers };
    });
    expect(clusters).toBe(150);
    expect(shared).toBeGreaterThan(500);
  });

  const web = pod('shop', 'web', { app: 'web' }, { namedPorts: [HTTP] });
  const web2 = pod('shop', 'web2', { app: 'web', version: 'v2' }, { namedPorts: [HTTP] });
  const webAlt = pod('shop', 'web-alt', { app: 'web' }, { namedPorts: [HTTP_ALT] });
  const api = pod('shop', 'api', { app: 'api' });

  test('a subject without deny rules and without default deny gets the empty key', () => {
    // enableDefaultDeny false: the allow rules add nothing to an endpoint that is not in default deny
    // (https://docs.cilium.io/en/stable/security/policy/language/, enableDefaultDeny).
    const policy = cnp('shop', 'no-default-deny', {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }],
    });
    const model = ciliumModel([policy], NAMESPACES);
    expect(model.subjectKey(web, 'ingress')).toBe('');
    expect(model.subjectKey(api, 'egress')).toBe('');
    expect(model.decide(ask('ingress', web, web2, 8080))).toBe(YES);
  });

  test('a deny-only rule with default deny disabled still gets a key: its deny wins', () => {
    const policy = ccnp('guard', {
      endpointSelector: {},
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toEntities: ['world'] }],
    });
    const model = ciliumModel([policy], NAMESPACES);
    expect(model.subjectKey(web, 'egress')).not.toBe('');
    expect(model.subjectKey(web, 'egress')).toBe(model.subjectKey(api, 'egress'));
    expect(model.decide(ask('egress', web, INTERNET, 443))).toBe(NO);
    expect(model.decide(ask('egress', web, api, 443))).toBe(YES);
  });

  test('same selecting rules: one ingress key unless the named ports differ', () => {
    const policy = cnp('shop', 'http', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
    });
    const model = ciliumModel([policy], NAMESPACES);
    expect(model.subjectKey(web, 'ingress')).toBe(model.subjectKey(web2, 'ingress'));
    expect(model.subjectKey(web, 'ingress')).not.toBe(model.subjectKey(webAlt, 'ingress'));
    expect(model.decide(ask('ingress', web, api, 8080))).toBe(YES);
    expect(model.decide(ask('ingress', webAlt, api, 8080))).toBe(NO);
  });

  test('the local host may always reach a pod in default deny, a remote node may not', () => {
    // https://docs.cilium.io/en/stable/security/policy/language/#access-to-from-local-host
    const policy = cnp('shop', 'deny-all-in', { endpointSelector: {}, ingress: [{}], enableDefaultDeny: { ingress: true } });
    const isolate = cnp('shop', 'only-api', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] });
    const model = ciliumModel([isolate], NAMESPACES);
    expect(model.decide(ask('ingress', web, node(), 8080))).toBe(YES);
    expect(model.decide(ask('ingress', web, REMOTE_NODE, 8080))).toBe(NO);
    expect(model.decide(ask('ingress', web, LOCAL_NODE, 8080))).toBe(YES);
    expect(model.decide(ask('ingress', web, REMOTE_NODE_BY_LOCALITY, 8080))).toBe(NO);
    expect(model.decide(ask('ingress', web, web2, 8080))).toBe(NO);
    expect(model.decide(ask('ingress', web, api, 8080))).toBe(YES);
    // `ingress: [{}]` is Cilium's default-deny idiom: the empty rule matches no peer
    // (https://docs.cilium.io/en/stable/security/policy/language/, "Ingress/Egress Default Deny"),
    // so only the local host gets in.
    const denyAll = ciliumModel([policy], NAMESPACES);
    expect(denyAll.decide(ask('ingress', web, web2, 8080))).toBe(NO);
    expect(denyAll.decide(ask('ingress', web, node(), 8080))).toBe(YES);
    expect(denyAll.subjectKey(web, 'ingress')).not.toBe('');
  });
});

describe('evaluateNetworkPolicies index', () => {
  const web = pod('shop', 'web', { app: 'web' });
  const api = pod('shop', 'api', { app: 'api' });
  const denyAll = np('shop', 'b-deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
  const allowApi = np('shop', 'a-allow-api', {
    podSelector: {},
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
  });

  test('reports allowing policies sorted by name, and sees later changes to the same array', () => {
    const policies = [denyAll];
    const q = ask('ingress', web, api, 80);
    expect(evaluateNetworkPolicies(policies, q, NAMESPACES)).toMatchObject({ isolated: true, allowed: false });
    policies.push(allowApi);
    const v = evaluateNetworkPolicies(policies, q, NAMESPACES);
    expect(v).toMatchObject({ isolated: true, allowed: true });
    expect(v.reasons.map((r) => r.object?.name)).toEqual(['a-allow-api']);
    policies[1] = denyAll;
    expect(evaluateNetworkPolicies(policies, q, NAMESPACES).allowed).toBe(false);
    const denied = evaluateNetworkPolicies([denyAll, allowApi], ask('ingress', web, web, 80), NAMESPACES);
    expect(denied.reasons.map((r) => r.object?.name)).toEqual(['a-allow-api', 'b-deny-all']);
  });
});
