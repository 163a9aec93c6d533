/**
 * What the analyzer does not evaluate exactly, seen from the command line: valid objects it cannot
 * evaluate (AdminNetworkPolicy v1alpha1, policies of another CNI than --cni, Cilium toServices) are
 * notes and make the flows they could change indeterminate, never denied; objects the API server or
 * the CNI rejects (bad Calico selector, bad CIDR, port out of range, unknown Cilium entity) are lint
 * errors with object and JSON path, notes in analyze, and the analysis runs without them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { cli } from './support';
import { expectValidManifests } from '../support/schema';

const WORKLOADS = `apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: c, image: nginx, ports: [{ containerPort: 80 }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: shop }
spec:
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: c, image: pg, ports: [{ containerPort: 5432 }] }] }
`;

/** Valid objects: a Calico deny into db, a Cilium toServices egress of web, an ANP v1alpha1 denying ingress everywhere. */
const UNEVALUATED = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-db, namespace: shop }
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress: [{ action: Deny }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web-svc, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
    - toServices: [{ k8sService: { serviceName: db, namespace: shop } }]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: anp }
spec:
  priority: 10
  subject: { namespaces: {} }
  ingress:
    - { name: deny-all, action: Deny, from: [{ namespaces: {} }] }
`;

/** Rejected objects; each would isolate web or db if it took effect. */
const INVALID = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: bad-cidr, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ ipBlock: { cidr: 10.0.0.300/8 } }] }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: bad-port, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress: [{ ports: [{ port: 70000 }] }]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: bad-selector }
spec:
  selector: app == 'web
  types: [Egress]
  egress: [{ action: Deny }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: bad-entity, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: db } }
  ingress: [{ fromEntities: [everything] }]
`;

function withDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-unevaluated-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `source>destination: verdict` of every flow of `analyze --format json`, and its notes. */
function analyzeJson(dir: string, cni: string): { verdicts: Record<string, string>; notes: string[]; doc: any } {
  const r = cli('analyze', dir, '--cni', cni, '--format', 'json');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout);
  const verdicts: Record<string, string> = {};
  for (const f of doc.flows) verdicts[`${f.source}>${f.destination}`] = f.verdict;
  return { verdicts, notes: doc.notes, doc };
}

const ANP_NOTE = 'AdminNetworkPolicy anp (policy.networking.k8s.io/v1alpha1) is not evaluated: whether and how the CNI enforces '
  + 'AdminNetworkPolicy v1alpha1 is unknown (ClusterNetworkPolicy v1alpha2 replaces it); flows of the pods it selects are '
  + 'indeterminate where its rules could change them';
const calicoNote = (cni: string) => `NetworkPolicy shop/deny-db (projectcalico.org/v3) is not evaluated: a Calico policy, analysed for the ${cni} CNI `
  + '(a cluster that runs Calico enforces it); flows of the endpoints it selects are indeterminate where it could change them';
const ciliumNote = (cni: string) => `CiliumNetworkPolicy shop/web-svc (cilium.io/v2) is not evaluated: a Cilium policy, analysed for the ${cni} CNI `
  + '(a cluster that runs Cilium enforces it); flows of the endpoints it selects are indeterminate where it could change them';
const TO_SERVICES_NOTE = 'CiliumNetworkPolicy shop/web-svc is evaluated in part: spec.egress[0].toServices (the Service backends are not resolved) '
  + 'is not modelled exactly; the flows it could change are indeterminate';

describe('valid objects the analyzer does not evaluate exactly: notes and indeterminate flows, never denied', () => {
  test('the objects are valid (but the ANP: no v1alpha1 schema is pinned, only ClusterNetworkPolicy v1alpha2)', () => {
    const objects = parseAllDocuments(WORKLOADS + '---\n' + UNEVALUATED).map((d) => d.toJS());
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'Deployment', 'Deployment', 'NetworkPolicy', 'CiliumNetworkPolicy', 'AdminNetworkPolicy']);
    expectValidManifests(objects.filter((o) => o.kind !== 'AdminNetworkPolicy'));
  });

  test('--cni kubernetes: the ANP, the Calico and the Cilium policy are notes; every flow they could change is indeterminate', () => {
    withDir({ 'workloads.yaml': WORKLOADS, 'policies.yaml': UNEVALUATED }, (dir) => {
      const { verdicts, notes, doc } = analyzeJson(dir, 'kubernetes');
      expect(verdicts).toEqual({
        'shop/db>shop/db': 'indeterminate', 'shop/db>shop/web': 'indeterminate', 'shop/web>shop/db': 'indeterminate', 'shop/web>shop/web': 'indeterminate',
      });
      expect(notes).toEqual([ANP_NOTE, calicoNote('kubernetes'), ciliumNote('kubernetes')]);
      const webToDb = doc.flows.find((f: any) => f.source === 'shop/web' && f.destination === 'shop/db');
      expect(webToDb.reason.split('; ')).toEqual([
        'egress: CiliumNetworkPolicy shop/web-svc selects the source and is not evaluated (a Cilium policy, analysed for the kubernetes CNI '
          + '(a cluster that runs Cilium enforces it))',
        'ingress: AdminNetworkPolicy anp selects the destination and is not evaluated (AdminNetworkPolicy v1alpha1): its rules may override NetworkPolicy',
        'ingress: NetworkPolicy shop/deny-db may select the destination and is not evaluated (a Calico policy, analysed for the kubernetes CNI '
          + '(a cluster that runs Calico enforces it))',
      ]);
    });
  });

  test('--cni calico: the Calico deny decides db\'s ingress (an ANP with Deny rules cannot open it); the rest is indeterminate', () => {
    withDir({ 'workloads.yaml': WORKLOADS, 'policies.yaml': UNEVALUATED }, (dir) => {
      const { verdicts, notes } = analyzeJson(dir, 'calico');
      expect(verdicts).toEqual({
        'shop/db>shop/db': 'deny', 'shop/db>shop/web': 'indeterminate', 'shop/web>shop/db': 'deny', 'shop/web>shop/web': 'indeterminate',
      });
      expect(notes).toEqual([ANP_NOTE, ciliumNote('calico')]);
    });
  });

  test('--cni cilium: toServices is a note naming its JSON path; the Calico policy is a policy of another CNI', () => {
    withDir({ 'workloads.yaml': WORKLOADS, 'policies.yaml': UNEVALUATED }, (dir) => {
      const { verdicts, notes, doc } = analyzeJson(dir, 'cilium');
      expect(Object.values(verdicts)).toEqual(['indeterminate', 'indeterminate', 'indeterminate', 'indeterminate']);
      expect(notes).toEqual([ANP_NOTE, calicoNote('cilium'), TO_SERVICES_NOTE]);
      const webToWeb = doc.flows.find((f: any) => f.source === 'shop/web' && f.destination === 'shop/web');
      expect(webToWeb.reason).toContain('egress: CiliumNetworkPolicy shop/web-svc spec.egress[0]: toServices is not modelled '
        + '(the Service backends are not resolved): it may select any destination');
    });
  });
});

describe('objects the API server or the CNI rejects: lint errors with object and JSON path, analyzed without them', () => {
  const NOTES = [
    "NetworkPolicy shop/bad-cidr is invalid and left out of the analysis (the API server rejects it, so it never takes effect): spec.ingress[0].from[0].ipBlock.cidr: '10.0.0.300/8' is not a valid CIDR",
    'NetworkPolicy shop/bad-port is invalid and left out of the analysis (the API server rejects it, so it never takes effect): spec.egress[0].ports[0].port: 70000 is outside 1-65535',
    "GlobalNetworkPolicy bad-selector is invalid and left out of the analysis (Calico rejects it, so it never takes effect): spec.selector: invalid Calico selector 'app == 'web': unterminated string at position 7",
    "CiliumNetworkPolicy shop/bad-entity is invalid and left out of the analysis (the API server or Cilium rejects it, so it never takes effect): spec.ingress[0].fromEntities[0]: 'everything' is not a Cilium entity (all, world, cluster, host, remote-node, kube-apiserver, ingress, init, health, unmanaged, none)",
  ];

  test.each(['kubernetes', 'calico', 'cilium'])('--cni %s: every flow as without them (allowed: nothing else selects the pods); a note each', (cni) => {
    withDir({ 'workloads.yaml': WORKLOADS, 'invalid.yaml': INVALID }, (dir) => {
      const { verdicts, notes } = analyzeJson(dir, cni);
      expect(verdicts).toEqual({ 'shop/db>shop/db': 'allow', 'shop/db>shop/web': 'allow', 'shop/web>shop/db': 'allow', 'shop/web>shop/web': 'allow' });
      expect(notes).toEqual(NOTES);
    });
  });

  test('lint: an invalid-object error per object, naming it and the JSON path, at its line', () => {
    withDir({ 'workloads.yaml': WORKLOADS, 'invalid.yaml': INVALID }, (dir) => {
      const r = cli('lint', dir, '--cni', 'kubernetes', '--format', 'json');
      expect(r.code).toBe(1);
      const invalid = JSON.parse(r.stdout).findings.filter((f: any) => f.rule === 'invalid-object')
        .map((f: any) => [path.basename(f.source), f.line, f.severity, f.object, f.path])
        .sort((a: any[], b: any[]) => a[1] - b[1]);
      expect(invalid).toEqual([
        ['invalid.yaml', 1, 'error', 'NetworkPolicy shop/bad-cidr', 'spec.ingress[0].from[0].ipBlock.cidr'],
        ['invalid.yaml', 9, 'error', 'NetworkPolicy shop/bad-port', 'spec.egress[0].ports[0].port'],
        ['invalid.yaml', 17, 'error', 'GlobalNetworkPolicy bad-selector', 'spec.selector'],
        ['invalid.yaml', 25, 'error', 'CiliumNetworkPolicy shop/bad-entity', 'spec.ingress[0].fromEntities[0]'],
      ]);
    });
  });
});
