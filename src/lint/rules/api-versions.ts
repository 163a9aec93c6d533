import { apiGroup, isObject } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const CALICO_INTERNAL = 'calico-internal-api-group';
const SUPERSEDED = 'deprecated-api-version';
const REMOVED = 'removed-api-version';

/**
 * API versions removed by Kubernetes 1.27 (our pinned definitions), from
 * https://kubernetes.io/docs/reference/using-api/deprecation-guide/ : group/version → [removed in, use].
 * `*` matches every kind of that group/version.
 */
const REMOVED_APIS: Record<string, Record<string, [string, string]>> = {
  'extensions/v1beta1': { '*': ['1.22', 'the kind\'s current group (networking.k8s.io/v1, apps/v1)'] },
  'networking.k8s.io/v1beta1': { Ingress: ['1.22', 'networking.k8s.io/v1'], IngressClass: ['1.22', 'networking.k8s.io/v1'] },
  'policy/v1beta1': { PodDisruptionBudget: ['1.25', 'policy/v1'], PodSecurityPolicy: ['1.25', 'Pod Security Admission labels'] },
  'batch/v1beta1': { CronJob: ['1.25', 'batch/v1'] },
  'discovery.k8s.io/v1beta1': { EndpointSlice: ['1.25', 'discovery.k8s.io/v1'] },
  'autoscaling/v2beta1': { HorizontalPodAutoscaler: ['1.25', 'autoscaling/v2'] },
  'autoscaling/v2beta2': { HorizontalPodAutoscaler: ['1.26', 'autoscaling/v2'] },
  'apps/v1beta1': { '*': ['1.16', 'apps/v1'] },
  'apps/v1beta2': { '*': ['1.16', 'apps/v1'] },
  'rbac.authorization.k8s.io/v1beta1': { '*': ['1.22', 'rbac.authorization.k8s.io/v1'] },
  'admissionregistration.k8s.io/v1beta1': { '*': ['1.22', 'admissionregistration.k8s.io/v1'] },
  'apiextensions.k8s.io/v1beta1': { '*': ['1.22', 'apiextensions.k8s.io/v1'] },
  'node.k8s.io/v1beta1': { RuntimeClass: ['1.25', 'node.k8s.io/v1'] },
  'events.k8s.io/v1beta1': { Event: ['1.25', 'events.k8s.io/v1'] },
  'flowcontrol.apiserver.k8s.io/v1beta1': { '*': ['1.26', 'flowcontrol.apiserver.k8s.io/v1beta3'] },
  'storage.k8s.io/v1beta1': { CSIStorageCapacity: ['1.27', 'storage.k8s.io/v1'] },
};

/** The removal of `obj`'s apiVersion (Kubernetes release, replacement), when the API server no longer serves it. */
export function removedApi(obj: any): [string, string] | undefined {
  if (!isObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
  return REMOVED_APIS[obj.apiVersion]?.[obj.kind] ?? REMOVED_APIS[obj.apiVersion]?.['*'];
}

/** Kinds whose group serves a v1 that should be emitted instead of a beta/alpha version. */
const V1_KINDS: Record<string, string[]> = {
  'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'],
  'networking.istio.io': ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup'],
  'gateway.networking.k8s.io': ['Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute'],
};

/**
 * API versions: removed Kubernetes APIs (rejected by the API server), Istio / Gateway API objects
 * in a beta version where v1 is served, and Calico's internal `crd.projectcalico.org/v1` storage
 * group, which bypasses the validation and defaulting of projectcalico.org/v3.
 */
export const apiVersions: LintRule = {
  ids: [REMOVED, SUPERSEDED, CALICO_INTERNAL],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') continue;
      const removed = removedApi(obj);
      const group = apiGroup(obj);
      if (removed) {
        out.push({
          doc,
          rule: REMOVED,
          severity: LintSeverity.ERROR,
          path: 'apiVersion',
          message: `${obj.apiVersion} ${obj.kind} was removed in Kubernetes ${removed[0]}: the API server rejects it`,
          fix: `use ${removed[1]}`,
        });
      } else if (group === 'crd.projectcalico.org') {
        out.push({
          doc,
          rule: CALICO_INTERNAL,
          severity: LintSeverity.WARNING,
          path: 'apiVersion',
          message: 'crd.projectcalico.org is Calico\'s internal storage API: objects written there skip validation and defaulting',
          fix: 'use apiVersion projectcalico.org/v3',
        });
      } else if (V1_KINDS[group]?.includes(obj.kind) && obj.apiVersion !== `${group}/v1`) {
        out.push({
          doc,
          rule: SUPERSEDED,
          severity: LintSeverity.INFO,
          path: 'apiVersion',
          message: `${obj.apiVersion} is still served, but ${group}/v1 is the stable version of ${obj.kind}`,
          fix: `use apiVersion ${group}/v1 (same fields)`,
        });
      }
    }
    return out;
  },
};
