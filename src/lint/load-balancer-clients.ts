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
 * so one address answers for each region.
 */
import { LintDocument } from './document';
import { IngressPolicies, ServicePods, ServiceTarget } from './load-balancer-pods';
import { validDocuments } from './valid-documents';
import { modelFor } from '../analysis/cni-model';
import { EXTERNAL_PREFIX, externalEndpoint, externalFactsOf, ExternalRegion, externalRegions } from '../analysis/external-endpoints';
import { AnnotatedCniModel, describeRef, Endpoint, L4Protocol } from '../analysis/model';
import { MAYBE, YES } from '../analysis/verdict';
import { Cni } from '../cluster/cni';

/** What the pods behind one Service admit from outside the cluster on its target ports. */
export interface ClientAdmission {
  /**
   * Some address no policy names (the region outside every named block, of either family) is
   * admitted to some pod: every client the policies do not single out gets in.
   */
  readonly open: boolean;
  /** The admitted regions other than the open ones, as `203.0.113.0/24` (or `A except B`), in region order. */
  readonly ranges: readonly string[];
  /**
   * On some pod and target, some region is admitted and another refused (both definite): the
   * admission depends on the client address.
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
  readonly model: AnnotatedCniModel;
  readonly regions: readonly ExternalRegion[];
}

const JUDGES = new WeakMap<readonly LintDocument[], Map<Cni | undefined, ClientJudge>>();

/** The model of `cni` (the Kubernetes model when undefined) over the valid documents, built once per lint run and CNI. */
export function clientJudge(documents: readonly LintDocument[], cni: Cni | undefined, indexed: IngressPolicies): ClientJudge {
  let byCni = JUDGES.get(documents);
  if (byCni === undefined) JUDGES.set(documents, byCni = new Map());
  let judge = byCni.get(cni);
  if (judge === undefined) {
    const objects = validDocuments(documents).map((d) => d.obj);
    const model = modelFor(cni ?? Cni.kubernetes(), objects, indexed.inventory.namespaces);
    // Pod CIDRs are not known to the lint: every region counts as outside the cluster. The metadata address is a destination only.
    const regions = externalRegions([{ ...externalFactsOf(objects), internal: [] }]).filter((r) => !r.metadata);
    byCni.set(cni, judge = { model, regions });
  }
  return judge;
}

/** Is the region the one outside every block the policies name (`external 0.0.0.0/0 ...` or `external ::/0 ...`)? */
function isRoot(region: ExternalRegion): boolean {
  const block = region.name.slice(EXTERNAL_PREFIX.length).split(' ')[0];
  return block === '0.0.0.0/0' || block === '::/0';
}

/** The target's port number on the pod: a number as is, a name resolved on the pod's named ports (undefined when it does not resolve). */
function portOn(endpoint: Endpoint, target: ServiceTarget): number | undefined {
  if (typeof target.port === 'number') return target.port;
  return endpoint.namedPorts.find((p) => p.name === target.port && p.protocol === target.protocol)?.port;
}

/** What `pods` admit from each external region on `targets` (see {@link ClientAdmission}). */
export function clientAdmission(judge: ClientJudge, pods: ServicePods, targets: readonly ServiceTarget[]): ClientAdmission {
  let open = false;
  let byAddress = false;
  let asked = false;
  const admitted = new Set<ExternalRegion>();
  const rules = new Map<string, Set<string>>();
  const uncertain = new Set<string>();
  for (const { endpoint } of pods.pods) {
    for (const target of targets) {
      const port = portOn(endpoint, target);
      if (port === undefined || !['TCP', 'UDP', 'SCTP'].includes(target.protocol)) continue;
      asked = true;
      let some = false;
      let none = false;
      for (const region of judge.regions) {
        const query = {
          direction: 'ingress' as const,
          subject: endpoint,
          peer: externalEndpoint(region),
          port,
          protocol: target.protocol as L4Protocol,
          destination: endpoint,
        };
        const outcome = judge.model.decide(query);
        if (outcome === YES) {
          some = true;
          if (isRoot(region)) open = true;
          else admitted.add(region);
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
          none = true;
        }
      }
      byAddress ||= some && none;
    }
  }
  return {
    open,
    byAddress,
    asked,
    ranges: judge.regions.filter((r) => admitted.has(r)).map((r) => r.name.slice(EXTERNAL_PREFIX.length)),
    rules: [...rules].map(([where, ranges]) => `${where} (admits ${[...ranges].join(', ')})`),
    uncertain: [...uncertain],
  };
}
