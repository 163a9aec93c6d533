/**
 * Input that could not be read (a file that cannot be read, a document that is not valid YAML) may
 * hold any policy: a deny, an allow, a cluster-wide policy, a mesh authorization. `fromYamlFiles`
 * answers every flow a policy could change indeterminate, with the file and line, and a note, never
 * a verdict as if the input did not exist. A document that parses but has no `kind` (a values file)
 * cannot be a policy: it stays a problem and changes no verdict.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { authorizationPolicy, ISTIO_SIDECAR, namespace, workload } from './mesh/support';
import { Reachability } from '../../src/analysis/reachability';
import { ReachabilityOptions } from '../../src/analysis/reachability-options';
import { Target } from '../../src/analysis/target';
import { skippedInputUncertainties } from '../../src/analysis/uncertainty/skipped-input';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';

const cni = Cni.kubernetes();
const HTTP = Port.tcp(8080);
const web = Target.workload('shop', 'web');
const api = Target.workload('shop', 'api');

/** JSON is YAML: one document per object. */
function yaml(...objects: any[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n---\n') + '\n';
}

const WORKLOADS = yaml(namespace('shop'), workload('shop', 'web'), workload('shop', 'api'));
const DEFAULT_DENY = yaml({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
});
/** An allow-all policy whose line 3 opens a flow sequence that never closes: not valid YAML. */
const BROKEN = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: allow-all, namespace: [shop }\n'
  + 'spec: { podSelector: {}, ingress: [{}], egress: [{}] }\n';
const BROKEN_ERROR = 'Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 47';

function withFiles(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-skipped-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The reasons of a side made indeterminate by `what`. */
function whys(what: string): { source: string; destination: string } {
  return {
    source: `${what} and was skipped: it may hold a policy that selects the source`,
    destination: `${what} and was skipped: it may hold a policy that selects the destination`,
  };
}

describe('Reachability.fromYamlFiles: input that could not be read leaves every verdict a policy could change indeterminate', () => {
  test('a default deny and an invalid YAML document: every flow is indeterminate with the file and line, and a note', () => {
    withFiles({ 'workloads.yaml': WORKLOADS, 'deny.yaml': DEFAULT_DENY, 'broken.yaml': BROKEN }, (dir) => {
      const reach = Reachability.fromYamlFiles([dir], { cni });
      const file = path.join(dir, 'broken.yaml');
      const why = whys(`${file}: line 3 is not valid YAML`);
      expect(reach.problems).toEqual([`${file}: document 1: invalid YAML at line 3: ${BROKEN_ERROR}`]);
      expect(reach.notes).toEqual([
        `${file}: line 3 is not valid YAML (${BROKEN_ERROR}), so it was skipped: it may hold any policy (a NetworkPolicy, a cluster-wide `
        + 'or mesh policy), so every verdict a policy could change is indeterminate',
      ]);
      const result = reach.check(web, api, HTTP);
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.uncertainties).toEqual([why.source, why.destination]);
      // The default deny is still read: the reasons name it beside the skipped document.
      expect(result.egress.reasons).toEqual([
        'NetworkPolicy shop/default-deny isolates shop/web for egress and no rule allows to shop/api on TCP/8080',
        why.source,
      ]);
      // The matrix (one evaluation per class of pods) agrees with the pair evaluation.
      const flows = reach.matrix().flows.map((f) => [f.source, f.destination, f.port, f.verdict, f.reason]);
      const reason = `egress: ${why.source}; ingress: ${why.destination}`;
      expect(flows).toEqual([
        ['shop/api', 'shop/api', 'TCP/8080', Verdict.INDETERMINATE, reason],
        ['shop/api', 'shop/web', 'TCP/8080', Verdict.INDETERMINATE, reason],
        ['shop/web', 'shop/api', 'TCP/8080', Verdict.INDETERMINATE, reason],
        ['shop/web', 'shop/web', 'TCP/8080', Verdict.INDETERMINATE, reason],
      ]);
      // An external address is no policy's subject: only the pod's side is uncertain.
      const inbound = reach.check(Target.external('198.51.100.1'), api, HTTP);
      expect(inbound.verdict).toBe(Verdict.INDETERMINATE);
      expect(inbound.egress.verdict).toBe(Verdict.ALLOW);
      expect(inbound.uncertainties).toEqual([why.destination]);
      // Nodes may be selected (host endpoint policies): their side is uncertain too.
      expect(reach.check(Target.localNode(), api, HTTP).egress.uncertainties).toEqual([why.source]);
    });
  });

  test('the same manifests without the broken document: the default deny decides', () => {
    withFiles({ 'workloads.yaml': WORKLOADS, 'deny.yaml': DEFAULT_DENY }, (dir) => {
      const reach = Reachability.fromYamlFiles([dir], { cni });
      expect(reach.notes).toEqual([]);
      expect(reach.matrix().summary).toEqual({ endpoints: 2, classes: 2, flows: 4, allowed: 0, denied: 4, indeterminate: 0 });
    });
  });

  test('a values file (no kind) is only a problem: the verdicts are those without it', () => {
    withFiles({ 'workloads.yaml': WORKLOADS, 'deny.yaml': DEFAULT_DENY, 'values.yaml': 'replicaCount: 3\nimage: { tag: v1 }\n' }, (dir) => {
      const reach = Reachability.fromYamlFiles([dir], { cni });
      expect(reach.problems).toEqual([`${path.join(dir, 'values.yaml')}: document 1: not a Kubernetes object (no kind) at line 1, skipped`]);
      expect(reach.notes).toEqual([]);
      expect(reach.check(web, api, HTTP).verdict).toBe(Verdict.DENY);
      expect(reach.matrix().summary).toEqual({ endpoints: 2, classes: 2, flows: 4, allowed: 0, denied: 4, indeterminate: 0 });
    });
  });

  test('a file that cannot be read: indeterminate, naming the file', () => {
    withFiles({ 'workloads.yaml': WORKLOADS }, (dir) => {
      const missing = path.join(dir, 'policies.yaml');
      const reach = Reachability.fromYamlFiles([dir, missing], { cni });
      expect(reach.problems).toHaveLength(1);
      const error = reach.problems[0].replace(`${missing}: cannot read: `, '');
      expect(reach.notes).toEqual([
        `${missing} could not be read (${error}), so it was skipped: it may hold any policy (a NetworkPolicy, a cluster-wide `
        + 'or mesh policy), so every verdict a policy could change is indeterminate',
      ]);
      const result = reach.check(web, api, HTTP);
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      const why = whys(`${missing} could not be read`);
      expect(result.uncertainties).toEqual([why.source, why.destination]);
    });
  });

  test('a file name with a newline is escaped in the reasons and notes', () => {
    withFiles({ 'workloads.yaml': WORKLOADS, 'bro\nken.yaml': BROKEN }, (dir) => {
      const reach = Reachability.fromYamlFiles([dir], { cni });
      const shown = `${dir}/bro\\u000aken.yaml: line 3 is not valid YAML`;
      expect(reach.check(web, api, HTTP).uncertainties).toEqual([whys(shown).source, whys(shown).destination]);
      expect(reach.notes[0].startsWith(`${shown} (`)).toBe(true);
    });
  });

  test('a CNI that enforces no policy keeps its allows (nothing the document holds changes them), with the note', () => {
    withFiles({ 'workloads.yaml': WORKLOADS, 'broken.yaml': BROKEN }, (dir) => {
      const reach = Reachability.fromYamlFiles([dir], { cni: Cni.flannel() });
      expect(reach.check(web, api, HTTP).verdict).toBe(Verdict.ALLOW);
      expect(reach.notes).toEqual([
        `${dir}/broken.yaml: line 3 is not valid YAML (${BROKEN_ERROR}), so it was skipped: it may hold any policy (a NetworkPolicy, `
        + 'a cluster-wide or mesh policy), so every verdict a policy could change is indeterminate',
      ]);
    });
  });
});

describe('with a mesh, the skipped document may be an AuthorizationPolicy: the mesh verdict is indeterminate too', () => {
  const meshed = yaml(namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'web'), workload('shop', 'api'),
    authorizationPolicy('shop', 'allow-nothing', { action: 'ALLOW' }));
  const options = (c: Cni): ReachabilityOptions => ({ cni: c, mesh: ISTIO_SIDECAR });

  test.each([['kubernetes', Cni.kubernetes()], ['flannel', Cni.flannel()]])('%s: a mesh denial is no denial any more', (_name, c) => {
    withFiles({ 'meshed.yaml': meshed }, (dir) => {
      // Without the broken document, the mesh denies.
      expect(Reachability.fromYamlFiles([dir], options(c)).check(web, api, HTTP).verdict).toBe(Verdict.DENY);
    });
    withFiles({ 'meshed.yaml': meshed, 'broken.yaml': BROKEN }, (dir) => {
      const reach = Reachability.fromYamlFiles([dir], options(c));
      const result = reach.check(web, api, HTTP);
      const why = whys(`${dir}/broken.yaml: line 3 is not valid YAML`);
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.meshVerdict).toBe(Verdict.INDETERMINATE);
      expect(result.cniVerdict).toBe(c.capabilities.enforcesNetworkPolicy ? Verdict.INDETERMINATE : Verdict.ALLOW);
      const cniWhys = c.capabilities.enforcesNetworkPolicy ? [why.source, why.destination] : [];
      expect(result.uncertainties).toEqual([...cniWhys, `mesh: ${why.destination}`]);
      const flow = reach.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api')!;
      expect([flow.verdict, flow.cniVerdict, flow.meshVerdict]).toEqual([result.verdict, result.cniVerdict, result.meshVerdict]);
      expect(reach.notes.filter((n) => n.includes('broken.yaml'))).toHaveLength(1);
    });
  });
});

describe('skippedInputUncertainties', () => {
  test('applies to pods and nodes, not external addresses; can allow and deny both ways', () => {
    const [u] = skippedInputUncertainties([{ file: 'a.yaml', line: 2, error: 'bad' }]);
    const pod = { kind: 'pod' as const, name: 'shop/web', labels: {}, namespaceLabels: {}, hostNetwork: false, namedPorts: [] };
    for (const direction of ['ingress', 'egress'] as const) {
      expect(u.appliesTo(pod, direction)).toBe(true);
      expect(u.appliesTo({ ...pod, kind: 'node' }, direction)).toBe(true);
      expect(u.appliesTo({ ...pod, kind: 'external' }, direction)).toBe(false);
      expect([u.canAllow(direction), u.canDeny(direction)]).toEqual([true, true]);
    }
    expect(u.why('egress')).toBe('a.yaml: line 2 is not valid YAML and was skipped: it may hold a policy that selects the source');
  });
});
