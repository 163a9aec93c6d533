import { authorizationPolicyProblems, peerAuthenticationProblems } from '../../analysis/mesh/istio-validation';
import { PeerAuthentications } from '../../analysis/mesh/peer-authentication';
import { asArray, isKind, isObject, jsonPath, LintDocument } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { principalsAllAmbient } from './istio-ambient-principals';

const PERMISSIVE = 'istio-mtls-permissive';
const IDENTITY = 'istio-authz-identity-without-strict';

/** Istio's default mesh root namespace (mesh config `rootNamespace`), where mesh-wide policies live. */
const DEFAULT_ROOT_NAMESPACE = 'istio-system';
const IDENTITY_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts'];
const IDENTITY_KEYS = ['source.principal', 'source.namespace', 'source.serviceAccount'];

/**
 * Mutual TLS pitfalls of Istio (istio.io "PeerAuthentication" reference; "Mutual TLS Migration"):
 * - `istio-mtls-permissive`: a mesh-wide (root namespace) or namespace-wide PeerAuthentication left
 *   on PERMISSIVE (or UNSET at mesh level, which is PERMISSIVE): plaintext stays accepted everywhere
 *   it covers. PERMISSIVE is a migration step towards STRICT. DISABLE, which turns mutual TLS off
 *   altogether (no identity even between sidecars), is flagged too.
 * - `istio-authz-identity-without-strict`: an AuthorizationPolicy matching on peer identity
 *   (principals, namespaces, serviceAccounts, source.principal / source.namespace / source.serviceAccount and their `not`
 *   forms) for workloads whose mTLS is not STRICT: a plaintext peer's identity is empty, so ALLOW
 *   rules never match it and DENY / not* rules let it through (istio.io ISTIO-SECURITY-2021-004).
 *   Not for a DENY rule whose only identity match is `principals` naming ambient workloads of these
 *   manifests (see istio-ambient-principals) where the mode is not (maybe) DISABLE: they connect over
 *   mutual TLS, so the DENY holds; a destination outside ambient whose mode is DISABLE takes them in plaintext.
 * Rejected policies (see istio-authz-rejected, istio-peer-authentication-rejected) never take effect:
 * neither rule reports them, and a rejected PeerAuthentication sets no mode.
 * Told an Istio mesh (`PolicyLintOptions.mesh`), its root namespace is the mesh-wide one, and in sidecar
 * mode the ambient exemption does not hold (an ambient label meshes nothing there).
 */
export const istioMtls: LintRule = {
  ids: [PERMISSIVE, IDENTITY],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    // Told an Istio mesh: its root namespace, and whether ambient mode is installed (in sidecar mode an ambient label meshes
    // nothing, so the ambient exemption below does not hold). Untold (or another mesh): Istio's defaults, ambient possible.
    const istio = ctx.mesh?.facts?.flavour === 'istio' ? ctx.mesh.facts : undefined;
    const rootNamespace = istio?.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
    const ambientPossible = istio === undefined || istio.ambient;
    // Rejected policies (istio-authz-rejected, istio-peer-authentication-rejected) never take effect.
    const docs = ctx.documents.filter((d) => isKind(d.obj, 'security.istio.io', 'PeerAuthentication') && isObject(d.obj.spec ?? {})
      && peerAuthenticationProblems(d.obj as any).length === 0);
    for (const doc of docs) {
      const spec = isObject(doc.obj.spec) ? doc.obj.spec : {};
      const labels = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
      if (Object.keys(labels).length > 0) continue;
      const ns = namespaceOf(doc.obj);
      const mode = isObject(spec.mtls) ? spec.mtls.mode : undefined;
      const meshWide = ns === rootNamespace;
      const permissive = mode === 'PERMISSIVE' || mode === 'DISABLE' || (meshWide && (mode === undefined || mode === 'UNSET'));
      if (!permissive) continue;
      const scope = meshWide ? 'mesh-wide' : `namespace-wide (namespace ${ns})`;
      out.push({
        doc,
        rule: PERMISSIVE,
        severity: LintSeverity.WARNING,
        path: mode === undefined ? 'spec' : 'spec.mtls.mode',
        message: mode === 'DISABLE'
          ? `${scope} mutual TLS is DISABLE: every connection it covers is plaintext, even between sidecars, and carries no identity, so `
            + 'identity-based authorization matches nothing'
          : `${scope} mutual TLS is ${mode === 'PERMISSIVE' ? 'PERMISSIVE' : `${mode ?? 'unset'}, which is PERMISSIVE`}: `
          + 'plaintext connections stay accepted and carry no identity, so identity-based authorization does not hold for them',
        fix: 'once every client has a sidecar, set mtls.mode: STRICT (keep PERMISSIVE only as a step of a migration, and only where needed)',
      });
    }
    const peerAuth = new PeerAuthentications(docs.map((d) => d.obj), rootNamespace);
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'security.istio.io', 'AuthorizationPolicy') || !isObject(doc.obj.spec)
        || authorizationPolicyProblems(doc.obj as any).length > 0) continue;
      out.push(...identityFindings(doc, peerAuth, docs.length > 0, ctx.documents, rootNamespace, ambientPossible));
    }
    return out;
  },
};

function identityFindings(doc: LintDocument, peerAuth: PeerAuthentications, anyPeerAuthentication: boolean,
  documents: readonly LintDocument[], rootNamespace: string, ambientPossible: boolean): RuleReport[] {
  const spec = doc.obj.spec;
  if (spec.targetRef !== undefined || spec.targetRefs !== undefined) return []; // gateways and waypoints: their own rules
  const ns = namespaceOf(doc.obj);
  const labels: Record<string, string> = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  const out: RuleReport[] = [];
  asArray(spec.rules).forEach((rule, i) => {
    if (!isObject(rule)) return;
    const fields = asArray(rule.from).flatMap((f, j) => (isObject(f?.source) ? IDENTITY_FIELDS.filter((k) => f.source[k] !== undefined)
      .map((k) => jsonPath('spec', 'rules', i, 'from', j, 'source', k)) : []));
    asArray(rule.when).forEach((c, j) => isObject(c) && IDENTITY_KEYS.includes(c.key) && fields.push(jsonPath('spec', 'rules', i, 'when', j)));
    if (fields.length === 0) return;
    const ports = asArray(rule.to).flatMap((t) => asArray(t?.operation?.ports)).map(Number).filter((p) => Number.isInteger(p));
    const workloadNs = ns === rootNamespace ? 'any namespace' : ns;
    // A root-namespace policy covers workloads of every namespace: only the mesh-wide mode holds for all of them.
    const checked = (ports.length > 0 ? ports : [0]).map((port) => ({ port, decision: peerAuth.modeFor(ns === rootNamespace ? '' : ns, labels, port) }));
    const weak = checked.filter((c) => c.decision.mode !== 'STRICT');
    if (weak.length === 0) return;
    // Not where the destination's mode may be DISABLE: an ambient client's ztunnel sends plaintext to a destination outside ambient
    // that disables mTLS (HBONE is ztunnel to ztunnel only; analysis/mesh/istio.ts atDestination), with an empty principal.
    if (ambientPossible && spec.action === 'DENY' && fields.every((f) => f.endsWith('.principals')) && !weak.some((c) => c.decision.candidates.includes('DISABLE'))
      && principalsAllAmbient(asArray(rule.from).flatMap((f) => asArray(f?.source?.principals)), documents)) return;
    const why = weak[0].decision.mode === undefined ? weak[0].decision.why : !anyPeerAuthentication
      ? 'no PeerAuthentication is in these manifests, and Istio\'s default is PERMISSIVE' : weak[0].decision.why;
    const onPorts = ports.length > 0 ? ` on port${weak.length > 1 ? 's' : ''} ${weak.map((c) => c.port).join(', ')}` : '';
    out.push({
      doc,
      rule: IDENTITY,
      severity: anyPeerAuthentication ? LintSeverity.ERROR : LintSeverity.WARNING,
      path: fields[0],
      message: `matches on peer identity (${fields.map((f) => f.split('.').pop()).join(', ')}), but mutual TLS is not STRICT for the selected `
        + `workloads in ${workloadNs}${onPorts} (${why}): a plaintext peer's principal and namespace are empty, so ALLOW rules never match it `
        + 'and DENY or not* rules let it through',
      fix: 'require STRICT mutual TLS for these workloads (PeerAuthentication mtls.mode STRICT for the namespace or a selector matching them; IstioMtls)',
    });
  });
  return out;
}
