import * as fs from 'fs';
import * as path from 'path';
import { Brief, brief } from './support';
import { PolicyLint } from '../../src/lint';

/**
 * The seed documents are the user's Markdown with known mistakes (NETWORKING-FACTS.md lists them).
 * Each expectation below was located by grepping the seeds; line numbers refer to the seed files.
 */
/** ../shared beside the checkout, as in CI. Missing seeds fail the suite: they are its corpus. */
const SEEDS = path.join(__dirname, '../../../shared/seeds');
const FILES = {
  s000: '000_f384b1f3605abd49.txt',
  s001: '001_7fc33cdeb783657f.txt',
  s002: '002_55a91a4f1f52c0f6.txt',
  s003: '003_4df321158f9bc23b.txt',
  s004: '004_9f64c51593500f57.txt',
};
const lint = (file: string) => PolicyLint.checkMarkdown(fs.readFileSync(path.join(SEEDS, file), 'utf8'), file);
const e = (rule: string, object: string, p?: string): Brief => ({ rule, severity: 'error', object, ...(p ? { path: p } : {}) });
const w = (rule: string, object: string, p?: string): Brief => ({ rule, severity: 'warning', object, ...(p ? { path: p } : {}) });

describe('seed corpus', () => {
  test('the seed documents are present beside the checkout', () => {
    expect(Object.values(FILES).filter((f) => !fs.existsSync(path.join(SEEDS, f)))).toEqual([]);
  });

  test('every seed lints without throwing, and no rule fails on them', () => {
    for (const file of Object.values(FILES)) {
      const findings = lint(file);
      expect(findings.filter((f) => f.rule === 'lint-rule-failed')).toEqual([]);
      expect(findings.every((f) => f.source === file && typeof f.line === 'number')).toBe(true);
    }
  });

  test('000: Calico deny-all-external (UDP-only DNS, all() scope), UDP-only NetworkPolicy DNS, KPR strict via cilium install', () => {
    expect(brief(lint(FILES.s000))).toEqual(expect.arrayContaining([
      e('dns-udp-only', 'GlobalNetworkPolicy deny-all-external', 'spec.egress[1]'),
      w('calico-deny-all-scope', 'GlobalNetworkPolicy deny-all-external', 'spec.selector'),
      e('dns-udp-only', 'NetworkPolicy production/allow-dns', 'spec.egress[0].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/allow-external-api', 'spec.egress[0].ports[0]'),
      e('cilium-kube-proxy-replacement-enum', "command 'cilium install' at line 545", 'kubeProxyReplacement'),
      { rule: 'deprecated-api-version', severity: 'info', object: 'VirtualService web', path: 'apiVersion' },
    ]));
  });

  test('001: helm --set kubeProxyReplacement=strict, policyTypes omitted in the heredoc manifest', () => {
    expect(brief(lint(FILES.s001))).toEqual(expect.arrayContaining([
      e('cilium-kube-proxy-replacement-enum', "command 'helm install cilium/cilium' at line 41", 'kubeProxyReplacement'),
      w('policy-types-omitted', 'NetworkPolicy frontend-backend-policy', 'spec'),
    ]));
  });

  test('002: Istio authz split into from/to/when rules without action, consecutiveErrors', () => {
    expect(brief(lint(FILES.s002))).toEqual(expect.arrayContaining([
      e('istio-authz-split-rules', 'AuthorizationPolicy ecommerce/ecommerce-authz', 'spec.rules'),
      w('istio-authz-missing-action', 'AuthorizationPolicy ecommerce/ecommerce-authz', 'spec'),
      e('istio-consecutive-errors', 'DestinationRule ecommerce/ecommerce-dr', 'spec.trafficPolicy.outlierDetection.consecutiveErrors'),
    ]));
    // Its Installation already uses natOutgoing: Enabled: not flagged.
    expect(brief(lint(FILES.s002), 'calico-nat-outgoing-enum')).toEqual([]);
  });

  test('003: name-label namespaceSelectors, UDP-only DNS, cilium tunnel (ConfigMap and --set), Ingress without TLS', () => {
    const findings = brief(lint(FILES.s003));
    expect(findings).toEqual(expect.arrayContaining([
      e('namespace-selector-name-label', 'NetworkPolicy production/allow-from-monitoring', 'spec.ingress[0].from[0].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy production/api-egress', 'spec.egress[0].to[0].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy production/frontend-netpol', 'spec.ingress[0].from[0].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy production/frontend-netpol', 'spec.egress[0].to[0].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy production/backend-netpol', 'spec.egress[0].to[0].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy production/database-netpol', 'spec.egress[0].to[0].namespaceSelector.matchLabels.name'),
      e('dns-udp-only', 'NetworkPolicy production/api-egress', 'spec.egress[0].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/frontend-netpol', 'spec.egress[0].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/backend-netpol', 'spec.egress[0].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/database-netpol', 'spec.egress[0].ports[0]'),
      e('cilium-tunnel-removed', 'ConfigMap kube-system/cilium-config', 'data.tunnel'),
      e('cilium-tunnel-removed', "command 'cilium install' at line 202", 'tunnel'),
      w('ingress-without-tls', 'Ingress web-ingress', 'spec'),
      w('ingress-without-tls', 'Ingress api-ingress', 'spec'),
    ]));
    // api-egress excepts the metadata IP: no metadata finding. Its IPPool (projectcalico.org/v3) natOutgoing: true is valid.
    expect(brief(lint(FILES.s003), 'egress-world-includes-metadata', 'calico-nat-outgoing-enum')).toEqual([]);
    // The block that starts with a kubectl command is not YAML: reported, not thrown.
    expect(brief(lint(FILES.s003), 'yaml-parse')).toContainEqual(e('yaml-parse', `document 2 of ${FILES.s003}`));
  });

  test('004: natOutgoing: true, name labels, UDP-only DNS, 0.0.0.0/0 excepting only 10/8, consecutiveErrors, AND/OR peers', () => {
    expect(brief(lint(FILES.s004))).toEqual(expect.arrayContaining([
      e('calico-nat-outgoing-enum', 'Installation default', 'spec.calicoNetwork.ipPools[0].natOutgoing'),
      e('namespace-selector-name-label', 'NetworkPolicy production/api-policy', 'spec.ingress[0].from[1].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy production/frontend-policy', 'spec.egress[1].to[0].namespaceSelector.matchLabels.name'),
      e('namespace-selector-name-label', 'NetworkPolicy tenant-a/tenant-isolation', 'spec.egress[1].to[0].namespaceSelector.matchLabels.name'),
      e('dns-udp-only', 'NetworkPolicy production/frontend-policy', 'spec.egress[1].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/backend-policy', 'spec.egress[1].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/database-policy', 'spec.egress[0].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy production/external-api-whitelist', 'spec.egress[1].ports[0]'),
      e('dns-udp-only', 'NetworkPolicy tenant-a/tenant-isolation', 'spec.egress[1].ports[0]'),
      e('egress-world-includes-metadata', 'NetworkPolicy tenant-a/tenant-isolation', 'spec.egress[2].to[0].ipBlock'),
      w('egress-world-includes-private-ranges', 'NetworkPolicy tenant-a/tenant-isolation', 'spec.egress[2].to[0].ipBlock'),
      e('istio-consecutive-errors', 'DestinationRule backend-circuit-breaker', 'spec.trafficPolicy.outlierDetection.consecutiveErrors'),
      w('peer-and-or-confusion', 'NetworkPolicy production/api-policy', 'spec.ingress[0].from'),
      w('policy-types-omitted', 'NetworkPolicy traditional-policy', 'spec'),
    ]));
    // tenant-a's tenant-isolation selects every pod for Ingress and Egress: every pod is isolated, so
    // the namespace has a default deny (with allows), and is not reported.
    expect(brief(lint(FILES.s004), 'namespace-without-default-deny')).toEqual([w('namespace-without-default-deny', 'Pod myapp')]);
    // external-api-whitelist combines namespaceSelector {} and podSelector in ONE peer: correct, not flagged.
    expect(brief(lint(FILES.s004), 'namespace-selector-name-label', 'peer-and-or-confusion')
      .filter((f) => f.object === 'NetworkPolicy production/external-api-whitelist')).toEqual([]);
  });

  test('findings are sorted by source, object, path, rule', () => {
    const findings = lint(FILES.s004);
    const keys = findings.map((f) => [f.source ?? '', f.object, f.path ?? '', f.rule]);
    const sorted = [...keys].sort((a, b) => {
      for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return 0;
    });
    expect(keys).toEqual(sorted);
  });
});
