import { buildInventory } from '../../analysis/inventory';
import { meshFactsOf } from '../../analysis/mesh/facts';
import { InboundProtocols } from '../../analysis/mesh/istio-inbound-protocol';
import { isIstioGateway } from '../../analysis/mesh/istio-remote-address';
import { httpOnlyAttributes } from '../../analysis/mesh/istio-tcp-rules';
import { membershipOf } from '../../analysis/mesh/membership';
import { Endpoint } from '../../analysis/model';
import { IstioMode, Mesh } from '../../cluster/mesh';
import { asArray, isObject, LintDocument } from '../document';
import { podsSelectedBy, selectorPolicies } from '../istio-selector-policies';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const HTTP_ALLOW = 'istio-authz-http-allow-on-tcp-port';
const HTTP_DENY = 'istio-authz-http-deny-on-tcp-port';

/**
 * The workloads are judged as sidecar workloads where their namespace or pod asks for injection
 * (`istio-injection=enabled`, `sidecar.istio.io/inject`); the root namespace is Istio's default.
 */
const SIDECAR = meshFactsOf(Mesh.istio({ mode: IstioMode.SIDECAR }))!;

/**
 * Istio AuthorizationPolicy rules with HTTP-only attributes (methods, paths, hosts and their `not`
 * forms, requestPrincipals, `when` keys request.headers[...] and request.auth.*) on a port that the
 * selected sidecars serve as TCP (every Service selecting them declares it tcp, tls, https, mysql,
 * ... by port name or appProtocol: analysis/mesh/istio-inbound-protocol). There istiod builds the
 * rules into Envoy's RBAC network filter, which sees no request (analysis/mesh/istio-tcp-rules;
 * istio/istio pilot/pkg/security/authz model.go `checkError`; istio.io "Authorization Policy"):
 * - `istio-authz-http-allow-on-tcp-port`: an ALLOW rule using any of them is skipped, so it matches
 *   no connection to the port.
 * - `istio-authz-http-deny-on-tcp-port`: a DENY rule loses them, so it denies every connection to the
 *   port that its other attributes match, not only the requests they describe.
 * Only exact cases are reported: every `to[].operation` of the rule names its `ports`, and some named
 * port is served as TCP by every selected sidecar pod of the manifests (not a gateway, whose servers
 * decide). Rules without ports, ports the Services disagree on, ports no Service declares (their
 * protocol is detected) and ports a selected sidecar does not capture (excludeInboundPorts: no RBAC
 * filter at all) are left alone; targetRef(s), rejected and dry-run policies too.
 */
export const istioAuthzTcpPort: LintRule = {
  ids: [HTTP_ALLOW, HTTP_DENY],
  check(ctx: LintContext): RuleReport[] {
    const policies = selectorPolicies(ctx);
    if (policies.length === 0) return [];
    const objects = ctx.documents.map((d) => d.obj).filter((o) => isObject(o)) as any[];
    const inventory = buildInventory(objects);
    const members = new Map(inventory.pods.map((p) => [p.endpoint,
      membershipOf(p.endpoint, SIDECAR, inventory.namespaces, inventory.namespaceAnnotations)]));
    const sidecars = inventory.pods.map((p) => p.endpoint).filter((e) => !isIstioGateway(e) && members.get(e)!.dataPlane === 'sidecar');
    if (sidecars.length === 0) return [];
    // A port the sidecar does not capture (traffic.sidecar.istio.io/excludeInboundPorts) gets no RBAC filter at all.
    const inner = new InboundProtocols(objects, SIDECAR.rootNamespace);
    const protocols = {
      of: (e: Endpoint, port: number) => (members.get(e)!.inboundBypass.has(port)
        ? { protocol: 'uncaptured' as const, why: '' } : inner.of(e, port)),
    };
    const out: RuleReport[] = [];
    for (const policy of policies) {
      const selected = podsSelectedBy(policy, sidecars, SIDECAR.rootNamespace);
      if (selected.length === 0) continue;
      asArray(policy.doc.obj.spec.rules).forEach((rule, i) => {
        const finding = ruleFinding(policy.doc, policy.action, rule, `spec.rules[${i}]`, selected, protocols);
        if (finding) out.push(finding);
      });
    }
    return out;
  },
};

function ruleFinding(doc: LintDocument, action: 'ALLOW' | 'DENY', rule: unknown, path: string, selected: Endpoint[],
  protocols: { of(e: Endpoint, port: number): { protocol: string; why: string } }): RuleReport | undefined {
  const http = httpOnlyAttributes(rule, path);
  if (http.length === 0 || !isObject(rule)) return undefined;
  const operations = asArray(rule.to).map((t) => (isObject(t) && isObject(t.operation) ? t.operation : {}));
  if (operations.length === 0 || operations.some((o) => asArray(o.ports).length === 0)) return undefined;
  const ports = [...new Set(operations.flatMap((o) => asArray(o.ports).map(String)))].map(Number).sort((a, b) => a - b);
  const tcp = ports.filter((port) => selected.every((e) => protocols.of(e, port).protocol === 'tcp'));
  if (tcp.length === 0) return undefined;
  const names = selected.map((e) => e.name);
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  const [first] = selected;
  const where = `port${tcp.length > 1 ? 's' : ''} ${tcp.join(', ')} of ${shown} ${tcp.length > 1 ? 'are' : 'is'} served as TCP by the sidecar `
    + `(${tcp.map((p) => protocols.of(first, p).why).join('; ')}), whose RBAC network filter sees no HTTP request`;
  if (action === 'ALLOW') {
    return {
      doc,
      rule: HTTP_ALLOW,
      severity: LintSeverity.WARNING,
      path,
      message: `${where}: istiod skips this ALLOW rule there because it uses HTTP-only attributes (${http.join(', ')}), so it matches no `
        + 'connection to those ports',
      fix: 'declare the port as HTTP in the Service (port name http-* or appProtocol http) if it serves HTTP, or drop the HTTP-only attributes '
        + 'and keep to L4 ones (ports, principals, namespaces, ipBlocks)',
    };
  }
  return {
    doc,
    rule: HTTP_DENY,
    severity: LintSeverity.WARNING,
    path,
    message: `${where}: istiod drops the HTTP-only attributes of this DENY rule there (${http.join(', ')}), so it denies every connection to those `
      + 'ports that its other attributes match, not only the requests they describe',
    fix: 'declare the port as HTTP in the Service (port name http-* or appProtocol http) if it serves HTTP, or accept that the connection is '
      + 'denied whole',
  };
}
