/**
 * A ThreeTierApp tier's own pod labels and annotations (`podLabels`, `podAnnotations`), checked
 * (internal: not exported from the package index).
 *
 * What they may not say:
 * - the labels the app selects its pods by: a Service, PodDisruptionBudget, NetworkPolicy or mesh
 *   authorization selects the tier by them, so another value would detach the tier from its policies
 *   (fail-open or an outage), and cert-manager's HTTP-01 solver label, which the namespace's
 *   `acme-solver-allow-ingress-controller` policy selects on every pod carrying it (it would open the
 *   tier to the ingress controller on port 8089);
 * - any key of the service meshes (Istio: `istio.io` and its subdomains, e.g. `sidecar.istio.io/inject`,
 *   `istio.io/dataplane-mode`, `istio.io/use-waypoint`, `traffic.sidecar.istio.io/excludeInboundPorts`;
 *   Linkerd: `linkerd.io` and its subdomains, e.g. `linkerd.io/inject`,
 *   `config.linkerd.io/default-inbound-policy`, `config.linkerd.io/opaque-ports`,
 *   `config.linkerd.io/skip-inbound-ports`; and the namespace mesh labels of ./mesh-membership). On a
 *   pod they decide whether it gets a proxy (Istio's injector reads the pod's `sidecar.istio.io/inject`
 *   and `istio.io/rev`, istio.io "Installing the Sidecar", "Controlling the injection policy"; ztunnel
 *   captures a pod by `istio.io/dataplane-mode`, istio.io "Adding workloads to the mesh"; Linkerd's
 *   injector the pod's `linkerd.io/inject`, linkerd.io "Automatic Proxy Injection"), which ports its
 *   proxy handles and how (linkerd.io "Proxy Configuration"), and Linkerd's default inbound policy,
 *   which a pod's annotation sets before its namespace's (linkerd.io "Authorization Policy"). The app's
 *   NetworkPolicies (the mesh's transport port, its control plane) and its mesh authorization (tier
 *   identities, Servers, the DENY per hop) are written for the membership the namespace gives every
 *   tier: a per-tier mesh key would silently change what they rely on;
 * - the CNIs' own keys (./cni-pod-keys): annotations that change the pods' addresses or interfaces,
 *   labels the CNI derives from their namespace or ServiceAccount.
 */
import { IConstruct } from 'constructs';
import { refuseCniKeys } from './cni-pod-keys';
import { keyInDomains } from './key-domain';
import { AppTier } from './tier-props';
import { propError } from '../../util/errors';
import { validateAnnotations, validateLabels } from '../../util/validate';
import { MESH_LABEL_KEYS } from '../mesh-membership';

/** The readable tier labels the app's Services, PodDisruptionBudgets, NetworkPolicies and mesh authorization select. */
export const TIER_SELECTOR_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of'] as const;
/** cert-manager's HTTP-01 solver pod label, which the namespace's `acme-solver-allow-ingress-controller` policy selects. */
export const ACME_SOLVER_LABEL = 'acme.cert-manager.io/http01-solver';
/** Label keys the app's selectors use: not the user's to set (app-wide `labels`, a tier's `podLabels`). */
export const RESERVED_LABELS: readonly string[] = [...TIER_SELECTOR_LABELS, ACME_SOLVER_LABEL];

/** The DNS domains of the meshes' own label and annotation keys (the domain itself and its subdomains). */
const MESH_KEY_DOMAINS = ['istio.io', 'linkerd.io'];

/**
 * Is `key` a label or annotation key of a service mesh: its prefix is `istio.io`, `linkerd.io` or a
 * subdomain of them (compared lower-cased, as the API server compares annotation keys), or it is one
 * of the mesh's unprefixed namespace labels (`istio-injection`)?
 */
function isMeshKey(key: string): boolean {
  return MESH_LABEL_KEYS.includes(key) || keyInDomains(key, MESH_KEY_DOMAINS);
}

/** A tier's own pod labels and annotations, checked. */
export interface TierPodMetadata {
  /** Labels of the tier's pod template only (sorted). */
  readonly labels: Record<string, string>;
  /** Annotations of the tier's pod template (sorted). */
  readonly annotations: Record<string, string>;
}

/**
 * The tier's `podLabels` and `podAnnotations`, checked as the API server checks them (qualified-name
 * keys; label values of at most 63 characters; annotations 256 KiB in all) and refused where they
 * would change what the app selects or the tier's mesh membership (see the module comment). Errors
 * name the app and the field (`[chart/shop] backend.podLabels: ...`).
 */
export function tierPodMetadata(app: IConstruct, tier: AppTier, podLabels: unknown, podAnnotations: unknown): TierPodMetadata {
  const labelsProp = `${tier}.podLabels`;
  const annotationsProp = `${tier}.podAnnotations`;
  const labels = validateLabels(app, labelsProp, podLabels as Record<string, string> | undefined);
  const annotations = validateAnnotations(app, annotationsProp, podAnnotations as Record<string, string> | undefined);
  for (const key of Object.keys(labels)) {
    if (key === ACME_SOLVER_LABEL) {
      throw propError(app, labelsProp, `'${key}' is cert-manager's HTTP-01 solver label: the namespace's policy `
        + `'acme-solver-allow-ingress-controller' admits the ingress controller to port 8089 of every pod carrying it, the ${tier} pods included. Remove it`);
    }
    if ((TIER_SELECTOR_LABELS as readonly string[]).includes(key)) {
      throw propError(app, labelsProp, `'${key}' is set by ThreeTierApp: the ${tier} tier's Service, PodDisruptionBudget, NetworkPolicies and mesh `
        + 'authorization select its pods by it, so another value would detach them from those (their policies would no longer apply). Remove it');
    }
  }
  refuseMeshKeys(app, labelsProp, labels, `the ${tier} pods alone`);
  refuseMeshKeys(app, annotationsProp, annotations, `the ${tier} pods alone`);
  refuseCniKeys(app, labelsProp, labels, 'labels', `the ${tier} pods alone`);
  refuseCniKeys(app, annotationsProp, annotations, 'annotations', `the ${tier} pods alone`);
  return { labels, annotations };
}

/**
 * Refuse the first service mesh key (`isMeshKey`) of `map`, the user's labels or annotations of `pods`
 * (`the backend pods alone`, `the app's pods`): see the module comment.
 */
export function refuseMeshKeys(app: IConstruct, prop: string, map: Record<string, string>, pods: string): void {
  const key = Object.keys(map).find(isMeshKey);
  if (key === undefined) return;
  throw propError(app, prop, `'${key}' is a service mesh key (istio.io, linkerd.io and their subdomains): on ${pods} it would `
    + 'change their mesh membership, the ports their proxy handles or their default inbound policy, which the app\'s NetworkPolicies and '
    + 'mesh authorization are written for (the membership the namespace gives every tier). Join the mesh per namespace (mesh: {}, or the '
    + 'zeroTrustNamespace\'s), and remove the key');
}
