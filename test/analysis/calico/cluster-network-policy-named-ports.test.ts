/**
 * ClusterNetworkPolicy rules with `destinationNamedPort` under Calico: libcalico-go's converter
 * (libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go, k8sCNPPortToCalicoFields: "named
 * ports are not supported yet") fails such a rule and then drops it (Accept) or replaces it with a
 * deny-all rule (Deny, Pass: k8sClusterNetPolHandleFailedRules). Not established for 3.32.1, so the
 * analyzer never lets such a rule decide alone: an Accept may or may not allow, a Pass may pass or
 * deny everything, a Deny denies what it matches either way and may deny everything else.
 */
import { evaluate, ingress, knp, pod } from './helpers';
import { MAYBE, NO, YES } from '../../../src/analysis/verdict';
import { expectValidManifests } from '../../support/schema';

const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10', namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
const invoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5' });
const webDenyAll = knp('shop', 'web-deny-all', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });

function namedPortPolicy(action: 'Accept' | 'Deny' | 'Pass', port: string) {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `${action.toLowerCase()}-${port}` },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      ingress: [{
        action,
        from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'billing' } } }],
        protocols: [{ destinationNamedPort: port }],
      }],
    },
  };
}

function outcome(manifests: any[]) {
  expectValidManifests(manifests);
  return evaluate(manifests, ingress(invoice, web, 8080));
}

describe('destinationNamedPort rules under Calico never decide alone', () => {
  test('an Accept on the named port the flow uses, before a default-deny: indeterminate (the rule may be dropped)', () => {
    const v = outcome([namedPortPolicy('Accept', 'http'), webDenyAll]);
    expect(v.outcome).toBe(MAYBE);
    expect((v.uncertain ?? []).join('\n')).toContain('ClusterNetworkPolicy accept-http spec.ingress[0] (Accept) uses destinationNamedPort');
  });

  test('a Deny on the named port the flow uses: denied either way', () => {
    expect(outcome([namedPortPolicy('Deny', 'http')]).outcome).toBe(NO);
  });

  test('a Deny on another named port: indeterminate (a deny-all replacement would deny this flow too)', () => {
    expect(outcome([namedPortPolicy('Deny', 'metrics')]).outcome).toBe(MAYBE);
  });

  test('a Pass on the named port: indeterminate (passed as written, denied by the replacement)', () => {
    expect(outcome([namedPortPolicy('Pass', 'http')]).outcome).toBe(MAYBE);
  });

  test('an Accept on another named port changes nothing', () => {
    expect(outcome([namedPortPolicy('Accept', 'metrics')]).outcome).toBe(YES);
  });
});
