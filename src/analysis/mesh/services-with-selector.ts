/**
 * The Services of a manifest set that select pods (internal): a Service with a non-empty `selector`.
 * One without a selector selects no pod (its endpoints are written by hand: ./istio-manual-endpoints).
 * Read once here for the Istio views that map pods to their Services (./istio-inbound-protocol,
 * ./istio-sidecar-egress, ./istio-waypoint).
 */
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { ManifestObject } from '../model';

/** A Service with a selector. */
export interface ServiceWithSelector {
  readonly obj: ManifestObject;
  readonly namespace: string;
  readonly name: string;
  /** The selector as the manifest gives it (an equality selector on the pods' labels). */
  readonly selector: Record<string, string>;
  /** `clusterIP: None`: a headless Service, which resolves to the pods' addresses. */
  readonly headless: boolean;
}

/** The Services of `manifests` with a non-empty selector, in manifest order. */
export function servicesWithSelector(manifests: readonly ManifestObject[]): ServiceWithSelector[] {
  const out: ServiceWithSelector[] = [];
  for (const obj of manifests) {
    if (!isKindOf(obj, '', 'Service')) continue;
    const selector = obj.spec?.selector;
    if (!isPlainObject(selector) || Object.keys(selector).length === 0) continue;
    out.push({ obj, namespace: namespaceOf(obj), name: nameOf(obj), selector: selector as Record<string, string>, headless: obj.spec?.clusterIP === 'None' });
  }
  return out;
}
