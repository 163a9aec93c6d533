/**
 * Objects the API server or the CNI's validation rejects never reach a cluster: the analyzer leaves
 * them out (verdicts as if they were absent), says so in a note naming object and JSON path, and
 * PolicyLint reports each problem as an error. Wrongly typed fields never crash either.
 */
import * as fc from 'fast-check';
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { validateManifest } from '../../src/analysis/validation';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { PolicyLint } from '../../src/lint';
import { Port } from '../../src/policy/port';
import { runs } from '../properties/support/config';

const base = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }),
  deployment('shop', 'db', { app: 'db' }, { containers: [{ name: 'c', image: 'pg', ports: [{ containerPort: 5432 }] }] }),
];
const web = Target.workload('shop', 'web');
const db = Target.workload('shop', 'db');
const calico = (kind: string, name: string, spec: any, ns?: string) => ({
  apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec,
});
const cilium = (name: string, spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const denyDb = networkPolicy('deny-db', 'shop', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });

interface Case {
  readonly name: string;
  readonly object: any;
  readonly cni: Cni;
  /** `Kind ns/name`, JSON path and message of the first problem. */
  readonly label: string;
  readonly path: string;
  readonly message: string;
}

const CASES: Case[] = [
  {
    name: 'BaselineAdminNetworkPolicy not named default (it made every egress of its subject indeterminate)',
    object: {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'BaselineAdminNetworkPolicy',
      metadata: { name: 'baseline' },
      spec: { subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] },
    },
    cni: Cni.kubernetes(),
    label: 'BaselineAdminNetworkPolicy baseline',
    path: 'metadata.name',
    message: "must be 'default': the CRD admits a single BaselineAdminNetworkPolicy per cluster, named default",
  },
  {
    name: 'Calico selector with a syntax error',
    object: calico('GlobalNetworkPolicy', 'deny-web', { selector: "app == 'web", types: ['Egress'], egress: [{ action: 'Deny' }] }),
    cni: Cni.calico(),
    label: 'GlobalNetworkPolicy deny-web',
    path: 'spec.selector',
    message: "invalid Calico selector 'app == 'web': unterminated string at position 7",
  },
  {
    name: 'invalid CIDR in an ipBlock',
    object: networkPolicy('web-egress', 'shop', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.300/8' } }] }],
    }),
    cni: Cni.kubernetes(),
    label: 'NetworkPolicy shop/web-egress',
    path: 'spec.egress[0].to[0].ipBlock.cidr',
    message: "'10.0.0.300/8' is not a valid CIDR",
  },
  {
    // Kubernetes' CIDR parsers (Go net/netip) refuse an IPv6 zone; ipaddr.js reads one.
    name: 'IPv6 zone in an ipBlock',
    object: networkPolicy('web-egress', 'shop', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: 'fe80::1%eth0/64' } }] }],
    }),
    cni: Cni.kubernetes(),
    label: 'NetworkPolicy shop/web-egress',
    path: 'spec.egress[0].to[0].ipBlock.cidr',
    message: "'fe80::1%eth0/64' is not a valid CIDR",
  },
  {
    name: 'port outside 1-65535',
    object: networkPolicy('web-egress', 'shop', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 70000 }] }],
    }),
    cni: Cni.kubernetes(),
    label: 'NetworkPolicy shop/web-egress',
    path: 'spec.egress[0].ports[0].port',
    message: '70000 is outside 1-65535',
  },
  {
    name: 'unknown Cilium entity',
    object: cilium('web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['everything'] }] }),
    cni: Cni.cilium(),
    label: 'CiliumNetworkPolicy shop/web-egress',
    path: 'spec.egress[0].toEntities[0]',
    message: "'everything' is not a Cilium entity",
  },
  {
    name: 'Calico nets given as a string instead of a list',
    object: calico('NetworkPolicy', 'web-egress', {
      selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: '10.0.0.0/8' } }],
    }, 'shop'),
    cni: Cni.calico(),
    label: 'NetworkPolicy shop/web-egress',
    path: 'spec.egress[0].destination.nets',
    message: "must be a list, got a string '10.0.0.0/8'",
  },
  {
    // libcalico-go Protocol.SupportsPorts: TCP, UDP and SCTP only.
    name: 'Calico ports with protocol UDPLite',
    object: calico('GlobalNetworkPolicy', 'db-udplite', {
      selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'UDPLite', destination: { ports: [5432] } }],
    }),
    cni: Cni.calico(),
    label: 'GlobalNetworkPolicy db-udplite',
    path: 'spec.ingress[0].protocol',
    message: 'rules with ports need protocol TCP, UDP or SCTP',
  },
  {
    // libcalico-go validateRule: an ICMP type/code match needs protocol ICMP or ICMPv6.
    name: 'Calico ICMP match without protocol ICMP',
    object: calico('GlobalNetworkPolicy', 'db-no-ping', {
      selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny', icmp: { type: 8 } }],
    }),
    cni: Cni.calico(),
    label: 'GlobalNetworkPolicy db-no-ping',
    path: 'spec.ingress[0].icmp',
    message: 'needs protocol ICMP or ICMPv6',
  },
  {
    name: 'NetworkPolicy rules given as a mapping instead of a list',
    object: networkPolicy('web-egress', 'shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: { to: [] } }),
    cni: Cni.kubernetes(),
    label: 'NetworkPolicy shop/web-egress',
    path: 'spec.egress',
    message: 'must be a list, got a mapping {"to":[]}',
  },
  {
    name: 'Cilium port given as a number (the CRD schema types it as a string)',
    object: cilium('web-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toPorts: [{ ports: [{ port: 443 }] }] }] }),
    cni: Cni.cilium(),
    label: 'CiliumNetworkPolicy shop/web-egress',
    path: 'spec.egress[0].toPorts[0].ports[0].port',
    message: 'port 443 is not a string',
  },
];

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const withIt = Reachability.fromManifests([...base, c.object], { cni: c.cni });
  const without = Reachability.fromManifests(base, { cni: c.cni });

  test('the analysis leaves the object out: every verdict is the one without it', () => {
    for (const [from, to, port] of [[web, db, Port.tcp(5432)], [db, web, Port.tcp(80)], [web, Target.external('203.0.113.7'), Port.tcp(443)]] as const) {
      expect(withIt.check(from, to, port).verdict).toBe(without.check(from, to, port).verdict);
    }
    expect(withIt.check(web, Target.external('203.0.113.7'), Port.tcp(443)).verdict).toBe(Verdict.ALLOW);
  });

  test('a note names the object, the JSON path and the problem', () => {
    const note = withIt.notes.find((n) => n.startsWith(`${c.label} is invalid and left out of the analysis`));
    expect(note).toBeDefined();
    expect(note).toContain(`${c.path}: ${c.message}`);
    expect(withIt.explain(web, db, Port.tcp(5432))).toContain(`note: ${note}`);
  });

  test('PolicyLint reports an error at the same path', () => {
    const findings = PolicyLint.check([c.object]).filter((f) => f.path === c.path && f.severity === 'error');
    expect(findings).toHaveLength(1);
    expect(['invalid-object', 'cilium-port-not-string']).toContain(findings[0].rule);
    expect(findings[0].object).toBe(c.label);
    expect(findings[0].message).toContain(c.message);
    expect(findings[0].message).toMatch(/rejects the object, so none of it takes effect$/);
  });
});

describe('invalid objects and the rest of the manifests', () => {
  test('a valid policy next to an invalid one still applies', () => {
    const invalid = CASES[1].object;
    const reach = Reachability.fromManifests([...base, invalid, denyDb], { cni: Cni.kubernetes() });
    expect(reach.check(web, db, Port.tcp(5432)).verdict).toBe(Verdict.DENY);
    expect(reach.notes).toHaveLength(1);
  });

  test('an apiVersion the API server does not serve leaves the object out', () => {
    const old = { ...denyDb, apiVersion: 'extensions/v1beta1' };
    const reach = Reachability.fromManifests([...base, old], { cni: Cni.kubernetes() });
    expect(reach.check(web, db, Port.tcp(5432)).verdict).toBe(Verdict.ALLOW);
    expect(reach.notes).toEqual([
      'NetworkPolicy shop/deny-db is invalid and left out of the analysis (the API server rejects it, so it never takes effect): '
      + 'apiVersion: extensions/v1beta1 is not a served version of NetworkPolicy (use networking.k8s.io/v1)',
    ]);
    // The lint's removed-api-version rule reports it (with the replacement); no duplicate finding.
    expect(PolicyLint.check([old]).map((f) => f.rule)).toEqual(['removed-api-version']);
  });

  test('a Cilium DNS rule on ingress gets the whole policy rejected', () => {
    const policy = cilium('dns-in', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
    });
    expect(validateManifest(policy)).toEqual({
      rejectedBy: 'the API server or Cilium',
      problems: [{ path: 'spec.ingress[0].toPorts[0]', message: 'DNS rules are not allowed on ingress' }],
    });
  });

  test('Calico services, ICMP and HTTP rule constraints follow libcalico-go validation', () => {
    const policy = calico('GlobalNetworkPolicy', 'svc', {
      selector: "app == 'db'",
      ingress: [
        // A source Service with source ports is valid (only a destination Service brings its own ports).
        { action: 'Allow', protocol: 'TCP', source: { services: { name: 'web', namespace: 'shop' }, ports: [80] } },
        { action: 'Allow', destination: { services: { name: 'db', namespace: 'shop' } } },
        { action: 'Allow', source: { services: { name: 'web', namespace: 'shop' }, selector: "app == 'web'" } },
        { action: 'Allow', protocol: 'ICMP', icmp: { code: 0 } },
        { action: 'Allow', protocol: 'UDP', http: { methods: ['GET'] } },
      ],
      egress: [{ action: 'Allow', source: { services: { name: 'web', namespace: 'shop' } } }],
    });
    expect(validateManifest(policy)).toEqual({
      rejectedBy: 'Calico',
      problems: [
        { path: 'spec.ingress[1].destination.services', message: 'is not allowed in an ingress rule destination' },
        { path: 'spec.ingress[2].source.services', message: 'cannot be combined with selector' },
        { path: 'spec.ingress[3].icmp.code', message: 'needs an ICMP type' },
        { path: 'spec.ingress[4].protocol', message: 'must be TCP (or omitted) with an HTTP match' },
        { path: 'spec.egress[0].source.services', message: 'is not allowed in an egress rule source' },
      ],
    });
  });

  test('NetworkPolicy ipBlock except must be a strict subset of cidr, and a peer cannot mix ipBlock with selectors', () => {
    const np = networkPolicy('bad', 'shop', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16', '192.168.0.0/24'] } }, { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }],
    });
    expect(validateManifest(np)!.problems).toEqual([
      { path: 'spec.ingress[0].from[0].ipBlock.except[0]', message: "'10.0.0.0/16' must be a strict subset of cidr '10.0.0.0/16'" },
      { path: 'spec.ingress[0].from[0].ipBlock.except[1]', message: "'192.168.0.0/24' must be a strict subset of cidr '10.0.0.0/16'" },
      { path: 'spec.ingress[0].from[1]', message: 'may not combine ipBlock with podSelector or namespaceSelector' },
    ]);
  });

  test('valid objects of every kind the analyzer reads pass the checks', () => {
    const valid = [
      ...base, denyDb,
      calico('GlobalNetworkPolicy', 'g', { selector: "app startswith 'w'", egress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['8000:8080', 'http', 53] } }] }),
      calico('GlobalNetworkSet', 's', { nets: ['10.0.0.0/8', '192.0.2.1'] }),
      calico('Tier', 'platform', { order: 100, defaultAction: 'Pass' }),
      cilium('c', { endpointSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }),
    ];
    for (const obj of valid) expect(validateManifest(obj)).toBeUndefined();
  });
});

describe('wrongly typed fields never crash the analysis or the lint (fuzzed)', () => {
  const templates: any[] = [
    networkPolicy('np', 'shop', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 5432 }] }],
      egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }],
    }),
    calico('NetworkPolicy', 'cp', {
      selector: "app == 'db'",
      types: ['Ingress'],
      order: 10,
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'web'", nets: ['10.0.0.0/8'] }, destination: { ports: [5432] } }],
    }, 'shop'),
    cilium('cnp', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
      egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] }] }],
    }),
  ];
  const junk = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]), fc.constant([null]),
    fc.constant({ a: 1 }), fc.constant(['x', 1]));

  /** Replace the value at one random path of `obj` with `value`. */
  function mutate(obj: any, pick: number, value: unknown): any {
    const copy = JSON.parse(JSON.stringify(obj));
    const paths: Array<Array<string | number>> = [];
    const walk = (node: any, path: Array<string | number>) => {
      paths.push(path);
      if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
    };
    walk(copy.spec, ['spec']);
    const path = paths[pick % paths.length];
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = value;
    return copy;
  }

  test('every CNI model, the matrix and the lint', () => {
    fc.assert(fc.property(fc.nat(templates.length - 1), fc.nat(), junk, (t, pick, value) => {
      const object = mutate(templates[t], pick, value);
      for (const cni of [Cni.kubernetes(), Cni.calico(), Cni.cilium()]) {
        const reach = Reachability.fromManifests([...base, object], { cni });
        reach.matrix().flows.forEach((f) => expect(Object.values(Verdict)).toContain(f.verdict));
        reach.check(web, db, Port.tcp(5432));
      }
      expect(PolicyLint.check([object]).filter((f) => f.rule === 'lint-rule-failed')).toEqual([]);
    }), runs(150));
  });
});
