import { brief } from './support';
import { Cni } from '../../src/cluster/cni';
import { IpFamily } from '../../src/cluster/ip-family';
import { LintFinding, LintSeverity, PolicyLint } from '../../src/lint';
import { validYaml } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

/** A best-practice manifest set, as a platform team would write it after reading NETWORKING-FACTS.md. */
const BEST_PRACTICE = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    istio-injection: enabled
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    - ipBlock: {cidr: 169.254.20.10/32}
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
    ports: [{protocol: TCP, port: 8080}]
  egress:
  - to:
    - ipBlock:
        cidr: 0.0.0.0/0
        except: [169.254.169.254/32, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
    ports: [{protocol: TCP, port: 443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {cert-manager.io/cluster-issuer: letsencrypt}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: web-tls}]
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/ingress-nginx/sa/ingress-nginx]}}]
    to: [{operation: {methods: [GET, POST], paths: [/api/*]}}]
    when: [{key: 'request.headers[x-tenant]', values: [shop]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: shop}
spec:
  host: web
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    outlierDetection: {consecutive5xxErrors: 5, interval: 30s, baseEjectionTime: 30s}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: [web]
  http:
  - match: [{headers: {canary: {exact: "true"}}}]
    route: [{destination: {host: web, subset: v2}}]
  - route:
    - {destination: {host: web, subset: v1}, weight: 90}
    - {destination: {host: web, subset: v2}, weight: 10}
---
apiVersion: operator.tigera.io/v1
kind: Installation
metadata: {name: default}
spec:
  calicoNetwork:
    ipPools:
    - {cidr: 10.244.0.0/16, blockSize: 26, encapsulation: VXLANCrossSubnet, natOutgoing: Enabled, nodeSelector: all()}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-metadata}
spec:
  order: 10
  selector: all()
  namespaceSelector: "kubernetes.io/metadata.name not in {'kube-system', 'calico-system', 'tigera-operator'}"
  types: [Egress]
  egress:
  - {action: Deny, destination: {nets: [169.254.169.254/32]}}
  - {action: Pass}
`;

describe('PolicyLint API', () => {
  test('a best-practice manifest set yields zero findings (YAML, objects, Markdown, and with its CNI)', () => {
    // The set is what a cluster would accept: every object validates strictly against the pinned schemas.
    expect(validYaml(BEST_PRACTICE)).toHaveLength(12);
    expect(PolicyLint.checkYaml(BEST_PRACTICE, 'platform.yaml')).toEqual([]);
    expect(PolicyLint.checkMarkdown(`# Platform\n\nApply this:\n\n\`\`\`yaml\n${BEST_PRACTICE}\`\`\`\n`, 'README.md')).toEqual([]);
    expect(PolicyLint.checkYaml(BEST_PRACTICE, 'platform.yaml', { cni: Cni.calico() })).toEqual([]);
  });

  test('invalid YAML is one yaml-parse error, never a throw; the valid documents are still linted', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n';
    const findings = PolicyLint.checkYaml(text, 'bad.yaml');
    expect(brief(findings)).toEqual([
      // Sorted by object: upper-case kinds sort before 'document ...'.
      { rule: 'namespace-without-default-deny', severity: 'warning', object: 'Namespace b' },
      { rule: 'yaml-parse', severity: 'error', object: 'document 1 of bad.yaml' },
    ]);
    expect(findings[1].source).toBe('bad.yaml');
    expect(findings[0].line).toBe(5);
    expect(() => PolicyLint.checkYaml('{{ .Values.name }}: [')).not.toThrow();
    expect(brief(PolicyLint.checkYaml('{{ .Values.name }}: ['))).toEqual([{ rule: 'yaml-parse', severity: 'error', object: 'document 1 of input' }]);
  });

  test('the items of a kind: List (kubectl get -o yaml) are linted as objects, each at its own line', () => {
    const text = [
      'apiVersion: v1', //                                                   1
      'kind: List', //                                                       2
      'items:', //                                                           3
      '  - apiVersion: networking.k8s.io/v1', //                             4
      '    kind: NetworkPolicy', //                                          5
      '    metadata: { name: default-deny-all, namespace: payments }', //    6
      '    spec: { podSelector: {}, policyTypes: [Ingress, Egress] }', //    7
      '  - apiVersion: networking.k8s.io/v1', //                             8
      '    kind: NetworkPolicy', //                                          9
      '    metadata: { name: allow-dns, namespace: payments }', //          10
      '    spec:', //                                                       11
      '      podSelector: {}', //                                           12
      '      policyTypes: [Egress]', //                                     13
      '      egress:', //                                                   14
      '        - ports: [{ protocol: UDP, port: 53 }]', //                  15
      '',
    ].join('\n');
    const findings = PolicyLint.checkYaml(text, 'list.yaml');
    const udpOnly = findings.filter((f) => f.rule === 'dns-udp-only');
    expect(brief(udpOnly)).toEqual([{ rule: 'dns-udp-only', severity: 'error', object: 'NetworkPolicy payments/allow-dns', path: 'spec.egress[0].ports[0]' }]);
    expect(udpOnly[0].line).toBe(8);
    // Both items belong to the List, document 1; neither is mistaken for a namespace without default deny.
    expect(findings.filter((f) => f.rule === 'namespace-without-default-deny')).toEqual([]);
  });

  describe('options and arguments of the wrong type: a ValidationError naming the method and the option, never silently skipped rules', () => {
    /** A Cilium policy Calico does not read, open to the world on 443: two rules fire on it when the options are right. */
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { endpointSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] },
    };
    const rules = (findings: LintFinding[]) => findings.map((f) => f.rule);

    test('the right options make the CNI and family rules fire', () => {
      validYaml(JSON.stringify(cnp));
      expect(rules(PolicyLint.check([cnp], { cni: Cni.calico(), ipFamilies: [IpFamily.IPV4] })))
        // Sorted by path: the finding about the whole object first.
        .toEqual(['policy-on-unenforcing-cni', 'egress-world-includes-metadata']);
    });

    test('cni: a string, a look-alike, or a hand-built Cni that passes instanceof', () => {
      const choices = 'Cni.kubernetes(), Cni.calico(), Cni.cilium(), Cni.flannel({ acknowledgeUnenforcedPolicies: true }) or Cni.custom(name, capabilities)';
      const cases: Array<[unknown, string]> = [
        ['calico', `must be a Cni made by one of its factories: ${choices}, not the string 'calico'`],
        [null, `must be a Cni made by one of its factories: ${choices}, not null`],
        [{ kind: 'calico', capabilities: {} }, `must be a Cni made by one of its factories: ${choices}, not a plain object`],
        [Object.create(Cni.prototype), `must be a Cni made by one of its factories: ${choices}, not a hand-built object`],
        [Object.assign(Object.create(Cni.prototype), Cni.calico()), `must be a Cni made by one of its factories: ${choices}, not a hand-built object`],
      ];
      for (const [cni, reason] of cases) {
        for (const [site, lint] of [
          ['PolicyLint.check', () => PolicyLint.check([cnp], { cni } as any)],
          ['PolicyLint.checkYaml', () => PolicyLint.checkYaml(JSON.stringify(cnp), 'p.yaml', { cni } as any)],
          ['PolicyLint.checkMarkdown', () => PolicyLint.checkMarkdown(`\`\`\`yaml\n${JSON.stringify(cnp)}\n\`\`\`\n`, 'p.md', { cni } as any)],
        ] as const) {
          expect(validationErrorOf(lint).message).toBe(`[${site}] options.cni: ${reason}`);
        }
      }
    });

    test('ipFamilies: not a list, empty (no family would be checked), or a value that is not an IpFamily', () => {
      const cases: Array<[unknown, string, string]> = [
        ['IPv4', 'options.ipFamilies', "must be a list, got the string 'IPv4'"],
        [[], 'options.ipFamilies', 'must name at least one IP family (omit it when the families are unknown): '
          + 'with none, no destination would be checked against a metadata service'],
        // Lower case would have been read as IPv6, hiding the IPv4 metadata finding.
        [['ipv4'], 'options.ipFamilies[0]', "'ipv4' is not an IP family (one of IPv4, IPv6)"],
        [[IpFamily.IPV4, null], 'options.ipFamilies[1]', 'null is not an IP family (one of IPv4, IPv6)'],
      ];
      for (const [ipFamilies, prop, reason] of cases) {
        const e = validationErrorOf(() => PolicyLint.check([cnp], { ipFamilies } as any));
        expect([e.path, e.prop, e.reason]).toEqual(['PolicyLint.check', prop, reason]);
      }
    });

    test('the manifests, text, source and options themselves', () => {
      expect(validationErrorOf(() => PolicyLint.check('kind: NetworkPolicy' as any)).message)
        .toBe("[PolicyLint.check] manifests: must be a list, got the string 'kind: NetworkPolicy'");
      expect(validationErrorOf(() => PolicyLint.check([cnp], 'calico' as any)).message)
        .toBe("[PolicyLint.check] options: must be an object of options (or omitted), got the string 'calico'");
      expect(validationErrorOf(() => PolicyLint.checkYaml(undefined as any)).message).toBe('[PolicyLint.checkYaml] text: must be a string, got undefined');
      expect(validationErrorOf(() => PolicyLint.checkMarkdown(['# a'] as any)).message).toBe('[PolicyLint.checkMarkdown] text: must be a string, got an array of 1');
      expect(validationErrorOf(() => PolicyLint.checkYaml('', 42 as any)).message).toBe('[PolicyLint.checkYaml] source: must be a string, got the number 42');
      // A misspelt option would be ignored (ipFamily: no family checked as the caller meant).
      expect(validationErrorOf(() => PolicyLint.check([cnp], { ipFamily: [IpFamily.IPV6] } as any)).message)
        .toBe('[PolicyLint.check] options.ipFamily: unknown field (expected one of cni, ipFamilies, mesh, linkerdDefaultInboundPolicy, '
          + 'linkerdClusterNetworks, linkerdProbeNetworks, linkerdOpaquePorts); a misspelt field would be silently ignored');
      // Omitted options are still fine.
      expect(PolicyLint.check([], undefined)).toEqual([]);
    });
  });

  test('odd inputs do not crash: scalars, nulls, arrays, half-shaped policies', () => {
    const odd = [null, 42, 'text', [1, 2], { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1' },
      { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'x' }, spec: { egress: 'nope', ingress: [null, 3] } },
      { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'c' }, specs: [null, { egress: [{ toPorts: 'x' }] }] }];
    const findings = PolicyLint.check(odd as any[]);
    expect(findings.filter((f) => f.rule === 'lint-rule-failed')).toEqual([]);
  });

  test('checkMarkdown lints yaml and yml fences (also indented in lists), numbers documents across the file, ignores other languages', () => {
    const md = [
      '# Title', '', '```json', '{"kind": "Namespace"}', '```', '',
      '1. First', '   ```yml', '   apiVersion: networking.k8s.io/v1', '   kind: NetworkPolicy',
      '   metadata: {name: p, namespace: app}', '   spec: {podSelector: {}}', '   ```', '',
      '```yaml', 'not: [valid', '```', '',
    ].join('\n');
    const findings = PolicyLint.checkMarkdown(md, 'doc.md');
    expect(brief(findings)).toEqual([
      { rule: 'policy-types-omitted', severity: 'warning', object: 'NetworkPolicy app/p', path: 'spec' },
      { rule: 'yaml-parse', severity: 'error', object: 'document 2 of doc.md' },
    ]);
    expect(findings[0].line).toBe(9);
  });

  test('checkMarkdown reads YAML heredocs and cilium --set values in shell blocks', () => {
    const md = [
      '```bash',
      'cat <<EOF > np.yaml',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: p, namespace: app}',
      'spec: {podSelector: {}, ingress: [{}]}',
      'EOF',
      'helm upgrade --install cilium cilium/cilium --namespace kube-system \\',
      '  --set routingMode=tunnel,tunnel=geneve \\',
      '  --set kubeProxyReplacement=true',
      'helm install other bitnami/nginx --set tunnel=vxlan',
      '```',
    ].join('\n');
    const findings = PolicyLint.checkMarkdown(md, 'doc.md');
    expect(brief(findings)).toEqual([
      { rule: 'policy-types-omitted', severity: 'warning', object: 'NetworkPolicy app/p', path: 'spec' },
      { rule: 'cilium-tunnel-removed', severity: 'error', object: "command 'helm upgrade cilium/cilium' at line 8", path: 'tunnel' },
    ]);
    expect(findings[1].fix).toBe('set routingMode: tunnel and tunnelProtocol: geneve');
  });

  test('severities are the enum values', () => {
    expect([LintSeverity.ERROR, LintSeverity.WARNING, LintSeverity.INFO]).toEqual(['error', 'warning', 'info']);
  });
});
