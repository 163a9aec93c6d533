/**
 * Policies of another CNI than the one analysed: Calico objects with `Cni.kubernetes()` or
 * `Cni.cilium()`, Cilium objects with `Cni.kubernetes()` or `Cni.calico()`, and Calico policies
 * written to the internal crd.projectcalico.org group (read by Calico, but not the served API the
 * analyzer evaluates). The chosen CNI says nothing about them, yet a cluster running that CNI after
 * all (`Cni.kubernetes()` is any NetworkPolicy implementation) enforces them: the sides of the
 * endpoints they select become indeterminate where their rules could change the verdict. Their own
 * selection is evaluated with their CNI's semantics, so unrelated flows keep their verdicts.
 */
import { isNodeLike, sideName, Uncertainty } from './overlay';
import { apiGroupOf, CALICO_STORAGE_GROUP, isCalicoPolicy, isPlainObject, isServedCiliumPolicy, namespaceOf } from '../../util/vocabulary';
import { calicoCanAllow, calicoPolicyTypes, compileCalicoPolicy } from '../calico/calico-policy';
import { NetworkSetIndex } from '../calico/network-sets';
import { LabelAtom, SelectorCache } from '../calico/selector';
import { identityOf, parseSelectorKey, selectorMatches } from '../cilium/identity';
import { ruleSetsOf } from '../cilium/policies';
import { effectivePolicyTypes, isNetworkPolicy, selectsEndpoint } from '../kubernetes/network-policy';
import { describeRef, Direction, Endpoint, ManifestObject, NamespaceIndex, refOf, isPodNetworkEndpoint } from '../model';
import { LabelSelector, matchesLabelSelector } from '../selectors';
import { labelSelectorAtoms, podUndecidableKeys, relaxed } from './controller-label-selection';
import { ciliumIgnoredLabelPattern } from '../../util/cilium-label-filter';

/** May the plain label selector select some pods of `subject` whose runtime labels it reads undecidably? */
function maySelectByRuntimeLabels(selector: LabelSelector, subject: Endpoint): boolean {
  const keys = podUndecidableKeys(labelSelectorAtoms(selector), subject);
  return keys.length > 0 && matchesLabelSelector(relaxed(selector, keys), subject.labels);
}

/** The same for a Cilium subject selector, matched against the subject's identity. */
function ciliumMaySelectByRuntimeLabels(selector: LabelSelector, subject: Endpoint): boolean {
  const keys = podUndecidableKeys(ciliumAtoms(selector), subject, (k) => ciliumIgnoredLabelPattern(k) === undefined);
  return keys.length > 0 && selectorMatches(relaxed(selector, keys, (k) => parseSelectorKey(k).key), identityOf(subject));
}

function calicoAtoms(cache: SelectorCache, selector: unknown): readonly LabelAtom[] {
  if (typeof selector !== 'string') return [];
  try {
    return cache.get(selector).atoms;
  } catch {
    return [];
  }
}

/** A Cilium subject selector's tests, by the pod label key (`k8s:` and source-less keys). */
function ciliumAtoms(selector: LabelSelector): LabelAtom[] {
  return labelSelectorAtoms(selector).flatMap((a) => {
    const { source, key } = parseSelectorKey(a.key);
    return source === 'k8s' || source === 'any' ? [{ ...a, key }] : [];
  });
}

function hasRules(list: unknown): boolean {
  return Array.isArray(list) && list.length > 0;
}

/** A Calico (Global)NetworkPolicy the model does not evaluate, as an uncertainty. */
function calicoUncertainty(obj: ManifestObject, namespaces: NamespaceIndex, cache: SelectorCache, why: string): Uncertainty {
  const id = describeRef(refOf(obj));
  const spec = obj.spec ?? {};
  const canAllow = calicoCanAllow(spec);
  // crd.projectcalico.org objects skip Calico's validation: whatever fails to compile may apply anywhere.
  let compiled: ReturnType<typeof compileCalicoPolicy>;
  try {
    compiled = compileCalicoPolicy(obj, cache);
  } catch {
    compiled = { skipped: 'not compilable' };
  }
  const ctx = { namespaces, networkSets: new NetworkSetIndex([]) };
  const global = obj.kind === 'GlobalNetworkPolicy';
  const hostOnly = !compiled.entry;
  const types = calicoPolicyTypes(spec);
  return {
    id,
    note: `${id} (${obj.apiVersion}) is not evaluated: ${why}; flows of the endpoints it selects are indeterminate where it could change them`,
    why: (direction) => `${id} may select ${sideName(direction)} and is not evaluated (${why})`,
    appliesTo: (subject, direction) => {
      if (!types.has(direction)) return false;
      if (isPodNetworkEndpoint(subject)) {
        // Host-endpoint-only policies (preDNAT, doNotTrack) still police traffic forwarded to pods.
        // A selector reading a label the pod's controller sets at runtime undecidably may select some of its pods.
        return hostOnly ? true : compiled.entry!.selects(subject, direction, ctx)
          || ((global || subject.namespace === namespaceOf(obj)) && podUndecidableKeys(calicoAtoms(cache, spec.selector), subject).length > 0);
      }
      // A GlobalNetworkPolicy may select the host endpoints of nodes (their labels are not in the manifests).
      return global && isNodeLike(subject);
    },
    canAllow,
    // A selecting policy with no matching rule ends its tier with Deny.
    canDeny: () => true,
  };
}

/** A Cilium policy the model does not evaluate, as an uncertainty. */
function ciliumUncertainty(obj: ManifestObject, why: string): Uncertainty {
  const id = describeRef(refOf(obj));
  const sets = ruleSetsOf(obj).filter((rs) => rs.rejected === undefined);
  const allows = (d: Direction) => sets.some((rs) => hasRules(rs.rule[d]));
  const denies = (d: Direction) => sets.some((rs) => rs.defaultDeny[d] || hasRules(rs.rule[d === 'ingress' ? 'ingressDeny' : 'egressDeny']));
  return {
    id,
    note: `${id} (${obj.apiVersion}) is not evaluated: ${why}; flows of the endpoints it selects are indeterminate where it could change them`,
    why: (direction) => `${id} selects ${sideName(direction)} and is not evaluated (${why})`,
    appliesTo: (subject, direction) => {
      if (!allows(direction) && !denies(direction)) return false;
      if (isPodNetworkEndpoint(subject)) {
        const identity = identityOf(subject);
        return sets.some((rs) => rs.subjectSelector !== undefined && (selectorMatches(rs.subjectSelector, identity)
          || ciliumMaySelectByRuntimeLabels(rs.subjectSelector, subject)));
      }
      // Host policies select nodes by node labels, which the manifests do not hold.
      return isNodeLike(subject) && sets.some((rs) => rs.rule?.nodeSelector !== undefined && rs.rule?.nodeSelector !== null);
    },
    canAllow: allows,
    canDeny: denies,
  };
}

/** The policy kinds {@link policyUncertainty} describes (a cheap test: describing compiles Calico policies). */
export function isDescribablePolicy(obj: ManifestObject): boolean {
  return isCalicoPolicy(obj) || isServedCiliumPolicy(obj) || isNetworkPolicy(obj);
}

/**
 * A policy object the model does not evaluate, whatever its kind (Kubernetes NetworkPolicy, Calico or
 * Cilium policy), as an uncertainty with `why`; undefined for other kinds.
 */
export function policyUncertainty(obj: ManifestObject, namespaces: NamespaceIndex, why: string): Uncertainty | undefined {
  if (!isDescribablePolicy(obj)) return undefined;
  if (isCalicoPolicy(obj)) return calicoUncertainty(obj, namespaces, new SelectorCache(), why);
  if (isServedCiliumPolicy(obj)) return ciliumUncertainty(obj, why);
  const id = describeRef(refOf(obj));
  const types = effectivePolicyTypes(obj);
  const podSelector: LabelSelector = isPlainObject(obj.spec?.podSelector) ? obj.spec.podSelector : {};
  return {
    id,
    note: `${id} (${obj.apiVersion}) is not evaluated: ${why}; flows of the pods it selects are indeterminate where it could change them`,
    why: (direction) => `${id} may select ${sideName(direction)} and is not evaluated (${why})`,
    appliesTo: (subject, direction) => types.includes(direction === 'ingress' ? 'Ingress' : 'Egress') && (selectsEndpoint(obj, subject)
      || (subject.namespace === namespaceOf(obj) && maySelectByRuntimeLabels(podSelector, subject))),
    canAllow: (direction) => hasRules(obj.spec?.[direction]),
    // A selecting NetworkPolicy isolates its pods for the direction, unless another one already does.
    canDeny: () => true,
    denyUnlessIsolated: true,
  };
}

/** Which CNI-specific policy families a CNI's model evaluates. */
export interface NativePolicies {
  /** projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy. */
  readonly calico: boolean;
  /** cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy. */
  readonly cilium: boolean;
}

/**
 * The uncertainties of the policy objects the CNI's model does not evaluate: Calico policies unless
 * it evaluates them (and always those in crd.projectcalico.org), Cilium policies likewise.
 */
export function foreignObjectUncertainties(
  manifests: ManifestObject[], namespaces: NamespaceIndex, cniName: string, native: NativePolicies,
): Uncertainty[] {
  const cache = new SelectorCache();
  const out: Uncertainty[] = [];
  for (const obj of manifests) {
    if (isCalicoPolicy(obj)) {
      if (apiGroupOf(obj) === CALICO_STORAGE_GROUP) {
        out.push(calicoUncertainty(obj, namespaces, cache, 'crd.projectcalico.org is Calico\'s internal storage API, which the analyzer does not read '
          + '(write projectcalico.org/v3 objects)'));
      } else if (!native.calico) {
        out.push(calicoUncertainty(obj, namespaces, cache, `a Calico policy, analysed for the ${cniName} CNI (a cluster that runs Calico enforces it)`));
      }
    } else if (isServedCiliumPolicy(obj) && !native.cilium) {
      out.push(ciliumUncertainty(obj, `a Cilium policy, analysed for the ${cniName} CNI (a cluster that runs Cilium enforces it)`));
    }
  }
  return out;
}
