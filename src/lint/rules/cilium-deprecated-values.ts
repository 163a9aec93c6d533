import { LintDocument, isObject } from '../document';
import { ciliumValuesSources } from '../helm-values';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const TUNNEL = 'cilium-tunnel-removed';
const KPR = 'cilium-kube-proxy-replacement-enum';
const KPR_LEGACY = new Set(['strict', 'partial', 'probe', 'disabled']);

/**
 * Cilium settings that no longer do what they say (https://docs.cilium.io/en/stable/operations/upgrade/):
 * `tunnel` was deprecated in 1.14 and removed in 1.15 (use `routingMode` + `tunnelProtocol`);
 * `kubeProxyReplacement: strict|partial|probe|disabled` was deprecated in 1.14 and later `strict`
 * is not read as `true`, silently leaving kube-proxy replacement off (cilium/cilium#32711).
 * Checked in Helm values (Flux, Argo CD, plain, `--set`) and in the agent's `cilium-config` ConfigMap.
 */
export const ciliumDeprecatedValues: LintRule = {
  ids: [TUNNEL, KPR],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const src of ciliumValuesSources(ctx.documents)) {
      checkPair(src.doc, src.values.tunnel, src.values.kubeProxyReplacement, src.pathOf('tunnel'), src.pathOf('kubeProxyReplacement'),
        'routingMode', 'tunnelProtocol', out);
    }
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (obj?.kind === 'ConfigMap' && obj.apiVersion === 'v1' && obj.metadata?.name === 'cilium-config' && isObject(obj.data)) {
        checkPair(doc, obj.data.tunnel, obj.data['kube-proxy-replacement'], 'data.tunnel', 'data.kube-proxy-replacement',
          'routing-mode', 'tunnel-protocol', out);
      }
    }
    return out;
  },
};

function checkPair(doc: LintDocument, tunnel: unknown, kpr: unknown, tunnelPath: string, kprPath: string,
  routingKey: string, protocolKey: string, out: RuleReport[]): void {
  if (tunnel !== undefined && tunnel !== null) {
    const native = tunnel === 'disabled' || tunnel === false;
    out.push({
      doc,
      rule: TUNNEL,
      severity: LintSeverity.ERROR,
      path: tunnelPath,
      message: `'tunnel: ${String(tunnel)}' was deprecated in Cilium 1.14 and removed in 1.15: it is ignored`,
      fix: native
        ? `set ${routingKey}: native (with the native-routing CIDR)`
        : `set ${routingKey}: tunnel and ${protocolKey}: ${typeof tunnel === 'string' ? tunnel : 'vxlan'}`,
    });
  }
  if (typeof kpr === 'string' && KPR_LEGACY.has(kpr.toLowerCase())) {
    out.push({
      doc,
      rule: KPR,
      severity: LintSeverity.ERROR,
      path: kprPath,
      message: `kubeProxyReplacement '${kpr}' is a pre-1.14 mode; since then only true/false are meaningful and '${kpr}' `
        + 'silently leaves features off',
      fix: kpr.toLowerCase() === 'strict'
        ? 'set kubeProxyReplacement: true (with k8sServiceHost/k8sServicePort)'
        : 'set kubeProxyReplacement: false and enable the individual features you need',
    });
  }
}
