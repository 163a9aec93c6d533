/**
 * A Calico policy whose serviceAccountSelector tests ServiceAccount labels the manifests do not give
 * (the analyzer knows a pod's ServiceAccount name only, as projectcalico.org/name): the policy may
 * select pods the rest of it matches, so their flows are indeterminate where it could change them.
 */
import { Cni, Port, Reachability, Target, Verdict } from '../../../src';

const pod = (ns: string, name: string, serviceAccountName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: { serviceAccountName, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] },
});
const gnp = (spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'p' }, spec });
const pods = [pod('a', 'web', 'web-sa'), pod('b', 'cli', 'cli-sa')];
const CLI = Target.pod('b', { app: 'cli' });
const WEB = Target.pod('a', { app: 'web' });
const check = (policy: any) => Reachability.fromManifests([...pods, policy], { cni: Cni.calico() }).check(CLI, WEB, Port.tcp(8080));

describe('Calico serviceAccountSelector on ServiceAccount labels', () => {
  test('an egress Deny for pods whose ServiceAccount has role=frontend: the client may be one, so indeterminate with the reason', () => {
    const result = check(gnp({ serviceAccountSelector: "role == 'frontend'", types: ['Egress'], egress: [{ action: 'Deny' }] }));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.egress.uncertainties).toEqual(['GlobalNetworkPolicy p may select the source by its ServiceAccount\'s labels, which are not known']);
  });

  test('decided by the name alone, or other selectors ruling the pod out: exact', () => {
    // The name is known: cli-sa is not web-sa, and the rest of the selector is ANDed.
    expect(check(gnp({ serviceAccountSelector: "projectcalico.org/name == 'web-sa'", types: ['Egress'], egress: [{ action: 'Deny' }] })).verdict)
      .toBe(Verdict.ALLOW);
    expect(check(gnp({ serviceAccountSelector: "projectcalico.org/name == 'cli-sa'", types: ['Egress'], egress: [{ action: 'Deny' }] })).verdict)
      .toBe(Verdict.DENY);
    // The policy's selector does not match the client whatever its ServiceAccount.
    expect(check(gnp({ selector: "app == 'other'", serviceAccountSelector: "role == 'frontend'", types: ['Egress'], egress: [{ action: 'Deny' }] })).verdict)
      .toBe(Verdict.ALLOW);
    // The name already selects it: the Deny applies for certain.
    expect(check(gnp({ serviceAccountSelector: "projectcalico.org/name == 'cli-sa' || role == 'x'", types: ['Egress'], egress: [{ action: 'Deny' }] })).verdict)
      .toBe(Verdict.DENY);
  });
});
