/**
 * The Istio AuthorizationPolicies of the manifests and which of them may apply to a destination
 * (internal), per the istio.io "Authorization Policy" reference:
 *
 * - A policy the API server or istiod's validating webhook rejects (./istio-validation) never exists,
 *   and a dry-run policy (annotation `istio.io/dry-run: "true"`) is logged, not enforced (sidecar
 *   shadow rules; ztunnel never receives it): both are left out with a note.
 * - security.istio.io AuthorizationPolicies apply in their own namespace and, from the root namespace,
 *   mesh-wide; without `selector` to every workload there, with `selector.matchLabels` to the workloads
 *   carrying those labels. A selector on a label the pod's controller sets at runtime may select some
 *   of its pods only (../uncertainty/controller-label-selection).
 * - `targetRef(s)` policies attach to gateways and waypoints, never to a sidecar or ztunnel: where one
 *   may apply to a destination without being modelled (its Gateway, a GatewayClass, a ServiceEntry or
 *   a Service not in the manifests) it is a reason for indeterminate.
 */
import { authorizationPolicyProblems, DRY_RUN, dryRunOf } from './istio-validation';
import { Membership } from './membership';
import { groupBy } from '../../util/group-by';
import { isKindOf, isPlainObject, namespaceOf } from '../../util/vocabulary';
import { describeRef, Endpoint, ManifestObject, ObjectRef, refOf } from '../model';
import { podSelection } from '../uncertainty/controller-label-selection';

/** An AuthorizationPolicy's action (`spec.action`, ALLOW when unset). */
export type Action = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

/** One AuthorizationPolicy as the analysis reads it. */
export interface Policy {
  readonly obj: ManifestObject;
  readonly ref: ObjectRef;
  readonly namespace: string;
  readonly action: Action;
  readonly selector?: Record<string, string>;
  readonly targets: Array<{ kind: string; name: string }>;
  readonly rules: unknown[];
}

/** Is the object an Istio AuthorizationPolicy? */
export function isIstioAuthorizationPolicy(obj: unknown): boolean {
  return isKindOf(obj, 'security.istio.io', 'AuthorizationPolicy');
}

/** The AuthorizationPolicies that take effect, by namespace; the invalid and dry-run ones are left out with a note in `notes`. */
export function readAuthorizationPolicies(manifests: readonly ManifestObject[], notes: string[]): Map<string, Policy[]> {
  const policies: Policy[] = [];
  for (const obj of manifests) {
    if (!isIstioAuthorizationPolicy(obj)) continue;
    const problems = authorizationPolicyProblems(obj);
    if (problems.length > 0) {
      const [first] = problems;
      notes.push(`${describeRef(refOf(obj))} is invalid and left out of the mesh analysis (${first.by} rejects it, so it never takes effect): `
          + `${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
      continue;
    }
    if (dryRunOf(obj) === true) {
      // Sidecars get it as shadow rules (logged, never enforced); istiod hands ztunnel nothing.
      notes.push(`${describeRef(refOf(obj))} is a dry run (${DRY_RUN}: "true"): Istio logs what it would decide and enforces nothing, `
          + 'so it is left out of the mesh analysis');
      continue;
    }
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    const matchLabels = isPlainObject(spec.selector) && isPlainObject(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
    const targets = [spec.targetRef, ...(Array.isArray(spec.targetRefs) ? spec.targetRefs : [])]
      .filter((r) => isPlainObject(r)).map((r: any) => ({ kind: String(r.kind), name: String(r.name) }));
    policies.push({
      obj,
      ref: refOf(obj),
      namespace: namespaceOf(obj),
      action: (spec.action ?? 'ALLOW') as Action,
      ...(matchLabels && Object.keys(matchLabels).length > 0 ? { selector: matchLabels as Record<string, string> } : {}),
      targets,
      rules: Array.isArray(spec.rules) ? spec.rules : [],
    });
  }
  return groupBy(policies, (p) => p.namespace);
}

/** The policies of the proxy or ztunnel stage whose selector may select some of the destination's pods only (never AUDIT: it decides nothing). */
export function unsurePolicies(policies: ReadonlyMap<string, readonly Policy[]>, rootNamespace: string,
  destination: Endpoint): Array<{ policy: Policy; why: string }> {
  const ns = destination.namespace ?? 'default';
  const out: Array<{ policy: Policy; why: string }> = [];
  for (const n of new Set([ns, rootNamespace])) {
    for (const p of policies.get(n) ?? []) {
      if (p.namespace !== ns && p.namespace !== rootNamespace) continue;
      if (!p.selector || p.targets.length > 0 || p.action === 'AUDIT') continue;
      const selection = podSelection({ matchLabels: p.selector }, destination, describeRef(p.ref));
      if ('unknown' in selection) out.push({ policy: p, why: selection.unknown });
    }
  }
  return out;
}

/**
 * Why a `targetRef(s)` policy may apply to this destination without being modelled: it names the
 * destination's Gateway, or (ambient) a ServiceEntry or a Service not in the manifests, whose
 * waypoint would enforce it. Sidecars and ztunnel never take targetRef policies; a Service in the
 * manifests is settled: its waypoint, if any, is a path of its own (./istio-waypoint), else nothing
 * enforces the policy.
 */
export function targetRefUncertainty(p: Policy, destination: Endpoint, dst: Membership, rootNamespace: string,
  services: ReadonlySet<string>): string | undefined {
  const gateway = destination.labels['gateway.networking.k8s.io/gateway-name'];
  const gatewayClass = p.targets.find((t) => t.kind === 'GatewayClass');
  if (gateway !== undefined && gatewayClass !== undefined && p.namespace === rootNamespace) {
    // A root-namespace policy on a GatewayClass applies to every Gateway of that class; the class of
    // the destination's Gateway is not in its pod labels.
    return `${describeRef(p.ref)} targets the GatewayClass '${gatewayClass.name}', which may be the class of the destination's Gateway '${gateway}': `
      + 'gateway policies are not evaluated';
  }
  if (p.namespace !== (destination.namespace ?? 'default')) return undefined;
  if (p.targets.some((t) => t.kind === 'Gateway' && t.name === gateway)) {
    return `${describeRef(p.ref)} targets the Gateway '${gateway}' of the destination: gateway policies are not evaluated`;
  }
  if (dst.dataPlane !== 'ambient') return undefined;
  for (const t of p.targets.filter((x) => x.kind === 'Service' || x.kind === 'ServiceEntry')) {
    const key = `${p.namespace}/${t.name}`;
    if (!services.has(key) || t.kind === 'ServiceEntry') {
      return `${describeRef(p.ref)} targets the ${t.kind} '${t.name}'${t.kind === 'Service' ? ', which is not in the manifests' : ''}: it applies where `
        + 'a waypoint serves that service, which is not modelled';
    }
  }
  return undefined;
}
