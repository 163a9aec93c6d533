/**
 * `invalid-object`: every object the API server or the CNI rejects is an error, one finding per
 * problem with its JSON path, in YAML files and in the YAML blocks of Markdown (file:line), with
 * the same checks the reachability analyzer uses to leave such objects out.
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';

const YAML = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-web
spec:
  selector: app == 'web
  types: [Egress]
  egress:
    - action: Deny
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  endpointSelector: {}
  egress:
    - toEntities: [everything]
      toPorts:
        - ports:
            - port: "70000"
              protocol: TCP
`;

describe('invalid-object', () => {
  test('YAML: one error per problem, with object, path and line of the document', () => {
    const findings = PolicyLint.checkYaml(YAML, 'policies.yaml').filter((f) => f.rule === 'invalid-object');
    expect(brief(findings)).toEqual([
      { rule: 'invalid-object', severity: 'error', object: 'CiliumNetworkPolicy shop/web', path: 'spec.egress[0].toEntities[0]' },
      { rule: 'invalid-object', severity: 'error', object: 'CiliumNetworkPolicy shop/web', path: 'spec.egress[0].toPorts[0].ports[0].port' },
      { rule: 'invalid-object', severity: 'error', object: 'GlobalNetworkPolicy deny-web', path: 'spec.selector' },
    ]);
    expect(findings.map((f) => [f.source, f.line])).toEqual([['policies.yaml', 11], ['policies.yaml', 11], ['policies.yaml', 1]]);
    expect(findings[1].message).toBe('70000 is outside 0-65535: the API server or Cilium rejects the object, so none of it takes effect');
    expect(findings[2].message).toBe("invalid Calico selector 'app == 'web': unterminated string at position 7: Calico rejects the object, so none of it takes effect");
  });

  test('Markdown: the YAML blocks of a runbook are checked too, at their line', () => {
    const md = `# Runbook\n\nApply:\n\n\`\`\`yaml\n${YAML}\`\`\`\n`;
    const findings = PolicyLint.checkMarkdown(md, 'RUNBOOK.md').filter((f) => f.rule === 'invalid-object');
    expect(findings.map((f) => [f.object, f.path, f.source, f.line])).toEqual([
      ['CiliumNetworkPolicy shop/web', 'spec.egress[0].toEntities[0]', 'RUNBOOK.md', 16],
      ['CiliumNetworkPolicy shop/web', 'spec.egress[0].toPorts[0].ports[0].port', 'RUNBOOK.md', 16],
      ['GlobalNetworkPolicy deny-web', 'spec.selector', 'RUNBOOK.md', 6],
    ]);
  });

  test('valid objects and kinds the analyzer does not read give no finding', () => {
    expect(PolicyLint.check([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 1 } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'ok', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    ]).filter((f) => f.rule === 'invalid-object')).toEqual([]);
  });
});
