import { asArray, isKind, isObject, jsonPath } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const NO_TLS = 'ingress-without-tls';
const WILDCARD = 'ingress-wildcard-host';
const AUTH_ANNOTATIONS = ['nginx.ingress.kubernetes.io/auth-url', 'nginx.ingress.kubernetes.io/auth-type', 'nginx.ingress.kubernetes.io/auth-signin'];

/**
 * Ingress hygiene from NETWORKING-FACTS.md: TLS always, and no wildcard hosts without
 * authentication (a wildcard exposes every subdomain that resolves to the controller).
 */
export const ingressHygiene: LintRule = {
  ids: [NO_TLS, WILDCARD],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isKind(obj, 'networking.k8s.io', 'Ingress') || !isObject(obj.spec)) continue;
      if (asArray(obj.spec.tls).length === 0) {
        out.push({
          doc,
          rule: NO_TLS,
          severity: LintSeverity.WARNING,
          path: 'spec',
          message: 'Ingress serves plain HTTP: no spec.tls',
          fix: 'add spec.tls with the hosts and a secret (e.g. issued by cert-manager via the cert-manager.io/cluster-issuer annotation)',
        });
      }
      const annotations = isObject(obj.metadata?.annotations) ? obj.metadata.annotations : {};
      const hasAuth = AUTH_ANNOTATIONS.some((a) => a in annotations);
      asArray(obj.spec.rules).forEach((rule, i) => {
        if (!hasAuth && isObject(rule) && typeof rule.host === 'string' && rule.host.startsWith('*')) {
          out.push({
            doc,
            rule: WILDCARD,
            severity: LintSeverity.WARNING,
            path: jsonPath('spec', 'rules', i, 'host'),
            message: `wildcard host '${rule.host}' without authentication exposes every matching subdomain`,
            fix: 'list the hosts explicitly, or add authentication (nginx.ingress.kubernetes.io/auth-url or auth-type)',
          });
        }
      });
    }
    return out;
  },
};
