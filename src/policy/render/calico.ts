import { IConstruct } from 'constructs';
import { NAMESPACE_NAME_LABEL } from './kubernetes';
import { MAX_OBJECT_NAME, nameError } from './object-names';
import { assertNever, internalError } from '../../util/errors';
import { IntentRule, PolicyIntent, ResolvedPeer, ResolvedPort, directionsIn, rulesOf, sortedLabels } from '../intent';
import { LabelExpression, LabelOperator } from '../label-expression';
import { Protocol } from '../protocol';
import { Direction, RuleAction } from '../rule';
import { SharedRenderings, renderShared, renderedOnce } from './shared-rendering';

/** Which Calico tier a rendered policy goes to. */
export interface CalicoPlacement {
  /** Tier name; undefined = the `default` tier (where Calico also evaluates Kubernetes NetworkPolicies, at order 1000). */
  readonly tier?: string;
  /** Policy order inside the tier (lower first). */
  readonly order: number;
  /** Which rules go into this object. */
  readonly actions: RuleAction[];
  /** Whether this object isolates (lists `types` for the intent's isolated directions). */
  readonly isolating: boolean;
  /**
   * Appended to the intent's name in `metadata.name`, when one intent renders as two Calico
   * policies of the same kind and namespace (names are unique per kind and namespace across tiers).
   * @default '' (the intent's name)
   */
  readonly nameSuffix?: string;
}

/**
 * Build a projectcalico.org/v3 NetworkPolicy (namespaced intent) or GlobalNetworkPolicy
 * (cluster-wide intent). Semantics: https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy
 * Rules are evaluated in order; we put them in the intent's order, deny before allow (deny wins,
 * as on every CNI this library renders for). Note: Calico selectors also match the labels of
 * (Global)NetworkSets, so a namespace or `all()` peer also covers the IPs of NetworkSets in the
 * selected namespaces; NetworkPolicy and Cilium peers never do. This matters only on clusters that
 * define NetworkSets.
 */
export function calicoPolicyManifest(intent: PolicyIntent, placement: CalicoPlacement, owner?: IConstruct): any {
  const name = calicoPolicyName(intent, placement.nameSuffix ?? '', owner);
  const spec: any = {};
  if (placement.tier) spec.tier = placement.tier;
  spec.order = placement.order;
  spec.selector = calicoSelector(intent.podLabels);
  if (intent.namespace === undefined) spec.namespaceSelector = calicoSelector(intent.namespaceLabels);

  const directions: Direction[] = [];
  const seen = new Map<ResolvedPeer, any>();
  for (const direction of [Direction.INGRESS, Direction.EGRESS]) {
    const rules = [RuleAction.DENY, RuleAction.ALLOW]
      .filter((a) => placement.actions.includes(a))
      .flatMap((a) => rulesOf(intent, direction, a))
      .flatMap((r) => renderShared(CALICO_RULES, r, intent.namespace, () => calicoRules(r, intent.namespace, seen)));
    const isolates = placement.isolating && intent.isolate.includes(direction);
    if (rules.length > 0 || isolates) {
      directions.push(direction);
      // Copies of their length: flatMap and push leave room for 17 (see directionsIn in intent.ts).
      if (rules.length > 0) spec[direction === Direction.INGRESS ? 'ingress' : 'egress'] = rules.slice();
    }
  }
  spec.types = directionsIn((d) => directions.includes(d));

  const metadata: any = { name };
  if (intent.namespace !== undefined) metadata.namespace = intent.namespace;
  if (Object.keys(intent.labels).length) metadata.labels = sortedLabels(intent.labels);
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: intent.namespace === undefined ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
    metadata,
    spec,
  };
}

/**
 * `metadata.name` of a Calico policy: the intent's name (plus `suffix`), in every tier; the tier is
 * `spec.tier` alone.
 *
 * Calico 3.32 dropped the legacy `<tier>.` prefix from stored policy names (docs.tigera.io,
 * `calicoctl datastore migrate-policy-names`; NETWORKING-FACTS.md, Calico): the name is plain and
 * unique per kind and namespace across all tiers. Older Calico read the part of a policy name before
 * a dot as its tier and rejected a name whose prefix was not its `spec.tier`
 * (libcalico-go `names.ValidateTieredPolicyName`), so the name may contain no dot, and, like every
 * object name, at most 253 characters.
 */
export function calicoPolicyName(intent: PolicyIntent, suffix: string, owner?: IConstruct): string {
  const name = `${intent.name}${suffix}`;
  if (intent.name.includes('.')) {
    throw nameError(owner, intent.name, `'${intent.name}' contains a dot, which a Calico policy name must not: `
      + 'Calico reads the part before a dot as the tier (and rejects it unless it equals spec.tier); use \'-\' instead');
  }
  if (name.length > MAX_OBJECT_NAME) {
    throw nameError(owner, intent.name, `the Calico object name '<name>${suffix}' would be ${name.length} characters, over the `
      + `${MAX_OBJECT_NAME} Kubernetes and Calico allow: shorten the name to at most ${MAX_OBJECT_NAME - suffix.length} characters`);
  }
  return name;
}

/** The guard-rail Tier: evaluated before the default tier; unmatched traffic passes on to it. */
export function calicoTierManifest(name: string, order: number): any {
  return {
    apiVersion: 'projectcalico.org/v3',
    kind: 'Tier',
    metadata: { name },
    spec: { order, defaultAction: 'Pass' },
  };
}

/** Calico rules of shared intent rules (see renderShared). */
const CALICO_RULES: SharedRenderings<any[]> = new WeakMap();

/**
 * One intent rule becomes one Calico rule per (peer x protocol): Calico rules carry a single
 * protocol, and ports are only valid with a protocol.
 */
function calicoRules(rule: IntentRule, policyNamespace: string | undefined, seen: Map<ResolvedPeer, any>): any[] {
  const byProtocol = groupPorts(rule.ports);
  const out: any[] = [];
  for (const peer of rule.peers) {
    const entity = renderedOnce(seen, peer, () => calicoEntity(peer, policyNamespace));
    const protocols = byProtocol.size === 0 ? [undefined] : [...byProtocol.keys()];
    for (const protocol of protocols) {
      const ports = protocol ? byProtocol.get(protocol)! : [];
      const r: any = { action: rule.action };
      if (protocol) r.protocol = protocol;
      const portField = ports.length ? { ports: ports.slice() } : {};
      if (rule.direction === Direction.INGRESS) {
        r.source = entity;
        if (ports.length) r.destination = portField;
      } else {
        r.destination = { ...entity, ...portField };
      }
      out.push(r);
    }
  }
  return out;
}

/** Ports grouped by protocol; a protocol with "all ports" maps to an empty list. */
function groupPorts(ports: ResolvedPort[]): Map<Protocol, Array<number | string>> {
  const map = new Map<Protocol, Array<number | string>>();
  const all = new Set<Protocol>();
  for (const p of ports) {
    if (!map.has(p.protocol)) map.set(p.protocol, []);
    if (p.name !== undefined) map.get(p.protocol)!.push(p.name);
    else if (p.port === undefined) all.add(p.protocol);
    else if (p.endPort !== undefined) map.get(p.protocol)!.push(`${p.port}:${p.endPort}`);
    else map.get(p.protocol)!.push(p.port);
  }
  for (const protocol of all) map.set(protocol, []);
  return map;
}

function calicoEntity(peer: ResolvedPeer, policyNamespace: string | undefined): any {
  switch (peer.type) {
    case 'pods': {
      const out: any = { selector: calicoSelector(peer.podLabels) };
      // In a namespaced policy a bare selector means "this namespace"; in a global one, "anywhere".
      if (peer.namespace !== policyNamespace) out.namespaceSelector = calicoSelector({ [NAMESPACE_NAME_LABEL]: peer.namespace });
      return out;
    }
    case 'podsInNamespaces': {
      const out: any = { namespaceSelector: calicoNamespaceSelector(peer.namespaceLabels, peer.namespaceExpressions) };
      if (Object.keys(peer.podLabels).length) out.selector = calicoSelector(peer.podLabels);
      return out;
    }
    case 'cidr':
      return { nets: [peer.cidr], ...(peer.except.length ? { notNets: [...peer.except] } : {}) };
    case 'entity':
    case 'fqdn':
      // Calico open source has neither (capabilities entities/fqdn are false): refused before rendering.
      throw internalError(`peer ${peer.type} is not expressible in Calico open source`);
    default:
      return assertNever(peer, 'peer');
  }
}

/**
 * A rule's `namespaceSelector`. Calico prefixes its labels (`pcns.`) and matches the result against
 * every labelled thing, namespaced or not (libcalico-go updateprocessors/rules.go,
 * getEndpointSelector); only `all()` is rewritten to "any namespace". A selector made only of
 * negative terms (`env not in {'prod'}`, `!has(env)`) therefore also matches what has no namespace
 * labels at all: GlobalNetworkSets and HostEndpoints, i.e. arbitrary CIDRs and node addresses,
 * where NetworkPolicy, Cilium and ClusterNetworkPolicy match namespaces only. A positive term on the
 * label every namespace carries keeps it to namespaces.
 */
export function calicoNamespaceSelector(labels: Record<string, string>, expressions: LabelExpression[] = []): string {
  const positive = Object.keys(labels).length > 0
    || expressions.some((e) => e.operator === LabelOperator.IN || e.operator === LabelOperator.EXISTS);
  if (positive || expressions.length === 0) return calicoSelector(labels, expressions);
  return `has(${NAMESPACE_NAME_LABEL}) && ${calicoSelector(labels, expressions)}`;
}

/**
 * Calico selector for "all labels equal and all expressions hold": `a == 'x' && has(b)`, or
 * `all()`. https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
 */
export function calicoSelector(labels: Record<string, string>, expressions: LabelExpression[] = []): string {
  // Label values are restricted to [A-Za-z0-9-_.], so single quotes never need escaping.
  const terms = Object.keys(labels).sort().map((k) => `${k} == '${labels[k]}'`);
  const set = (values?: string[]) => `{${(values ?? []).map((v) => `'${v}'`).join(', ')}}`;
  for (const e of expressions) {
    switch (e.operator) {
      case LabelOperator.IN: terms.push(`${e.key} in ${set(e.values)}`); break;
      case LabelOperator.NOT_IN: terms.push(`${e.key} not in ${set(e.values)}`); break;
      case LabelOperator.EXISTS: terms.push(`has(${e.key})`); break;
      case LabelOperator.DOES_NOT_EXIST: terms.push(`!has(${e.key})`); break;
      default: assertNever(e.operator, 'label operator');
    }
  }
  return terms.length === 0 ? 'all()' : terms.join(' && ');
}
