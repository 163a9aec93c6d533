/**
 * Port names declared with several numbers. A pod whose containers declare one name twice (the Pod
 * API asks for names unique within the pod, but accepts the same name in two containers):
 * Kubernetes' model matches a named port against every declaration, while Cilium keeps one number
 * per name for an endpoint (its named-port map holds one entry per name) and resolves a policy's
 * named port to that one only. Which declaration is kept is an implementation detail, so on the
 * declared numbers of such a name the side is indeterminate, wherever a policy of the manifests
 * names the port. For egress Cilium resolves the name over the pods that declare it (every pod, or
 * those the rule selects, depending on the version) and refuses it when they disagree: a name that
 * pods of the manifests declare with different numbers makes egress flows on those numbers
 * indeterminate too.
 *
 * Policies select pods as Cilium does: by their security identity, which leaves out the labels the
 * default label filter drops (a NetworkPolicy on `controller-revision-hash` selects nobody).
 *
 * Where the subject is not in default deny for the direction (no selecting Cilium rule enables it,
 * no NetworkPolicy isolates it), Cilium allows every flow of that side whatever number an allow
 * rule's name resolves to (https://docs.cilium.io/en/stable/security/policy/language/,
 * enableDefaultDeny): the name only matters there through deny rules that use it, or through L7
 * rules of the subject (which the resolved port number moves, and which an L3/L4 allow of the same
 * port lifts).
 */
import { Uncertainty } from './overlay';
import { isServedCiliumPolicy } from '../../util/vocabulary';
import { identityOf, selectorMatches } from '../cilium/identity';
import { identityRelevant } from '../cilium/label-filter';
import { ruleSetsOf } from '../cilium/policies';
import { hasL7Rules } from '../cilium/ports';
import { buildInventory } from '../inventory';
import { effectivePolicyTypes, isNetworkPolicy, selectsEndpoint } from '../kubernetes/network-policy';
import { Direction, Endpoint, ManifestObject, SideQuery, isPodNetworkEndpoint } from '../model';

/**
 * The pod as Cilium's identity shows it to a NetworkPolicy podSelector: without the labels the default
 * label filter drops (../cilium/label-filter; a podSelector reads pod labels only).
 */
function identityView(subject: Endpoint): Endpoint {
  return isPodNetworkEndpoint(subject) ? { ...subject, labels: identityRelevant(subject.labels) } : subject;
}

/** A policy's use of named ports in one direction: whom it selects and the names it uses. */
interface NamedPortUse {
  readonly direction: Direction;
  readonly names: ReadonlySet<string>;
  readonly denies: boolean;
  readonly selects: (subject: Endpoint) => boolean;
}

/** Whom a policy puts into default deny, or gives L7 rules, in one direction. */
interface SideEffect {
  readonly direction: Direction;
  readonly selects: (subject: Endpoint) => boolean;
}

/** Does one `ingress`/`egress` rule list hold a toPorts entry with L7 rules? */
function listHasL7(rules: unknown): boolean {
  return Array.isArray(rules) && rules.some((r: any) => Array.isArray(r?.toPorts) && r.toPorts.some((p: any) => !!p && hasL7Rules(p)));
}

/** The non-numeric `port` values under `value`. */
function portNames(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) portNames(v, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      // Cilium lower-cases port names; NetworkPolicy names are lower case already (IANA_SVC_NAME).
      if (key === 'port' && typeof inner === 'string' && !/^[0-9]+$/.test(inner.trim())) into.add(inner.trim().toLowerCase());
      else portNames(inner, into);
    }
  }
  return into;
}

/**
 * Where the Kubernetes and Cilium policies of the manifests use named ports (`uses`), and where they
 * put subjects into default deny or give them L7 rules (`effects`: a NetworkPolicy isolates whom it
 * selects in its policy types).
 */
function namedPortUses(manifests: ManifestObject[]): { uses: NamedPortUse[]; effects: SideEffect[] } {
  const uses: NamedPortUse[] = [];
  const effects: SideEffect[] = [];
  const add = (direction: Direction, names: Set<string>, denies: boolean, selects: (subject: Endpoint) => boolean) => {
    if (names.size > 0) uses.push({ direction, names, denies, selects });
  };
  for (const obj of manifests) {
    if (isNetworkPolicy(obj)) {
      const types = effectivePolicyTypes(obj);
      for (const direction of ['ingress', 'egress'] as const) {
        if (!types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
        // Cilium matches the podSelector against the identity, without the labels its filter drops.
        const selects = (subject: Endpoint) => selectsEndpoint(obj, identityView(subject));
        add(direction, portNames(obj.spec?.[direction]), false, selects);
        effects.push({ direction, selects });
      }
    } else if (isServedCiliumPolicy(obj)) {
      for (const rs of ruleSetsOf(obj)) {
        const selector = rs.subjectSelector;
        if (rs.rejected !== undefined || selector === undefined) continue;
        const selects = (subject: Endpoint) => selectorMatches(selector, identityOf(subject));
        add('ingress', portNames(rs.rule.ingress), false, selects);
        add('egress', portNames(rs.rule.egress), false, selects);
        add('ingress', portNames(rs.rule.ingressDeny), true, selects);
        add('egress', portNames(rs.rule.egressDeny), true, selects);
        for (const direction of ['ingress', 'egress'] as const) {
          if (rs.defaultDeny[direction] || listHasL7(rs.rule[direction])) effects.push({ direction, selects });
        }
      }
    }
  }
  return { uses, effects };
}

/** name/protocol keys of `names` the endpoint declares with more than one number, with those numbers. */
function ambiguousNames(endpoint: Endpoint, names: ReadonlySet<string>): Map<string, number[]> {
  const numbers = new Map<string, Set<number>>();
  for (const np of endpoint.namedPorts) {
    if (!names.has(np.name)) continue;
    const key = `${np.name}/${np.protocol}`;
    numbers.set(key, (numbers.get(key) ?? new Set()).add(np.port));
  }
  return new Map([...numbers].filter(([, ports]) => ports.size > 1).map(([key, ports]) => [key, [...ports]]));
}

/**
 * The uncertainty of the named ports Cilium resolves differently from the model (none when no policy
 * names a port that the manifests' pods declare with several numbers).
 */
export function ciliumNamedPortUncertainties(manifests: ManifestObject[]): Uncertainty[] {
  const { uses, effects } = namedPortUses(manifests);
  if (uses.length === 0) return [];
  const used = new Set(uses.flatMap((u) => [...u.names]));
  // name/protocol -> the numbers the pods of the manifests declare for it.
  const numbers = new Map<string, Set<number>>();
  for (const pod of buildInventory(manifests).pods) {
    for (const np of pod.endpoint.namedPorts) {
      const key = `${np.name}/${np.protocol}`;
      if (used.has(np.name)) numbers.set(key, (numbers.get(key) ?? new Set()).add(np.port));
    }
  }
  const conflicted = new Set([...numbers].filter(([, ports]) => ports.size > 1).map(([key]) => key));
  if (conflicted.size === 0) return [];
  const conflictedNames = new Set([...conflicted].map((key) => key.slice(0, key.lastIndexOf('/'))));
  const relevant = uses.filter((u) => [...u.names].some((n) => conflictedNames.has(n)));
  /**
   * The conflicted names the policies selecting `subject` in `direction` use where they matter
   * (cached per endpoint): every such name when the subject is in default deny or has L7 rules in
   * the direction, otherwise only those of deny rules.
   */
  const cache = new WeakMap<Endpoint, Partial<Record<Direction, Set<string>>>>();
  const namesFor = (subject: Endpoint, direction: Direction): Set<string> => {
    let perDirection = cache.get(subject);
    if (!perDirection) cache.set(subject, perDirection = {});
    let names = perDirection[direction];
    if (!names) {
      const selecting = isPodNetworkEndpoint(subject) ? relevant.filter((u) => u.direction === direction && u.selects(subject)) : [];
      const enforced = selecting.length > 0 && effects.some((e) => e.direction === direction && e.selects(subject));
      names = new Set(selecting.filter((u) => enforced || u.denies).flatMap((u) => [...u.names].filter((n) => conflictedNames.has(n))));
      perDirection[direction] = names;
    }
    return names;
  };
  /** Ingress: the destination pod itself declares a name its policies use with several numbers, this one among them. */
  const atPod = (q: SideQuery): boolean => [...ambiguousNames(q.destination, namesFor(q.subject, 'ingress'))]
    .some(([key, ports]) => key.endsWith(`/${q.protocol}`) && ports.includes(q.port));
  /** Egress: the destination declares, on this number, a name the source's policies use and other declarations number otherwise. */
  const acrossPods = (q: SideQuery): boolean => {
    const names = namesFor(q.subject, 'egress');
    return q.destination.namedPorts.some((np) => np.port === q.port && np.protocol === q.protocol && names.has(np.name)
      && conflicted.has(`${np.name}/${np.protocol}`));
  };
  return [{
    id: 'cilium-conflicting-named-ports',
    note: `port names that policies use and pods declare with several numbers (${[...conflicted].sort().join(', ')}): Cilium keeps one number `
      + 'per name for a pod (ingress) and refuses an egress named port whose pods disagree, so flows on those numbers are indeterminate',
    why: (direction) => (direction === 'ingress'
      ? 'the destination declares a port name that a policy uses with several numbers, and Cilium resolves the name to one of them'
      : 'the destination\'s port name that a policy uses has other numbers on other pods or containers, and Cilium refuses an egress '
        + 'named port whose pods disagree'),
    appliesTo: (subject, direction) => namesFor(subject, direction).size > 0,
    // `flows` reads the names the subject's policies use and (ingress) the subject's own declarations
    // of them; the inner key has neither where it is '' (no default deny and no deny rules: then
    // only L7 rules make the names matter, and the inner key does not hold those).
    subjectKey: (subject, direction) => {
      const names = namesFor(subject, direction);
      const own = direction === 'ingress' ? [...ambiguousNames(subject, names)].sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, ports]) => [key, [...ports].sort((a, b) => a - b)]) : [];
      return JSON.stringify([[...names].sort(), own]);
    },
    flows: (q) => (q.direction === 'ingress' ? atPod(q) : acrossPods(q)),
    // The model matches a named port on every declaration, Cilium on one at most: it can only allow
    // less, except where a deny rule names the port (Cilium then denies less).
    canAllow: (direction) => relevant.some((u) => u.direction === direction && u.denies),
    canDeny: () => true,
  }];
}
