/**
 * A Calico policy's `serviceAccountSelector` matches the labels of the ServiceAccount a pod runs as
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy). The manifests give the
 * analyzer a pod's service account name only (`projectcalico.org/name`), so a selector on other
 * ServiceAccount labels (`role == 'frontend'`) may select pods the model counts as unselected. Where
 * the rest of the policy selects the subject and the name alone does not decide it, the sides the
 * policy could change are indeterminate.
 */
import { Uncertainty } from './overlay';
import { isServedCalicoPolicy } from '../../util/vocabulary';
import { calicoCanAllow, compileCalicoPolicy } from '../calico/calico-policy';
import { NetworkSetIndex } from '../calico/network-sets';
import { SelectorCache } from '../calico/selector';
import { describeRef, ManifestObject, refOf } from '../model';

/** The one ServiceAccount label the analyzer knows. */
const KNOWN_KEYS = new Set(['projectcalico.org/name']);

/** The uncertainties of policy-level service-account selectors on unknown labels, under `Cni.calico()`. */
export function calicoServiceAccountSelectorUncertainties(manifests: ManifestObject[]): Uncertainty[] {
  const cache = new SelectorCache();
  const ctx = { namespaces: new Map(), networkSets: new NetworkSetIndex([]) };
  const out: Uncertainty[] = [];
  for (const obj of manifests) {
    if (!isServedCalicoPolicy(obj)) continue;
    const expression = obj.spec?.serviceAccountSelector;
    if (typeof expression !== 'string' || expression.trim() === '') continue;
    let unknownKeys: string[];
    try {
      unknownKeys = [...cache.get(expression).labelKeys].filter((k) => !KNOWN_KEYS.has(k));
    } catch {
      continue; // An unparseable selector gets the policy rejected (see ../validation).
    }
    if (unknownKeys.length === 0) continue;
    const whole = compileCalicoPolicy(obj, cache).entry;
    const rest = compileCalicoPolicy({ ...obj, spec: { ...obj.spec, serviceAccountSelector: undefined } }, cache).entry;
    if (!whole || !rest) continue;
    const id = describeRef(refOf(obj));
    out.push({
      id,
      note: `${id} selects pods by ServiceAccount labels (${unknownKeys.join(', ')}), which the manifests do not give: the flows of pods its other `
        + 'selectors match are indeterminate where it could change them',
      why: (direction) => `${id} may select ${direction === 'ingress' ? 'the destination' : 'the source'} by its ServiceAccount's labels, which are not known`,
      appliesTo: (subject, direction) => rest.selects(subject, direction, ctx) && !whole.selects(subject, direction, ctx),
      canAllow: calicoCanAllow(obj.spec),
      // A selecting policy without a matching rule ends its tier with a Deny.
      canDeny: () => true,
    });
  }
  return out;
}
