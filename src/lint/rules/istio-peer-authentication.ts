import { peerAuthenticationProblems } from '../../analysis/mesh/istio-validation';
import { isKind, isObject } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const PORT_LEVEL = 'istio-port-level-mtls-without-selector';
const ROOT_SELECTOR = 'istio-peer-authentication-selector-in-root-namespace';
const REJECTED = 'istio-peer-authentication-rejected';
/** Istio's default mesh root namespace (mesh config `rootNamespace`), where mesh-wide policies live. */
const ROOT_NAMESPACE = 'istio-system';

/**
 * PeerAuthentication pitfalls (https://istio.io/latest/docs/reference/config/security/peer_authentication/;
 * istiod `ComposePeerAuthentication`):
 * - `istio-port-level-mtls-without-selector`: `portLevelMtls` is only honoured with a workload
 *   selector naming at least one label; namespace- or mesh-wide policies ignore it (and the CRD's
 *   CEL rule "portLevelMtls requires selector" rejects it, an empty `matchLabels` included).
 * - `istio-peer-authentication-selector-in-root-namespace`: in the root namespace only a policy
 *   without selector counts (as the mesh-wide one); one with a selector is ignored, so the pods it
 *   names keep the mesh-wide mode.
 * - `istio-peer-authentication-rejected`: what else the CRD or istiod's webhook rejects (a mode
 *   outside UNSET/DISABLE/PERMISSIVE/STRICT such as `strict`, a port key outside 1-65535, an empty
 *   portLevelMtls, a wildcard in the selector); the analyzer leaves such a policy out, and the
 *   selector finding above is not reported on it.
 */
export const istioPeerAuthentication: LintRule = {
  ids: [PORT_LEVEL, ROOT_SELECTOR, REJECTED],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'security.istio.io', 'PeerAuthentication')) continue;
      const problems = peerAuthenticationProblems(doc.obj as any);
      // Unserved versions: api-versions; portLevelMtls without selector: PORT_LEVEL below.
      for (const problem of problems.filter((p) => p.path !== 'apiVersion' && !p.message.startsWith('portLevelMtls without'))) {
        out.push({
          doc,
          rule: REJECTED,
          severity: LintSeverity.ERROR,
          path: problem.path,
          message: `${problem.message}: ${problem.by} rejects the PeerAuthentication, so none of it takes effect`,
          fix: 'correct the field (see the message), or delete the policy if it is not needed',
        });
      }
      const spec = doc.obj.spec;
      if (!isObject(spec)) continue;
      const labels = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? Object.keys(spec.selector.matchLabels) : [];
      // A rejected policy is ignored for being rejected, not for its selector.
      if (labels.length > 0 && namespaceOf(doc.obj) === ROOT_NAMESPACE && problems.length === 0) {
        out.push({
          doc,
          rule: ROOT_SELECTOR,
          severity: LintSeverity.ERROR,
          path: 'spec.selector',
          message: `a PeerAuthentication with a selector in the root namespace ${ROOT_NAMESPACE} is ignored: only the policy without selector counts `
            + 'there (mesh-wide), so the selected pods keep the mesh-wide mode',
          fix: 'move the policy to the namespace of the workloads it selects, or drop the selector to make it the mesh-wide policy',
        });
      }
      if (!isObject(spec.portLevelMtls) || labels.length > 0) continue;
      out.push({
        doc,
        rule: PORT_LEVEL,
        severity: LintSeverity.ERROR,
        path: 'spec.portLevelMtls',
        message: isObject(spec.selector)
          ? 'portLevelMtls with a selector that names no label: the CRD rejects it (portLevelMtls requires selector), and Istio reads the policy as namespace- or mesh-wide, which ignores portLevelMtls'
          : 'portLevelMtls without a selector: the CRD rejects it (portLevelMtls requires selector), so none of the policy takes effect',
        fix: 'add spec.selector.matchLabels for the workload, or move the port exception to a workload-level PeerAuthentication',
      });
    }
    return out;
  },
};
