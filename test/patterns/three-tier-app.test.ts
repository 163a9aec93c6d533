import { App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ClusterNetwork, Cni, Port, TenantIsolation, TierResources, ZeroTrustNamespace, AppTier, ThreeTierApp, ThreeTierAppProps } from '../../src';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { expectThreeTierChain, threeTierTargets } from '../support/flows';
import '../support/reachability-matchers';
import { IPV4_METADATA } from '../support/metadata';
import { synthValid, validYaml } from '../support/synth';

// Expected values below come from the upstream semantics (Kubernetes NetworkPolicy, Pod Security
// Standards `restricted`, ingress-nginx and cert-manager annotations), not from the implementation.

const MINIMAL: ThreeTierAppProps = {
  namespace: 'shop',
  host: 'shop.example.com',
  frontend: { image: 'registry.example.com/shop/web:1.0.0' },
  backend: { image: 'registry.example.com/shop/api:1.0.0' },
  database: { image: 'postgres:16.4' },
};

const FRONTEND = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'frontend', 'app.kubernetes.io/part-of': 'shop' };
const BACKEND = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'backend', 'app.kubernetes.io/part-of': 'shop' };
const DATABASE = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/component': 'database', 'app.kubernetes.io/part-of': 'shop' };
const TIER_POLICY_NAMES = [
  'shop-frontend-allow-ingress-controller', 'shop-frontend-to-backend', 'shop-backend-from-frontend', 'shop-backend-to-database', 'shop-database-from-backend',
];
/** The namespace's one HTTP-01 solver policy, shared by its apps. */
const ACME_SOLVER_POLICY = 'acme-solver-allow-ingress-controller';
const APP_POLICY_NAMES = [...TIER_POLICY_NAMES, ACME_SOLVER_POLICY];
const ACME_SOLVER = { 'acme.cert-manager.io/http01-solver': 'true' };

function chartWith(cni: Cni): Chart {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { cni });
  return chart;
}

/** Synthesize `props` (overriding MINIMAL) and validate every object strictly. */
function synth(cni: Cni, props: Partial<ThreeTierAppProps> = {}, id = 'shop'): any[] {
  const chart = chartWith(cni);
  new ThreeTierApp(chart, id, { ...MINIMAL, ...props });
  return synthValid(chart);
}

function get(objects: any[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

function tryGet(objects: any[], kind: string, name: string): any | undefined {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

/** Does a `matchLabels`-only selector (or `{}`) select pods with `labels`? */
function selects(selector: any, labels: Record<string, string>): boolean {
  expect(selector.matchExpressions).toBeUndefined();
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** Does a NetworkPolicy peer (from/to item) match pods with `labels` in the policy's own namespace `ns`? */
function peerMatches(peer: any, labels: Record<string, string>, ns: string): boolean {
  if (peer.ipBlock) return false; // pod IPs are not matched by our ipBlocks (none of them are pod CIDRs)
  const nsOk = peer.namespaceSelector === undefined || selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': ns });
  const podOk = peer.podSelector === undefined || selects(peer.podSelector, labels);
  return nsOk && podOk;
}

/**
 * Is traffic from pods `src` to pods `dst` (both in `ns`) on `port`/TCP allowed by these
 * networking.k8s.io/v1 NetworkPolicies? Both ends are in default deny here, so both an egress allow
 * selecting the source and an ingress allow selecting the destination are needed.
 */
type Labels = Record<string, string>;

function netpolAllows(policies: any[], ns: string, src: Labels, dst: Labels, port: number): boolean {
  const portOk = (rule: any) => !rule.ports || rule.ports.some((p: any) => (p.protocol ?? 'TCP') === 'TCP'
    && (p.port === undefined || p.port === port || (p.endPort !== undefined && p.port <= port && port <= p.endPort)));
  // An isolated direction is open to `peer` if some policy selecting `pods` has a rule matching port and peer.
  const allowed = (pods: Labels, type: 'Ingress' | 'Egress', peer: Labels) => policies
    .filter((np) => np.spec.policyTypes.includes(type) && selects(np.spec.podSelector, pods))
    .flatMap((np) => np.spec[type.toLowerCase()] ?? [])
    .some((rule: any) => {
      const peers = type === 'Ingress' ? rule.from : rule.to;
      return portOk(rule) && (peers === undefined || peers.some((p: any) => peerMatches(p, peer, ns)));
    });
  return allowed(src, 'Egress', dst) && allowed(dst, 'Ingress', src);
}

function podSpec(workload: any): any {
  return workload.spec.template.spec;
}

describe.each([
  ['kubernetes', () => Cni.kubernetes()],
  ['calico', () => Cni.calico()],
  ['cilium', () => Cni.cilium()],
])('ThreeTierApp on %s', (cniName, makeCni) => {
  let objects: any[];
  beforeAll(() => {
    objects = synth(makeCni());
  });
  const netpols = () => objects.filter((o) => o.apiVersion === 'networking.k8s.io/v1' && o.kind === 'NetworkPolicy');

  test('emits exactly the expected objects, all valid under the strict schemas', () => {
    const inventory = objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
    const guardrail: Record<string, string[]> = {
      kubernetes: [],
      calico: ['projectcalico.org/v3 NetworkPolicy shop/deny-cloud-metadata', 'projectcalico.org/v3 Tier /platform-guardrails'],
      cilium: ['cilium.io/v2 CiliumNetworkPolicy shop/deny-cloud-metadata'],
    };
    expect(inventory).toEqual([
      'apps/v1 Deployment shop/shop-backend',
      'apps/v1 Deployment shop/shop-frontend',
      'apps/v1 StatefulSet shop/shop-database',
      ...guardrail[cniName],
      'networking.k8s.io/v1 Ingress shop/shop',
      ...['acme-solver-allow-ingress-controller', 'allow-dns', 'shop-backend-from-frontend', 'shop-backend-to-database', 'shop-database-from-backend', 'default-deny-all',
        'shop-frontend-allow-ingress-controller', 'shop-frontend-to-backend'].map((n) => `networking.k8s.io/v1 NetworkPolicy shop/${n}`),
      'policy/v1 PodDisruptionBudget shop/shop-backend',
      'policy/v1 PodDisruptionBudget shop/shop-frontend',
      'v1 Namespace /shop',
      'v1 Service shop/shop-backend',
      'v1 Service shop/shop-database',
      'v1 Service shop/shop-frontend',
    ].sort());
  });

  test('the namespace enforces Pod Security restricted', () => {
    const ns = get(objects, 'Namespace', 'shop');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('default-deny-all isolates every pod in both directions', () => {
    expect(get(objects, 'NetworkPolicy', 'default-deny-all').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('allow-dns: kube-dns pods in kube-system (ONE peer) on UDP and TCP 53', () => {
    expect(get(objects, 'NetworkPolicy', 'allow-dns').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    });
  });

  test('frontend-allow-ingress-controller: ingress-nginx pods in ingress-nginx (ONE peer, AND) to frontend on TCP 8080', () => {
    const np = get(objects, 'NetworkPolicy', 'shop-frontend-allow-ingress-controller');
    expect(np.metadata.namespace).toBe('shop');
    expect(np.spec).toEqual({
      podSelector: { matchLabels: FRONTEND },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' } },
        }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
  });

  test('cert-manager HTTP-01 solver pods (created in this namespace) reachable from the ingress controller on TCP 8089 only', () => {
    expect(get(objects, 'NetworkPolicy', 'acme-solver-allow-ingress-controller').spec).toEqual({
      podSelector: { matchLabels: ACME_SOLVER },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' } },
        }],
        ports: [{ protocol: 'TCP', port: 8089 }],
      }],
    });
  });

  test('frontend -> backend on TCP 8080: egress on the frontend and ingress on the backend', () => {
    expect(get(objects, 'NetworkPolicy', 'shop-frontend-to-backend').spec).toEqual({
      podSelector: { matchLabels: FRONTEND },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: BACKEND } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
    expect(get(objects, 'NetworkPolicy', 'shop-backend-from-frontend').spec).toEqual({
      podSelector: { matchLabels: BACKEND },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: FRONTEND } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    });
  });

  test('backend -> database on TCP 5432 only', () => {
    expect(get(objects, 'NetworkPolicy', 'shop-backend-to-database').spec).toEqual({
      podSelector: { matchLabels: BACKEND },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: DATABASE } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    expect(get(objects, 'NetworkPolicy', 'shop-database-from-backend').spec).toEqual({
      podSelector: { matchLabels: DATABASE },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: BACKEND } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
  });

  test('policy scan: the promised flows are allowed, frontend -> database and every other flow is denied', () => {
    const all = netpols();
    expect(netpolAllows(all, 'shop', FRONTEND, BACKEND, 8080)).toBe(true);
    expect(netpolAllows(all, 'shop', BACKEND, DATABASE, 5432)).toBe(true);
    expect(netpolAllows(all, 'shop', FRONTEND, DATABASE, 5432)).toBe(false);
    expect(netpolAllows(all, 'shop', FRONTEND, DATABASE, 8080)).toBe(false);
    expect(netpolAllows(all, 'shop', FRONTEND, BACKEND, 5432)).toBe(false);
    expect(netpolAllows(all, 'shop', BACKEND, DATABASE, 8080)).toBe(false);
    expect(netpolAllows(all, 'shop', DATABASE, BACKEND, 8080)).toBe(false);
    expect(netpolAllows(all, 'shop', DATABASE, FRONTEND, 8080)).toBe(false);
    expect(netpolAllows(all, 'shop', BACKEND, FRONTEND, 8080)).toBe(false);
    // No NetworkPolicy selecting the frontend has an egress peer that matches database pods.
    for (const np of all.filter((p) => selects(p.spec.podSelector, FRONTEND))) {
      for (const rule of np.spec.egress ?? []) {
        if (rule.to === undefined) throw new Error(`${np.metadata.name} lets the frontend reach every peer`);
        expect(rule.to.filter((peer: any) => peerMatches(peer, DATABASE, 'shop'))).toEqual([]);
      }
    }
    // The database may only send DNS: the egress policies that select it are exactly allow-dns.
    const dbEgress = all.filter((p) => p.spec.policyTypes.includes('Egress') && selects(p.spec.podSelector, DATABASE) && p.spec.egress);
    expect(dbEgress.map((p) => p.metadata.name)).toEqual(['allow-dns']);
    // No native (Calico / Cilium) object allows anything: the only native policy is the deny guard rail.
    const calicoRules = objects.filter((o) => o.apiVersion === 'projectcalico.org/v3' && o.kind !== 'Tier')
      .flatMap((o) => [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]);
    expect(calicoRules.filter((r) => r.action !== 'Deny')).toEqual([]);
    const ciliumAllows = objects.filter((o) => o.apiVersion === 'cilium.io/v2').filter((o) => o.spec.ingress || o.spec.egress);
    expect(ciliumAllows).toEqual([]);
  });

  test('tier policies carry the app labels; the shared HTTP-01 solver policy carries none', () => {
    for (const name of TIER_POLICY_NAMES) {
      expect(get(objects, 'NetworkPolicy', name).metadata.labels).toEqual({ 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' });
    }
    expect(get(objects, 'NetworkPolicy', ACME_SOLVER_POLICY).metadata.labels).toBeUndefined();
  });

  test('the cloud-metadata guard rail exists with the native kind where the CNI can deny', () => {
    if (cniName === 'calico') {
      const gr = get(objects, 'NetworkPolicy', 'deny-cloud-metadata');
      expect(gr.apiVersion).toBe('projectcalico.org/v3');
      expect(gr.spec.tier).toBe('platform-guardrails');
      expect(gr.spec.types).toEqual(['Egress']);
      expect(gr.spec.egress).toEqual(IPV4_METADATA.map((cidr) => ({ action: 'Deny', destination: { nets: [cidr] } })));
    } else if (cniName === 'cilium') {
      const gr = get(objects, 'CiliumNetworkPolicy', 'deny-cloud-metadata');
      expect(gr.apiVersion).toBe('cilium.io/v2');
      // A deny-only guard rail: egressDeny to the metadata address for every pod, without turning on default deny.
      expect(gr.spec).toEqual({
        endpointSelector: {},
        egressDeny: [{ toCIDRSet: IPV4_METADATA.map((cidr) => ({ cidr })) }],
        enableDefaultDeny: { ingress: false, egress: false },
      });
    } else {
      expect(objects.filter((o) => o.metadata.name.includes('deny-cloud-metadata'))).toEqual([]);
    }
  });

  describe('workloads', () => {
    const workloads = () => [get(objects, 'Deployment', 'shop-frontend'), get(objects, 'Deployment', 'shop-backend'), get(objects, 'StatefulSet', 'shop-database')];

    test('every pod passes Pod Security restricted (non-root, no escalation, drop ALL, seccomp RuntimeDefault)', () => {
      for (const w of workloads()) {
        const spec = podSpec(w);
        expect(spec.securityContext.runAsNonRoot).toBe(true);
        expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        expect(spec.hostNetwork ?? false).toBe(false);
        expect(spec.hostPID ?? false).toBe(false);
        expect(spec.hostIPC ?? false).toBe(false);
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.volumes.every((v: any) => v.emptyDir !== undefined)).toBe(true); // restricted forbids hostPath
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const sc = c.securityContext;
          expect(sc.allowPrivilegeEscalation).toBe(false);
          expect(sc.privileged).toBe(false);
          expect(sc.capabilities).toEqual({ drop: ['ALL'] });
          expect(sc.runAsNonRoot).toBe(true);
          expect(sc.runAsUser).toBeGreaterThan(0);
          expect(sc.readOnlyRootFilesystem).toBe(true);
          expect(c.ports.every((p: any) => p.hostPort === undefined)).toBe(true);
        }
      }
    });

    test('numeric users: 10001 for the HTTP tiers, 999 (postgres) for the database, fsGroup for volumes', () => {
      const [fe, be, db] = workloads().map(podSpec);
      expect(fe.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
      expect(be.containers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
      expect(db.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    });

    test('probes: HTTP GET /healthz on the http tiers, TCP socket on the database', () => {
      const [fe, be, db] = workloads().map((w) => podSpec(w).containers[0]);
      for (const c of [fe, be]) {
        expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
        expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
      }
      expect(db.readinessProbe.tcpSocket).toEqual({ port: 5432 });
      expect(db.livenessProbe.tcpSocket).toEqual({ port: 5432 });
      expect(db.livenessProbe.initialDelaySeconds).toBeGreaterThanOrEqual(db.readinessProbe.initialDelaySeconds);
    });

    test('resources: requests and limits, defaults per tier', () => {
      const [fe, be, db] = workloads().map((w) => podSpec(w).containers[0]);
      for (const c of [fe, be]) {
        expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
      }
      expect(db.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1024Mi' } });
    });

    test('named container ports: http / postgres on TCP', () => {
      const [fe, be, db] = workloads().map((w) => podSpec(w).containers[0]);
      expect(fe.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
      expect(be.ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
      expect(db.ports).toEqual([{ containerPort: 5432, name: 'postgres', protocol: 'TCP' }]);
    });

    test('read-only root filesystem with writable emptyDirs (/tmp; /var/run/postgresql for the database)', () => {
      const [fe, , db] = workloads().map(podSpec);
      expect(fe.containers[0].volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
      expect(fe.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      expect(db.volumes).toEqual([{ name: 'tmp', emptyDir: {} }, { name: 'var-run-postgresql', emptyDir: {} }]);
    });

    test('pod labels are the readable tier labels; workload selectors use exactly them', () => {
      const expected = [FRONTEND, BACKEND, DATABASE];
      workloads().forEach((w, i) => {
        expect(w.spec.selector).toEqual({ matchLabels: expected[i] });
        // Exactly them: cdk8s-plus' construct-path label (`cdk8s.io/metadata.addr`) is not on the pods.
        expect(w.spec.template.metadata.labels).toEqual(expected[i]);
        expect(w.metadata.namespace).toBe('shop');
      });
    });

    test('moving the app in the construct tree changes no workload: the pod templates do not depend on the path', () => {
      const workloadsAt = (nest: boolean) => {
        const chart = chartWith(makeCni());
        new ThreeTierApp(nest ? new Construct(new Construct(chart, 'platform'), 'apps') : chart, 'shop', MINIMAL);
        return synthValid(chart).filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
      };
      const [here, moved] = [workloadsAt(false), workloadsAt(true)];
      expect(here).toHaveLength(3);
      expect(moved).toEqual(here);
    });

    test('database: StatefulSet with the headless Service as serviceName and a 10Gi ReadWriteOnce data claim', () => {
      const sts = get(objects, 'StatefulSet', 'shop-database');
      const svc = get(objects, 'Service', 'shop-database');
      expect(sts.spec.serviceName).toBe(svc.metadata.name);
      expect(sts.spec.replicas).toBe(1);
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.ports).toEqual([{ name: 'postgres', port: 5432, protocol: 'TCP', targetPort: 5432 }]);
      expect(sts.spec.volumeClaimTemplates).toEqual([{
        metadata: { name: 'data', labels: DATABASE },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      }]);
      const c = podSpec(sts).containers[0];
      expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
      // initdb refuses a volume root that holds lost+found: PGDATA is a subdirectory.
      expect(c.env).toEqual([{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }]);
    });

    test('Services select exactly their own tier and never another tier', () => {
      const services = [['shop-frontend', FRONTEND, 8080, 'http'], ['shop-backend', BACKEND, 8080, 'http'], ['shop-database', DATABASE, 5432, 'postgres']] as const;
      const pods = { frontend: FRONTEND, backend: BACKEND, database: DATABASE };
      for (const [name, labels, port, portName] of services) {
        const svc = get(objects, 'Service', name);
        expect(svc.spec.selector).toEqual(labels);
        expect(svc.spec.ports).toEqual([{ name: portName, port, protocol: 'TCP', targetPort: port }]);
        for (const [tier, podLabels] of Object.entries(pods)) {
          expect(selects({ matchLabels: svc.spec.selector }, podLabels)).toBe(tier === labels['app.kubernetes.io/component']);
        }
      }
      expect(get(objects, 'Service', 'shop-frontend').spec.type).toBe('ClusterIP');
      expect(get(objects, 'Service', 'shop-frontend').spec.clusterIP).toBeUndefined();
      expect(get(objects, 'Service', 'shop-backend').spec.type).toBe('ClusterIP');
    });

    test('Ingress: class nginx, TLS for the host, cert-manager and ssl-redirect annotations, frontend backend', () => {
      const ing = get(objects, 'Ingress', 'shop');
      expect(ing.metadata.annotations).toEqual({
        'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      });
      expect(ing.spec).toEqual({
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [{
          host: 'shop.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-frontend', port: { number: 8080 } } } }] },
        }],
      });
    });

    test('PodDisruptionBudgets (minAvailable 1) for the two-replica tiers only', () => {
      for (const [name, labels] of [['shop-frontend', FRONTEND], ['shop-backend', BACKEND]] as const) {
        const pdb = get(objects, 'PodDisruptionBudget', name);
        expect(pdb.apiVersion).toBe('policy/v1');
        expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: labels } });
      }
      expect(tryGet(objects, 'PodDisruptionBudget', 'shop-database')).toBeUndefined();
      expect(get(objects, 'Deployment', 'shop-frontend').spec.replicas).toBe(2);
    });
  });

  test('deterministic: the same program synthesizes byte-identical YAML', () => {
    const yamlOf = () => {
      const app = new App();
      const chart = new Chart(app, 'platform');
      new ClusterNetwork(chart, 'cluster', { cni: makeCni() });
      new ThreeTierApp(chart, 'shop', MINIMAL);
      return app.synthYaml();
    };
    const first = yamlOf();
    expect(validYaml(first)).toHaveLength(objects.length);
    expect(yamlOf()).toEqual(first);
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

// The promised flows, asserted on the synthesized manifests with each CNI's semantics.
describe.each([
  ['kubernetes', () => Cni.kubernetes()],
  ['calico', () => Cni.calico()],
  ['cilium', () => Cni.cilium()],
])('ThreeTierApp reachability on %s', (_name, makeCni) => {
  const fe = Target.workload('shop', 'shop-frontend');
  const be = Target.workload('shop', 'shop-backend');
  const db = Target.workload('shop', 'shop-database');
  const ingressNginx = Target.workload('ingress-nginx', 'controller');
  const otherNs = Target.workload('other', 'intruder');
  const dns = Target.workload('kube-system', 'coredns');
  const solver = Target.workload('shop', 'cm-acme-http-solver');
  let reach: Reachability;
  beforeAll(() => {
    const cni = makeCni();
    reach = Reachability.fromManifests(synth(cni), { cni });
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, { ports: [Port.tcp(8080)] });
    // The ingress-nginx chart's admission-webhook jobs share the name label but are not the controller.
    reach.addProbe('admission-create', 'ingress-nginx',
      { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'admission-webhook' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('intruder', 'other', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    reach.addProbe('cm-acme-http-solver', 'shop', ACME_SOLVER, { ports: [Port.tcp(8089)] });
  });

  test('the promised flows are allowed', () => {
    expect(reach).toAllow(ingressNginx, fe, Port.tcp(8080));
    expect(reach).toAllow(fe, be, Port.tcp(8080));
    expect(reach).toAllow(be, db, Port.tcp(5432));
    expect(reach).toAllow(ingressNginx, solver, Port.tcp(8089));
    for (const tier of [fe, be, db]) {
      expect(reach).toAllow(tier, dns, Port.udp(53));
      expect(reach).toAllow(tier, dns, Port.tcp(53));
    }
  });

  test('everything else is denied', () => {
    expect(reach).toDeny(fe, db, Port.tcp(5432));
    expect(reach).toDeny(ingressNginx, be, Port.tcp(8080));
    expect(reach).toDeny(ingressNginx, db, Port.tcp(5432));
    expect(reach).toDeny(otherNs, fe, Port.tcp(8080)); // right pod labels, wrong namespace
    expect(reach).toDeny(Target.workload('ingress-nginx', 'admission-create'), fe, Port.tcp(8080));
    expect(reach).toDeny(fe, be, Port.tcp(5432));
    expect(reach).toDeny(be, fe, Port.tcp(8080));
    expect(reach).toDeny(db, be, Port.tcp(8080));
    expect(reach).toDeny(db, Target.external('203.0.113.7'), Port.tcp(443));
    expect(reach).toDeny(be, Target.external('169.254.169.254'), Port.tcp(80));
    expect(reach).toDeny(fe, solver, Port.tcp(8089));
    expect(reach).toDeny(solver, db, Port.tcp(5432));
  });
});

// A ThreeTierApp in a TenantIsolation tenant namespace: the tenant's zero-trust namespace holds the
// baseline (default deny, DNS, guard rails); the app adds only its tier policies.
const IN_TENANT: ThreeTierAppProps = {
  host: 'shop.acme.example.com',
  frontend: MINIMAL.frontend,
  backend: MINIMAL.backend,
  database: MINIMAL.database,
};

function tenantChart(cni: Cni): { chart: Chart; tenants: TenantIsolation; app: ThreeTierApp } {
  const chart = chartWith(cni);
  const tenants = new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], allowSameTenant: false });
  const app = new ThreeTierApp(chart, 'shop', { ...IN_TENANT, zeroTrustNamespace: tenants.tenantNamespaces.acme[0] });
  return { chart, tenants, app };
}

describe.each([
  ['kubernetes', () => Cni.kubernetes()],
  ['calico', () => Cni.calico()],
  ['cilium', () => Cni.cilium()],
])('ThreeTierApp in a TenantIsolation tenant namespace on %s', (cniName, makeCni) => {
  let objects: any[];
  let app: ThreeTierApp;
  let tenants: TenantIsolation;
  beforeAll(() => {
    const built = tenantChart(makeCni());
    app = built.app;
    tenants = built.tenants;
    objects = synthValid(built.chart);
  });

  test('every object name unique; the tenant namespace and its baseline are reused, not duplicated; the app and the guard rail are in place', () => {
    const keys = objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['acme', 'globex']);
    expect(keys.filter((k) => k.endsWith('acme/default-deny-all'))).toEqual(['networking.k8s.io/v1 NetworkPolicy acme/default-deny-all']);
    expect(app.namespace).toBe('acme');
    expect(app.zeroTrustNamespace).toBe(tenants.tenantNamespaces.acme[0]);
    // The app's objects and tier policies all live in the tenant namespace.
    for (const name of ['shop-frontend', 'shop-backend']) expect(get(objects, 'Deployment', name).metadata.namespace).toBe('acme');
    expect(get(objects, 'StatefulSet', 'shop-database').metadata.namespace).toBe('acme');
    expect(get(objects, 'Ingress', 'shop').metadata.namespace).toBe('acme');
    for (const name of APP_POLICY_NAMES) expect(get(objects, 'NetworkPolicy', name).metadata.namespace).toBe('acme');
    // The tenant's cluster-wide guard rail applies to the namespace the app lives in (acme).
    if (cniName === 'calico') {
      expect(get(objects, 'GlobalNetworkPolicy', 'tenant-isolation-acme').spec.namespaceSelector).toBe("tenant == 'acme'");
    } else if (cniName === 'cilium') {
      expect(get(objects, 'CiliumClusterwideNetworkPolicy', 'tenant-isolation-acme').spec.endpointSelector.matchLabels)
        .toEqual({ 'k8s:io.cilium.k8s.namespace.labels.tenant': 'acme' });
    } else {
      expect(objects.filter((o) => o.metadata.name.includes('tenant-isolation'))).toEqual([]);
    }
  });

  test('flows: ingress controller -> frontend -> backend -> database; another tenant and frontend -> database denied', () => {
    const cni = makeCni();
    const reach = Reachability.fromManifests(objects, { cni });
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    reach.addProbe('globex-app', 'globex', { app: 'web' }, { ports: [Port.tcp(8080)] });
    const controller = Target.workload('ingress-nginx', 'controller');
    const { frontend: fe, backend: be, database: db } = threeTierTargets('acme', 'shop');
    const otherTenant = Target.workload('globex', 'globex-app');

    expectThreeTierChain(reach, 'acme', 'shop', controller);
    expect(reach).toDeny(otherTenant, fe, Port.tcp(8080));
    expect(reach).toDeny(fe, otherTenant, Port.tcp(8080));
    for (const tier of [fe, be, db]) {
      expect(reach).toAllow(tier, Target.workload('kube-system', 'coredns'), Port.udp(53));
      expect(reach).toDeny(tier, Target.external('169.254.169.254'), Port.tcp(80));
    }
  });
});

describe('ThreeTierApp in an existing zeroTrustNamespace (errors name the construct path and the prop)', () => {
  test('an existing ZeroTrustNamespace works outside TenantIsolation too', () => {
    const chart = chartWith(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    const app = new ThreeTierApp(chart, 'shop', { ...IN_TENANT, zeroTrustNamespace: ns, labels: { team: 'payments' } });
    const objects = synthValid(chart);
    expect(app.namespace).toBe('payments');
    // labels go on the app's objects, never on the namespace the app did not create
    expect(get(objects, 'Deployment', 'shop-frontend').metadata.labels.team).toBe('payments');
    expect(get(objects, 'Namespace', 'payments').metadata.labels.team).toBeUndefined();
    // The tier policies are registered on the namespace (what the one-app-per-namespace check reads) and emitted into it.
    expect(ns.policy('shop-frontend-to-backend')?.apiObjects.map((o) => o.name)).toEqual(['shop-frontend-to-backend']);
    expect(get(objects, 'NetworkPolicy', 'shop-frontend-to-backend').metadata.namespace).toBe('payments');
  });

  test('namespace and zeroTrustNamespace together', () => {
    const chart = chartWith(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    expect(() => new ThreeTierApp(chart, 'shop', { ...IN_TENANT, namespace: 'payments', zeroTrustNamespace: ns })).toThrow(
      "[test/shop] namespace: omit it with zeroTrustNamespace: the app lives in the zero-trust namespace 'payments'");
  });

  test('createNamespace with zeroTrustNamespace', () => {
    const chart = chartWith(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    expect(() => new ThreeTierApp(chart, 'shop', { ...IN_TENANT, createNamespace: false, zeroTrustNamespace: ns })).toThrow(
      "[test/shop] createNamespace: omit it with zeroTrustNamespace: 'payments' is created (or not) by test/payments");
  });

  test('neither namespace nor zeroTrustNamespace', () => {
    expect(() => new ThreeTierApp(chartWith(Cni.kubernetes()), 'shop', IN_TENANT)).toThrow(
      '[test/shop] namespace: is required (or pass zeroTrustNamespace)');
  });

  test('a tenant namespace with allow-same-tenant (the TenantIsolation default) is refused', () => {
    const chart = chartWith(Cni.calico());
    const tenants = new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    expect(() => new ThreeTierApp(chart, 'shop', { ...IN_TENANT, zeroTrustNamespace: tenants.tenantNamespaces.acme[0] })).toThrow(
      "[test/shop] zeroTrustNamespace: 'acme' has allows that apply to every pod of the namespace, the database included: "
      + "'allow-same-tenant' (ingress from pods {} in namespaces {tenant=acme} on every port; egress to pods {} in namespaces "
      + '{tenant=acme} on every port). The database must be reachable only from the backend and reach nothing but DNS: create the '
      + 'namespace without them (ZeroTrustNamespace allowSameNamespace, monitoringPorts, ingressControllerPorts; TenantIsolation '
      + "allowSameTenant: false, allowInternetEgress: false) and allow what a tier needs for that tier, e.g. zeroTrustNamespace.allowEgress('shop-backend-internet', "
      + 'app.podLabels(AppTier.BACKEND), [Peer.internet()], [Port.tcp(443)])');
  });

  test('a namespace with allowSameNamespace is refused', () => {
    const chart = chartWith(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'payments', { name: 'payments', allowSameNamespace: true });
    expect(() => new ThreeTierApp(chart, 'shop', { ...IN_TENANT, zeroTrustNamespace: ns })).toThrow(
      "[test/shop] zeroTrustNamespace: 'payments' has allows that apply to every pod of the namespace, the database included: "
      + "'allow-same-namespace' (ingress from pods {} in the same namespace on every port; egress to pods {} in the same namespace on every port).");
  });

  test('a second app of the same name in the same zero-trust namespace', () => {
    const { chart, tenants } = tenantChart(Cni.kubernetes());
    expect(() => new ThreeTierApp(chart, 'shop2', { ...IN_TENANT, name: 'shop', zeroTrustNamespace: tenants.tenantNamespaces.acme[0] })).toThrow(
      "[test/shop2] metadata.name: Deployment 'shop-frontend' in namespace 'acme' is already emitted by 'test/shop'; give one of them another name");
  });

  test.each([
    ['kubernetes', () => Cni.kubernetes()],
    ['calico', () => Cni.calico()],
    ['cilium', () => Cni.cilium()],
  ])('two apps of different names share a zero-trust namespace on %s: each chain holds, no hop crosses apps', (_name, makeCni) => {
    const cni = makeCni();
    const { chart, tenants } = tenantChart(cni);
    new ThreeTierApp(chart, 'blog', { ...IN_TENANT, name: 'blog', host: 'blog.acme.example.com', zeroTrustNamespace: tenants.tenantNamespaces.acme[0] });
    const objects = synthValid(chart);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1').map((o) => o.metadata.name);
    for (const app of ['shop', 'blog']) {
      for (const tierPolicy of TIER_POLICY_NAMES) expect(policies).toContain(tierPolicy.replace(/^shop-/, `${app}-`));
    }
    // One HTTP-01 solver policy for the namespace, not one per app.
    expect(policies.filter((n) => n === ACME_SOLVER_POLICY)).toHaveLength(1);

    const reach = Reachability.fromManifests(objects, { cni });
    const controller = Target.pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    expectThreeTierChain(reach, 'acme', 'shop', controller);
    expectThreeTierChain(reach, 'acme', 'blog', controller);
    const shop = threeTierTargets('acme', 'shop');
    const blog = threeTierTargets('acme', 'blog');
    expect(reach).toDeny(blog.frontend, shop.backend, Port.tcp(8080));
    expect(reach).toDeny(shop.frontend, blog.backend, Port.tcp(8080));
    expect(reach).toDeny(blog.backend, shop.database, Port.tcp(5432));
    expect(reach).toDeny(shop.backend, blog.database, Port.tcp(5432));
  });

  test('a zero-trust namespace of another App', () => {
    const other = chartWith(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(other, 'payments', { name: 'payments' });
    expect(() => new ThreeTierApp(chartWith(Cni.kubernetes()), 'shop', { ...IN_TENANT, zeroTrustNamespace: ns })).toThrow(
      '[test/shop] zeroTrustNamespace: test/payments belongs to another cdk8s App');
  });
});

describe('ThreeTierApp options', () => {
  test('custom ports flow into containers, Services, probes, the Ingress and the policies', () => {
    const objects = synth(Cni.kubernetes(), {
      frontend: { image: 'web:1', port: 3000 },
      backend: { image: 'api:1', port: 9000 },
      database: { image: 'mysql:8', port: 3306 },
    });
    expect(get(objects, 'NetworkPolicy', 'shop-frontend-allow-ingress-controller').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
    expect(get(objects, 'NetworkPolicy', 'shop-frontend-to-backend').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    expect(get(objects, 'NetworkPolicy', 'shop-backend-from-frontend').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
    expect(get(objects, 'NetworkPolicy', 'shop-backend-to-database').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    expect(get(objects, 'NetworkPolicy', 'shop-database-from-backend').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    expect(podSpec(get(objects, 'Deployment', 'shop-backend')).containers[0].readinessProbe.httpGet.port).toBe(9000);
    expect(podSpec(get(objects, 'StatefulSet', 'shop-database')).containers[0].livenessProbe.tcpSocket.port).toBe(3306);
    expect(get(objects, 'Service', 'shop-frontend').spec.ports[0]).toMatchObject({ port: 3000, targetPort: 3000 });
    expect(get(objects, 'Ingress', 'shop').spec.rules[0].http.paths[0].backend.service.port).toEqual({ number: 3000 });
  });

  test('equal ports on every tier are fine', () => {
    const objects = synth(Cni.kubernetes(), {
      frontend: { image: 'web:1', port: 8080 },
      backend: { image: 'api:1', port: 8080 },
      database: { image: 'db:1', port: 8080 },
    });
    expect(get(objects, 'NetworkPolicy', 'shop-database-from-backend').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    // Still no frontend -> database path, even on the shared port.
    const netpols = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(netpolAllows(netpols, 'shop', FRONTEND, DATABASE, 8080)).toBe(false);
    expect(netpolAllows(netpols, 'shop', BACKEND, DATABASE, 8080)).toBe(true);
  });

  test('createNamespace: false keeps default-deny-all and allow-dns but emits no Namespace', () => {
    const objects = synth(Cni.kubernetes(), { createNamespace: false });
    expect(objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(get(objects, 'NetworkPolicy', 'default-deny-all').metadata.namespace).toBe('shop');
    expect(get(objects, 'NetworkPolicy', 'allow-dns').metadata.namespace).toBe('shop');
  });

  test('ingress options: class, issuer, secret, no redirect (explicit "false"), limit-rps', () => {
    const ing = get(synth(Cni.kubernetes(), {
      ingress: { className: 'internal-nginx', clusterIssuer: 'corp-ca', tlsSecretName: 'shop-cert', sslRedirect: false, limitRps: 20 },
    }), 'Ingress', 'shop');
    expect(ing.metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'corp-ca',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'false',
      'nginx.ingress.kubernetes.io/limit-rps': '20',
    });
    expect(ing.spec.ingressClassName).toBe('internal-nginx');
    expect(ing.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-cert' }]);
  });

  test('ingress.allowAcmeHttp01Solver: false (DNS-01 issuers) drops the solver allow', () => {
    const objects = synth(Cni.kubernetes(), { ingress: { allowAcmeHttp01Solver: false } });
    expect(tryGet(objects, 'NetworkPolicy', 'acme-solver-allow-ingress-controller')).toBeUndefined();
    expect(get(objects, 'NetworkPolicy', 'shop-frontend-allow-ingress-controller').spec.podSelector).toEqual({ matchLabels: FRONTEND });
  });

  test('name prop: object names, labels and TLS secret follow it', () => {
    const objects = synth(Cni.kubernetes(), { name: 'store' });
    const labels = { 'app.kubernetes.io/name': 'store', 'app.kubernetes.io/component': 'backend', 'app.kubernetes.io/part-of': 'store' };
    expect(get(objects, 'Service', 'store-backend').spec.selector).toEqual(labels);
    expect(get(objects, 'NetworkPolicy', 'store-backend-from-frontend').spec.podSelector).toEqual({ matchLabels: labels });
    expect(tryGet(objects, 'NetworkPolicy', 'shop-backend-from-frontend')).toBeUndefined();
    expect(get(objects, 'Ingress', 'store').spec.tls[0].secretName).toBe('store-tls');
  });

  test('a name starting with a digit is refused: the Services would not be DNS-1035 labels', () => {
    expect(() => synth(Cni.kubernetes(), { name: '0shop' }))
      .toThrow("[test/shop] name: '0shop' must start with a letter: the app's Services ('0shop-frontend', ...) are DNS-1035 labels");
  });

  test('database storage, storage class, replicas (PDB), env and envFromSecret', () => {
    const objects = synth(Cni.kubernetes(), {
      database: {
        image: 'postgres:16.4',
        storage: Size.mebibytes(1536),
        storageClassName: 'fast-ssd',
        replicas: 3,
        env: { POSTGRES_DB: 'shop' },
        envFromSecret: 'shop-db-credentials',
      },
    });
    const sts = get(objects, 'StatefulSet', 'shop-database');
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '1536Mi' } },
    });
    const c = podSpec(sts).containers[0];
    expect(c.env).toEqual([{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }, { name: 'POSTGRES_DB', value: 'shop' }]);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'shop-db-credentials' } }]);
    expect(get(objects, 'PodDisruptionBudget', 'shop-database').spec).toEqual({ minAvailable: 1, selector: { matchLabels: DATABASE } });
  });

  test('replicas: 1 on the frontend means no frontend PDB (it would block every drain)', () => {
    const objects = synth(Cni.kubernetes(), { frontend: { image: 'web:1', replicas: 1 } });
    expect(tryGet(objects, 'PodDisruptionBudget', 'shop-frontend')).toBeUndefined();
    expect(get(objects, 'PodDisruptionBudget', 'shop-backend').spec).toEqual({ minAvailable: 1, selector: { matchLabels: BACKEND } });
  });

  test('resources override per field; health path; writable root filesystem on request', () => {
    const objects = synth(Cni.kubernetes(), {
      backend: {
        image: 'api:1',
        healthCheckPath: '/ready',
        readOnlyRootFilesystem: false,
        resources: { memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
      },
    });
    const c = podSpec(get(objects, 'Deployment', 'shop-backend')).containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    expect(c.securityContext.readOnlyRootFilesystem).toBe(false);
  });

  test('database without writable paths still mounts its data volume; custom mount path moves PGDATA', () => {
    const objects = synth(Cni.kubernetes(), { database: { image: 'postgres:16.4', writablePaths: [], dataMountPath: '/data' } });
    const spec = podSpec(get(objects, 'StatefulSet', 'shop-database'));
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    // Only the database reserves the volume name `data`.
    const fe = podSpec(get(synth(Cni.kubernetes(), { frontend: { image: 'web:1', writablePaths: ['/data'] } }), 'Deployment', 'shop-frontend'));
    expect(fe.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(spec.containers[0].env).toEqual([{ name: 'PGDATA', value: '/data/pgdata' }]);
    expect(spec.volumes).toBeUndefined();
  });

  test('extra labels go on objects and pods but never into selectors', () => {
    const objects = synth(Cni.kubernetes(), { labels: { team: 'payments' } });
    const dep = get(objects, 'Deployment', 'shop-frontend');
    expect(dep.metadata.labels.team).toBe('payments');
    expect(dep.spec.template.metadata.labels.team).toBe('payments');
    expect(dep.spec.selector).toEqual({ matchLabels: FRONTEND });
    expect(get(objects, 'Service', 'shop-frontend').spec.selector).toEqual(FRONTEND);
    expect(get(objects, 'Namespace', 'shop').metadata.labels.team).toBe('payments');
  });

  test('podLabels() gives the tier labels; frontend/database are the cdk8s-plus workloads; tier policies are registered on the namespace', () => {
    const chart = chartWith(Cni.kubernetes());
    const app = new ThreeTierApp(chart, 'shop', MINIMAL);
    expect(app.podLabels(AppTier.DATABASE)).toEqual(DATABASE);
    expect(app.frontend).toBeInstanceOf(kplus.Deployment);
    expect(app.database).toBeInstanceOf(kplus.StatefulSet);
    expect(app.zeroTrustNamespace.policy('shop-backend-to-database')?.apiObjects.map((o) => o.name)).toEqual(['shop-backend-to-database']);
  });
});

describe('ThreeTierApp validation: errors name the construct path and the prop', () => {
  const build = (props: Partial<ThreeTierAppProps>) => () => {
    const chart = chartWith(Cni.kubernetes());
    new ThreeTierApp(chart, 'shop', { ...MINIMAL, ...props });
  };

  test('frontend.port 70000 is outside 1-65535', () => {
    expect(build({ frontend: { image: 'web:1', port: 70000 } })).toThrow('[test/shop] frontend.port: port 70000 is outside 1-65535');
  });

  test.each([
    ['database.port', { database: { image: 'db:1', port: 0 } }],
    ['backend.port', { backend: { image: 'api:1', port: 80.5 } }],
    ['backend.replicas', { backend: { image: 'api:1', replicas: 0 } }],
    ['frontend.image', { frontend: { image: '' } }],
    ['frontend.image', { frontend: { image: 'web app:1' } }],
    ['database.runAsUser', { database: { image: 'db:1', runAsUser: 0 } }],
    ['frontend.healthCheckPath', { frontend: { image: 'web:1', healthCheckPath: 'healthz' } }],
    ['backend.env', { backend: { image: 'api:1', env: { '1BAD': 'x' } } }],
    ['database.storage', { database: { image: 'db:1', storage: Size.kibibytes(0) } }],
    ['frontend.resources.cpu', { frontend: { image: 'web:1', resources: { cpu: { request: '800m', limit: '500m' } } } }],
    ['ingress.limitRps', { ingress: { limitRps: 0 } }],
    ['frontend.writablePaths[1]', { frontend: { image: 'web:1', writablePaths: ['/tmp', '/tmp/'] } }],
    ['database.writablePaths[0]', { database: { image: 'db:1', writablePaths: ['/data'] } }],
    ['database.dataMountPath', { database: { image: 'db:1', dataMountPath: 'var/lib/data' } }],
    ['ingress.tlsSecretName', { ingress: { tlsSecretName: 'Bad_Secret' } }],
    ['labels', { labels: { 'app.kubernetes.io/component': 'x' } }],
    ['namespace', { namespace: 'Shop_1' }],
    ['name', { name: 'bad.name' }],
    ['name', { name: 'a'.repeat(44) }],
    ['host', { host: '*.example.com' }],
    ['host', { host: 'localhost' }],
    ['host', { host: 'Shop.Example.com' }],
    ['host', { host: 'https://shop.example.com' }],
  ] as Array<[string, Partial<ThreeTierAppProps>]>)('%s: %j', (prop, props) => {
    expect(build(props)).toThrow(`[test/shop] ${prop}: `);
  });

  test('a 43-character name is accepted: the StatefulSet controller-revision-hash label value exactly fills 63 characters', () => {
    const name = 'a'.repeat(43);
    const sts = get(synth(Cni.kubernetes(), { name }), 'StatefulSet', `${name}-database`);
    // The StatefulSet controller labels each pod with `<statefulset name>-<10-character hash>`; label values allow 63.
    expect(`${sts.metadata.name}-${'h'.repeat(10)}`).toHaveLength(63);
  });

  test('two apps in one namespace collide on the fixed policy names with a clear error', () => {
    const chart = chartWith(Cni.kubernetes());
    new ThreeTierApp(chart, 'shop', MINIMAL);
    expect(() => new ThreeTierApp(chart, 'blog', { ...MINIMAL, createNamespace: false }))
      .toThrow(/NetworkPolicy 'default-deny-all' in namespace 'shop' is already emitted by 'test\/shop\/Namespace\/default-deny-all'/);
  });
});

describe('ThreeTierApp refuses props that would open a tier or that Kubernetes would reject only at apply or pod start', () => {
  const build = (props: Partial<ThreeTierAppProps>, cni: Cni = Cni.kubernetes()) => () => {
    const chart = chartWith(cni);
    new ThreeTierApp(chart, 'shop', { ...MINIMAL, ...props });
  };

  test('the cert-manager HTTP-01 solver label is reserved: the solver policy selects every pod carrying it', () => {
    expect(build({ labels: { 'acme.cert-manager.io/http01-solver': 'true' } })).toThrow(
      "[test/shop] labels: 'acme.cert-manager.io/http01-solver' is set by ThreeTierApp or cert-manager (policies and Services select on it)");
  });

  test('a zeroTrustNamespace with allow-ingress-controller is refused: it lets the controller reach the database', () => {
    const chart = chartWith(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', ingressControllerPorts: [Port.tcp(5432)] });
    expect(() => new ThreeTierApp(chart, 'shop', { ...MINIMAL, namespace: undefined, zeroTrustNamespace: ns })).toThrow(
      "[test/shop] zeroTrustNamespace: 'shop' has allows that apply to every pod of the namespace, the database included: "
      + "'allow-ingress-controller' (ingress from ingress controller on TCP/5432).");
  });

  test.each([
    [['/tmp', '/var/lib/postgresql/data'], 1],
    [['/var/lib/postgresql'], 0],
    [['/tmp', '/var/lib/postgresql/data/wal'], 1],
    [['/var/lib/postgresql/data/'], 0],
  ])('database.writablePaths %j nesting with dataMountPath is refused', (paths, index) => {
    expect(build({ database: { image: 'postgres:16', writablePaths: paths } })).toThrow(
      `[test/shop] database.writablePaths[${index}]: '${paths[index]}' is or contains the data mount path '/var/lib/postgresql/data' (or lies inside it)`);
  });

  test('a writable path equal to a custom dataMountPath is refused', () => {
    expect(build({ database: { image: 'postgres:16', dataMountPath: '/tmp' } })).toThrow(
      "[test/shop] database.writablePaths[0]: '/tmp' is or contains the data mount path '/tmp'");
  });

  test('a writable path that only shares a prefix with dataMountPath is fine', () => {
    const objects = synth(Cni.kubernetes(), { database: { image: 'postgres:16', writablePaths: ['/var/lib/postgresql/database-tmp'] } });
    const mounts = podSpec(get(objects, 'StatefulSet', 'shop-database')).containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toEqual(['/var/lib/postgresql/database-tmp', '/var/lib/postgresql/data']);
  });

  test('only a request given: the default limit stays', () => {
    const objects = synth(Cni.kubernetes(), {
      frontend: { image: 'web:1', resources: { cpu: { request: '200m' }, memory: { request: Size.mebibytes(200) } } },
    });
    const c = podSpec(get(objects, 'Deployment', 'shop-frontend')).containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '200m', memory: '200Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  test('an empty requirement ({}) keeps the documented defaults, never a container without requests', () => {
    const objects = synth(Cni.kubernetes(), { frontend: { image: 'web:1', resources: { cpu: {}, memory: {} } } });
    const c = podSpec(get(objects, 'Deployment', 'shop-frontend')).containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  test('only a request above the default limit: an error naming the prop', () => {
    expect(build({ frontend: { image: 'web:1', resources: { memory: { request: Size.gibibytes(1) } } } })).toThrow(
      '[test/shop] frontend.resources.memory.request: 1Gi exceeds the default limit 256Mi; set resources.memory.limit too');
    expect(build({ database: { image: 'db:1', resources: { cpu: { request: '2' } } } })).toThrow(
      '[test/shop] database.resources.cpu.request: 2 exceeds the default limit 1; set resources.cpu.limit too');
  });

  test('CPU quantities in cores: 1.5 cores request, 2 cores limit', () => {
    const objects = synth(Cni.kubernetes(), { backend: { image: 'api:1', resources: { cpu: { request: '1.5', limit: '2' } } } });
    const c = podSpec(get(objects, 'Deployment', 'shop-backend')).containers[0];
    expect(c.resources).toEqual({ requests: { cpu: '1.5', memory: '128Mi' }, limits: { cpu: '2', memory: '256Mi' } });
  });

  test.each([
    [{ cpu: { request: 250 } }, 'frontend.resources.cpu.request', '250 is not a CPU quantity: millicores (\'250m\') or cores with at most 3 decimals (\'1\', \'1.5\')'],
    [{ cpu: { request: '0.0005' } }, 'frontend.resources.cpu.request', '"0.0005" is not a CPU quantity'],
    [{ cpu: { limit: '500 m' } }, 'frontend.resources.cpu.limit', '"500 m" is not a CPU quantity'],
    [{ memory: { limit: '256Mi' } }, 'frontend.resources.memory.limit', 'must be a Size (e.g. Size.mebibytes(256)), got the string \'256Mi\''],
    [{ cpu: { requests: '1' } }, 'frontend.resources.cpu.requests', 'unknown field (expected request, limit)'],
    [{ gpu: {} }, 'frontend.resources.gpu', 'unknown field (expected cpu, memory, ephemeralStorage)'],
    [{ memory: 'lots' }, 'frontend.resources.memory', 'must be an object, got the string \'lots\''],
    ['big', 'frontend.resources', 'must be an object, got the string \'big\''],
  ])('resources %j (from an untyped caller) fails naming the prop', (resources, prop, message) => {
    expect(build({ frontend: { image: 'web:1', resources: resources as any } })).toThrow(`[test/shop] ${prop}: ${message}`);
  });

  test('runAsUser is capped at 2147483647 (int32)', () => {
    expect(build({ backend: { image: 'api:1', runAsUser: 2147483648 } })).toThrow(
      '[test/shop] backend.runAsUser: 2147483648 exceeds 2147483647, the largest user id (int32)');
    const objects = synth(Cni.kubernetes(), { backend: { image: 'api:1', runAsUser: 2147483647 } });
    expect(podSpec(get(objects, 'Deployment', 'shop-backend')).securityContext.runAsUser).toBe(2147483647);
  });

  test.each(['10.0.0.1', '192.168.1.10'])('an IP address as host (%s) is refused', (host) => {
    expect(build({ host })).toThrow(`[test/shop] host: '${host}' is an IP address; an Ingress host must be a DNS name`);
  });

  const IMAGE_ERROR = 'is not a valid image reference: [registry[:port]/]path[:tag][@sha256:<64 hex digits>], path in lower case';
  test.each([
    'Nginx', 'nginx:', 'nginx:latest:1', 'nginx@sha256:abc', ':latest', 'nginx/', 'nginx:-bad', 'registry:5000/UPPER/app',
    'nginx@sha256:' + 'A'.repeat(64), 'shop//web', 'registry.example.com/', '-nginx', 'http://nginx',
    // go-digest: an unknown algorithm is unsupported, a known one needs its exact hex length; a bare image ID is no name.
    `nginx@md5:${'a'.repeat(32)}`, `nginx@sha512:${'a'.repeat(64)}`, 'a'.repeat(64), '[fd00::1/app', 'fd00::1/app',
  ])('image %p is refused', (image) => {
    expect(build({ frontend: { image } })).toThrow(`[test/shop] frontend.image: '${image}' ${IMAGE_ERROR}`);
  });

  test.each([
    'nginx', 'nginx:1.27-alpine', 'library/nginx', 'registry.example.com:5000/shop/web_app:1.0', 'localhost/web:dev',
    'REGISTRY.example.com/x', `ghcr.io/org/app@sha256:${'a'.repeat(64)}`, `app:1@sha256:${'0'.repeat(64)}`, 'my-org/my__app.v2',
    // distribution/reference (the kubelet since 1.29): sha384/sha512 digests and a bracketed IPv6 registry.
    `ghcr.io/org/app@sha512:${'b'.repeat(128)}`, `ghcr.io/org/app:1@sha384:${'c'.repeat(96)}`, '[fd00::1]:5000/shop/web:1', '[2001:db8::1]/web',
  ])('image %p is accepted', (image) => {
    const objects = synth(Cni.kubernetes(), { frontend: { image } });
    expect(podSpec(get(objects, 'Deployment', 'shop-frontend')).containers[0].image).toBe(image);
  });

  test.each([
    [{ A: 5 }, 'A', 'the number 5'],
    [{ B: true }, 'B', 'the boolean true'],
    [{ C: undefined }, 'C', 'undefined'],
    [{ D: null }, 'D', 'null'],
  ])('env %j: values must be strings', (env, key, got) => {
    expect(build({ frontend: { image: 'web:1', env: env as any } })).toThrow(`[test/shop] frontend.env.${key}: must be a string, got ${got}`);
  });

  test.each([
    ['memory', 'request', { memory: { request: Size.kibibytes(512), limit: Size.mebibytes(1) } }, '512Ki', 'Mi'],
    ['memory', 'limit', { memory: { request: Size.mebibytes(1), limit: Size.gibibytes(0.1) } }, '0.1Gi', 'Mi'],
    ['ephemeralStorage', 'request', { ephemeralStorage: { request: Size.mebibytes(512) } }, '512Mi', 'Gi'],
  ] as Array<[string, string, TierResources, string, string]>)('%s.%s not a whole number of the unit cdk8s-plus writes', (what, field, resources, shown, unit) => {
    expect(build({ frontend: { image: 'web:1', resources } })).toThrow(
      `[test/shop] frontend.resources.${what}.${field}: ${shown} is not a whole number of ${unit} (cdk8s-plus-27 writes it in ${unit})`);
  });
});
