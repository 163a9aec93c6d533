/**
 * Which outside clients the pods behind a load balancer Service admit on its target ports (internal),
 * judged by the analyzer's model of the lint's CNI (../analysis/cni-model modelFor), so that every
 * policy kind the analyzer evaluates counts: NetworkPolicy, Calico NetworkPolicy and
 * GlobalNetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, ClusterNetworkPolicy.
 * Without a CNI told, the Kubernetes model (plain NetworkPolicy semantics), under which Calico and
 * Cilium policies are foreign objects that leave the sides they may change indeterminate.
 *
 * The outside clients are the analyzer's external regions (../analysis/external-endpoints): the
 * CIDRs the policies name carve the address space into regions that every CIDR rule treats alike,
 * so one address answers for each region. Per pod, only the CIDRs that can bear on its ingress carve:
 * those of every object but the networking.k8s.io NetworkPolicies, and of the NetworkPolicies that
 * select the pod (one that does not select it has no rule for it under any CNI), so that a run with
 * many Services, each with its own ranges, asks each pod about a few regions rather than all of
 * them. Both families' roots are always asked (`::/0` too when no policy names an IPv6 block: a
 * Calico rule with `ipVersion: 6` admits every IPv6 client without naming one).
 */
import { LintDocument } from './document';
import { IngressPolicies, ServicePods, ServiceTarget } from './load-balancer-pods';
import { validDocuments } from './valid-documents';
import { modelFor } from '../analysis/cni-model';
import { EXTERNAL_PREFIX, externalEndpoint, externalFactsOf, ExternalRegion, externalRegions } from '../analysis/external-endpoints';
import { isNetworkPolicy, selectsEndpoint } from '../analysis/kubernetes/network-policy';
import { AnnotatedCniModel, describeRef, Endpoint, L4Protocol, serviceTargetPortOf } from '../analysis/model';
import { MAYBE, YES } from '../analysis/verdict';
import { Cni } from '../cluster/cni';
import { IpFamily } from '../cluster/ip-family';

/** What the pods behind one Service admit from outside the cluster on its target ports. */
export interface ClientAdmission {
  /**
   * Some address no policy names (the region outside every named block, of either family) is
   * admitted to some pod: every client the policies do not single out gets in.
   */
  readonly open: boolean;
  /** The admitted regions other than the open ones, as `203.0.113.0/24` (or `A except B`), first seen first (pods in order, regions in region order). */
  readonly ranges: readonly string[];
  /**
   * On some pod and target, some region is admitted and another of the same IP family refused (both
   * definite): the admission depends on the client address.
   */
  readonly byAddress: boolean;
  /** `Kind ns/name rule (admits A, B)` for each policy rule that admits a region, in first-seen order (regions in region order). */
  readonly rules: readonly string[];
  /** Why some answer is indeterminate (the analyzer's uncertain lines, deduplicated); empty when every answer is definite. */
  readonly uncertain: readonly string[];
  /** Some pod and target was asked about (a target port that resolves on the pod). */
  readonly asked: boolean;
}

/** The analyzer's model of the lint's CNI and the external regions of one lint run. */
export interface ClientJudge {
  /** The analyzer's model of the lint's CNI over the run's valid documents. */
  readonly model: AnnotatedCniModel;
  /** The external regions a pod is asked about (see the module comment), cached by the CIDRs that carve them. */
  regionsFor(endpoint: Endpoint): readonly ExternalRegion[];
}

const JUDGES = new WeakMap<readonly LintDocument[], Map<Cni | undefined, Map<string, ClientJudge>>>();

/**
 * The model of `cni` (the Kubernetes model when undefined) over the valid documents, built once per
 * lint run, CNI and IP families. `families`: the cluster's, whose roots are asked (both when not told).
 */
export function clientJudge(documents: readonly LintDocument[], cni: Cni | undefined, indexed: IngressPolicies,
  families?: readonly IpFamily[]): ClientJudge {
  const roots = families === undefined || families.length === 0 ? ['0.0.0.0/0', '::/0']
    : [...(families.includes(IpFamily.IPV4) ? ['0.0.0.0/0'] : []), ...(families.includes(IpFamily.IPV6) ? ['::/0'] : [])];
  let byCni = JUDGES.get(documents);
  if (byCni === undefined) JUDGES.set(documents, byCni = new Map());
  let byRoots = byCni.get(cni);
  if (byRoots === undefined) byCni.set(cni, byRoots = new Map());
  let judge = byRoots.get(roots.join(' '));
  if (judge === undefined) {
    const objects = validDocuments(documents).map((d) => d.obj);
    const model = modelFor(cni ?? Cni.kubernetes(), objects, indexed.inventory.namespaces);
    const base = [...externalFactsOf(objects.filter((o) => !isNetworkPolicy(o))).cidrs, ...roots];
    const ownCidrs = new WeakMap<object, readonly string[]>();
    const cidrsOf = (policy: LintDocument) => {
      let cidrs = ownCidrs.get(policy.obj);
      if (cidrs === undefined) ownCidrs.set(policy.obj, cidrs = externalFactsOf([policy.obj]).cidrs);
      return cidrs;
    };
    const byCidrs = new Map<string, readonly ExternalRegion[]>();
    const candidates = candidateIndex(indexed);
    const regionsFor = (endpoint: Endpoint): readonly ExternalRegion[] => {
      const selecting = candidates(endpoint).filter((p) => selectsEndpoint(p.obj, endpoint));
      const cidrs = [...new Set([...base, ...selecting.flatMap(cidrsOf)])].sort();
      const key = cidrs.join(' ');
      let regions = byCidrs.get(key);
      // Pod CIDRs are not known to the lint: every region counts as outside the cluster. The metadata address is a destination only.
      // externalRegions always carves 0.0.0.0/0: its root is left out when the cluster is told to be IPv6 only.
      if (regions === undefined) {
        const carved = externalRegions([{ cidrs, ports: [], internal: [] }]);
        byCidrs.set(key, regions = carved.filter((r) => !r.metadata && (!isRoot(r) || roots.includes(rootOf(r)))));
      }
      return regions;
    };
    byRoots.set(roots.join(' '), judge = { model, regionsFor });
  }
  return judge;
}

/**
 * The NetworkPolicies of an endpoint's namespace that may select it, in document order: those whose
 * podSelector has a `matchLabels` entry the endpoint carries, and those without one (a selector with
 * `matchLabels` selects only pods carrying all of them), so that a namespace of many policies is not
 * scanned whole for each pod.
 */
function candidateIndex(indexed: IngressPolicies): (endpoint: Endpoint) => readonly LintDocument[] {
  const byNamespace = new Map<string, { order: Map<LintDocument, number>; byLabel: Map<string, LintDocument[]>; rest: LintDocument[] }>();
  const indexOf = (namespace: string) => {
    let index = byNamespace.get(namespace);
    if (index === undefined) {
      index = { order: new Map(), byLabel: new Map(), rest: [] };
      for (const [i, policy] of indexed.policiesIn(namespace).entries()) {
        index.order.set(policy, i);
        const labels = policy.obj.spec?.podSelector?.matchLabels;
        const first = labels !== null && typeof labels === 'object' ? Object.entries(labels)[0] : undefined;
        if (first === undefined) {
          index.rest.push(policy);
        } else {
          const key = JSON.stringify(first);
          index.byLabel.set(key, [...index.byLabel.get(key) ?? [], policy]);
        }
      }
      byNamespace.set(namespace, index);
    }
    return index;
  };
  return (endpoint) => {
    const index = indexOf(endpoint.namespace ?? '');
    const hits = [...index.rest, ...Object.entries(endpoint.labels).flatMap((entry) => index.byLabel.get(JSON.stringify(entry)) ?? [])];
    return hits.sort((a, b) => index.order.get(a)! - index.order.get(b)!);
  };
}

/** Is the region the one outside every block the policies name (`external 0.0.0.0/0 ...` or `external ::/0 ...`)? */
function isRoot(region: ExternalRegion): boolean {
  const block = rootOf(region);
  return block === '0.0.0.0/0' || block === '::/0';
}

/** The block a region is carved from (`0.0.0.0/0` for `external 0.0.0.0/0 except ...`). */
function rootOf(region: ExternalRegion): string {
  return region.name.slice(EXTERNAL_PREFIX.length).split(' ')[0];
}

/**
 * The target's port number on the pod: a number as is, a name resolved as Kubernetes' FindPort does (containers, then native
 * sidecars; never a plain init container's port), undefined when it does not resolve (the pod is no endpoint of the port).
 */
function portOn(endpoint: Endpoint, target: ServiceTarget): number | undefined {
  if (typeof target.port === 'number') return target.port;
  return serviceTargetPortOf(endpoint, target.port, target.protocol);
}

/** What `pods` admit from each external region on `targets` (see {@link ClientAdmission}). */
export function clientAdmission(judge: ClientJudge, pods: ServicePods, targets: readonly ServiceTarget[]): ClientAdmission {
  let open = false;
  let byAddress = false;
  let asked = false;
  // Admitted regions by name, first seen first (pods in order, each pod's regions in region order).
  const admitted = new Set<string>();
  const rules = new Map<string, Set<string>>();
  const uncertain = new Set<string>();
  for (const { endpoint } of pods.pods) {
    for (const target of targets) {
      const port = portOn(endpoint, target);
      if (port === undefined || !['TCP', 'UDP', 'SCTP'].includes(target.protocol)) continue;
      asked = true;
      // By family: SNAT keeps the family, so a rule admitting all of one family and none of the other does not admit by address.
      const some = new Set<boolean>();
      const none = new Set<boolean>();
      for (const region of judge.regionsFor(endpoint)) {
        const query = {
          direction: 'ingress' as const,
          subject: endpoint,
          peer: externalEndpoint(region),
          port,
          protocol: target.protocol as L4Protocol,
          destination: endpoint,
        };
        const outcome = judge.model.decide(query);
        const v6 = rootOf(region).includes(':');
        if (outcome === YES) {
          some.add(v6);
          if (isRoot(region)) open = true;
          else admitted.add(region.name.slice(EXTERNAL_PREFIX.length));
          for (const reason of judge.model.evaluate(query).reasons) {
            if (reason.effect !== 'allow' || reason.object === undefined) continue;
            const where = `${describeRef(reason.object)}${reason.rule !== undefined ? ` ${reason.rule}` : ''}`;
            if (!rules.has(where)) rules.set(where, new Set());
            rules.get(where)!.add(region.name.slice(EXTERNAL_PREFIX.length));
          }
        } else if (outcome === MAYBE) {
          const why = judge.model.evaluate(query).uncertain ?? [];
          for (const line of why.length > 0 ? why : [`${region.name} to ${endpoint.name}: indeterminate`]) uncertain.add(line);
        } else {
          none.add(v6);
        }
      }
      byAddress ||= [...some].some((v6) => none.has(v6));
    }
  }
  return {
    open,
    byAddress,
    asked,
    ranges: [...admitted],
    rules: [...rules].map(([where, ranges]) => `${where} (admits ${[...ranges].join(', ')})`),
    uncertain: [...uncertain],
  };
}
