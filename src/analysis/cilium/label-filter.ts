/**
 * Cilium's identity label filter applied to the analyzer's endpoints: Cilium policies (and the
 * NetworkPolicies it enforces) select security identities, which leave out the labels the default
 * filter drops (util/cilium-label-filter). A selector on such a key matches no pod (`DoesNotExist`
 * and `NotIn` on it match every pod).
 */
import { NAMESPACE_LABELS_PREFIX } from './identity';
import { ciliumIgnoredLabelPattern } from '../../util/cilium-label-filter';
import { Endpoint, isPodNetworkEndpoint, NamespaceIndex, namespaceLabelsOf } from '../model';
import { Labels } from '../selectors';


/** The labels Cilium keeps, given the prefix their keys carry in identities. */
export function identityRelevant(labels: Labels, prefix = ''): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (ciliumIgnoredLabelPattern(`${prefix}${k}`) === undefined) out[k] = v;
  return out;
}

/** Pod labels and namespace labels of the endpoint the filter drops, with their patterns; empty when none. */
export function droppedLabels(endpoint: Endpoint): string[] {
  if (!isPodNetworkEndpoint(endpoint)) return [];
  const out: string[] = [];
  for (const k of Object.keys(endpoint.labels)) {
    const pattern = ciliumIgnoredLabelPattern(k);
    if (pattern !== undefined) out.push(`pod label ${k} ('!${pattern}')`);
  }
  for (const k of Object.keys(endpoint.namespaceLabels)) {
    const pattern = ciliumIgnoredLabelPattern(`${NAMESPACE_LABELS_PREFIX}${k}`);
    if (pattern !== undefined) out.push(`namespace label ${k} ('!${pattern}')`);
  }
  return out;
}

/**
 * The note for a selector that matches `endpoint` only by labels Cilium leaves out of its identity;
 * `what` names the selector (`fromEndpoints[0]`, `CiliumNetworkPolicy shop/x`).
 */
export function labelFilterNote(what: string, endpoint: Endpoint): string {
  return `${what} matches ${endpoint.name} only by labels Cilium's default label filter leaves out of its security identity `
    + `(${droppedLabels(endpoint).join(', ')}), and policies select identities: it does not select ${endpoint.name} (the agent option `
    + '`labels`, Helm `labels`, can change the filter)';
}

/**
 * The endpoint as Cilium's identity sees it, for NetworkPolicy evaluation: pod labels and namespace
 * labels without the dropped keys. Endpoints outside the pod network are returned as they are.
 */
export class IdentityView {
  private readonly cache = new WeakMap<Endpoint, Endpoint>();

  constructor(private readonly namespaces: NamespaceIndex) {}

  of(endpoint: Endpoint): Endpoint {
    if (!isPodNetworkEndpoint(endpoint)) return endpoint;
    let view = this.cache.get(endpoint);
    if (!view) {
      view = {
        ...endpoint,
        labels: identityRelevant(endpoint.labels),
        namespaceLabels: identityRelevant(namespaceLabelsOf(endpoint, this.namespaces), NAMESPACE_LABELS_PREFIX),
      };
      this.cache.set(endpoint, view);
    }
    return view;
  }
}

