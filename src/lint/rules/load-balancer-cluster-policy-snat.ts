import { buildInventory, InventoryPod } from '../../analysis/inventory';
import { effectivePolicyTypes, isNetworkPolicy, selectsEndpoint } from '../../analysis/kubernetes/network-policy';
import { Endpoint } from '../../analysis/model';
import { validateManifest } from '../../analysis/validation';
import { parseCidrLoose } from '../../util/cidr';
import { hasLabels, NAMESPACE_NAME_LABEL, namespaceOf, nameOf, stringMap } from '../../util/vocabulary';
import { asArray, isObject, jsonPath, LintDocument } from '../document';
import { ciliumValuesSources } from '../helm-values';
import { awsClientAddressOf, loadBalancerServices } from '../load-balancer-services';
import { protocolName } from '../ports';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'loadbalancer-cluster-policy-snat';

/** A Service port's target on the pods: protocol and port number or name (`targetPort`, else `port`). */
interface Target { readonly protocol: string; readonly port: number | string }

/**
 * `loadbalancer-cluster-policy-snat` (warning): a LoadBalancer Service with `externalTrafficPolicy:
 * Cluster` (or unset: Cluster is the default) whose pods are selected by a NetworkPolicy admitting
 * ipBlock sources on the Service's target ports. A node that forwards load balancer traffic to a pod
 * on another node SNATs it to its own address (kubernetes.io "Using Source IP", type=LoadBalancer;
 * kube-proxy marks external traffic of a Cluster Service for masquerade, kubernetes
 * pkg/proxy/iptables/proxier.go; Cilium's kube-proxy replacement too in its default `snat` mode,
 * cilium Documentation/network/kubernetes/kubeproxy-free.rst "Direct Server Return"), so the ipBlock
 * rule sees a node address: it drops those connections, or admits every client when its range holds
 * the nodes. Not reported for AWS NLB IP targets (`aws-load-balancer-nlb-target-type: ip`: the NLB
 * sends to the pod IPs, no node hop; whether it keeps the client address is
 * loadbalancer-client-ip-hidden's matter), nor when the manifests' Cilium values run the kube-proxy
 * replacement with `loadBalancer.mode: dsr` (every protocol) or `hybrid` (TCP ports): in DSR the backend
 * node sees the client address, so its policy can match it (kubeproxy-free.rst; chart values.yaml
 * `loadBalancer.mode` snat|dsr|hybrid, default snat). A preserving datapath that the manifests do not
 * show (LoadBalancerService's `clientAddressPreservedWithCluster` leaves no trace in the Service) is
 * still reported: the warning asks to check it.
 *
 * Exact for what the manifests show: the pods are the workloads of the manifests the Service's
 * selector picks; without any, a pod carrying exactly the selector's labels stands for them, judged
 * only by policies whose podSelector then selects every pod the Service can pick (matchLabels, `In`
 * and `Exists` only). Named target ports are resolved on the workloads' container ports; an ipBlock of
 * `/0` without `except` (every address, node addresses included) is left alone, and so are
 * Services without a selector.
 */
export const loadBalancerClusterPolicySnat: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const services = loadBalancerServices(ctx.documents).filter((d) => {
      const policy = d.obj.spec.externalTrafficPolicy;
      return (policy === undefined || policy === 'Cluster') && awsClientAddressOf(d.obj)?.ipTargets !== true
        && Object.keys(stringMap(d.obj.spec.selector)).length > 0;
    });
    if (services.length === 0) return [];
    const valid = ctx.documents.filter((d) => isObject(d.obj) && validateManifest(d.obj) === undefined);
    const policies = valid.filter((d) => isNetworkPolicy(d.obj) && effectivePolicyTypes(d.obj).includes('Ingress'));
    if (policies.length === 0) return [];
    const dsr = ciliumDsrProtocols(ctx);
    const inventory = buildInventory(valid.map((d) => d.obj));
    const out: RuleReport[] = [];
    for (const doc of services) {
      const namespace = namespaceOf(doc.obj);
      const selector = stringMap(doc.obj.spec.selector);
      const targets: Target[] = asArray(doc.obj.spec.ports).filter(isObject).map((p) => ({
        protocol: protocolName(p.protocol) ?? 'TCP',
        port: p.targetPort ?? p.port,
      })).filter((t) => !dsr.has(t.protocol));
      if (targets.length === 0) continue;
      const workloads = inventory.pods.filter((p) => p.endpoint.namespace === namespace && !p.endpoint.hostNetwork
        && hasLabels(p.endpoint.labels, selector));
      const pods: Array<{ endpoint: Endpoint; pod?: InventoryPod }> = workloads.length > 0 ? workloads.map((pod) => ({ endpoint: pod.endpoint, pod }))
        : [{ endpoint: probe(namespace, selector, inventory.namespaces.get(namespace)) }];
      const peers: string[] = [];
      for (const policy of policies) {
        if (workloads.length === 0 && !monotone(policy.obj.spec.podSelector)) continue;
        asArray(policy.obj.spec.ingress).forEach((rule, i) => {
          if (!isObject(rule)) return;
          asArray(rule.from).forEach((peer, j) => {
            if (!isObject(peer) || !isObject(peer.ipBlock) || everyAddress(peer.ipBlock)) return;
            const hit = pods.some(({ endpoint, pod }) => selectsEndpoint(policy.obj, endpoint)
              && targets.some((t) => ruleAdmits(rule.ports, t, pod)));
            if (hit) peers.push(`${label(policy)} ${jsonPath('spec', 'ingress', i, 'from', j)} (ipBlock ${String(peer.ipBlock.cidr)})`);
          });
        });
      }
      if (peers.length === 0) continue;
      const explicit = doc.obj.spec.externalTrafficPolicy === 'Cluster';
      out.push({
        doc,
        rule: RULE,
        severity: LintSeverity.WARNING,
        path: explicit ? 'spec.externalTrafficPolicy' : 'spec',
        message: `sends load balancer traffic with externalTrafficPolicy Cluster${explicit ? '' : ' (the default)'} to pods whose ingress is admitted by address: `
          + `${peers.join(', ')}. A node forwarding to a pod on another node SNATs the client to its own address (kube-proxy; Cilium's kube-proxy `
          + 'replacement in SNAT mode), so those rules see the node, not the client: they drop the connection, or admit every client when they cover the nodes',
        fix: 'set externalTrafficPolicy: Local (LoadBalancerService does by default), or send to the pods directly (AWS NLB IP targets with '
          + 'preserve_client_ip.enabled=true); Cilium\'s kube-proxy replacement keeps the client address only with loadBalancer.mode dsr',
      });
    }
    return out;
  },
};

/**
 * The protocols whose client address Cilium's kube-proxy replacement keeps, from the Cilium values in
 * the manifests: all with `loadBalancer.mode: dsr`, TCP with `hybrid` (UDP is SNATed), none otherwise.
 * Several values trees that disagree keep only what all of them keep.
 */
function ciliumDsrProtocols(ctx: LintContext): Set<string> {
  const sources = ciliumValuesSources(ctx.documents);
  if (sources.length === 0) return new Set();
  const kept = sources.map(({ values }) => {
    const kpr = values.kubeProxyReplacement === true || values.kubeProxyReplacement === 'true';
    const mode = isObject(values.loadBalancer) ? values.loadBalancer.mode : undefined;
    if (!kpr) return [];
    return mode === 'dsr' ? ['TCP', 'UDP', 'SCTP'] : mode === 'hybrid' ? ['TCP'] : [];
  });
  return new Set(kept.reduce((a, b) => a.filter((p) => b.includes(p))));
}

/** `NetworkPolicy ns/name`. */
function label(doc: LintDocument): string {
  return `NetworkPolicy ${namespaceOf(doc.obj)}/${nameOf(doc.obj)}`;
}

/** A pod of `namespace` with exactly the Service selector's labels, standing for the pods the Service picks. */
function probe(namespace: string, labels: Record<string, string>, namespaceLabels: Record<string, string> | undefined): Endpoint {
  return {
    kind: 'pod',
    name: `${namespace}/*`,
    namespace,
    labels,
    namespaceLabels: namespaceLabels ?? { [NAMESPACE_NAME_LABEL]: namespace },
    hostNetwork: false,
    namedPorts: [],
  };
}

/** Does a label selector that matches some labels match every superset of them (matchLabels, `In`, `Exists` only)? */
function monotone(selector: unknown): boolean {
  if (!isObject(selector)) return true;
  return asArray(selector.matchExpressions).every((e) => isObject(e) && (e.operator === 'In' || e.operator === 'Exists'));
}

/** An ipBlock of every address of its family, without except: admits the nodes as well as every client, whatever the SNAT. */
function everyAddress(block: Record<string, any>): boolean {
  return typeof block.cidr === 'string' && parseCidrLoose(block.cidr)?.prefix === 0 && asArray(block.except).length === 0;
}

/**
 * Do an ingress rule's `ports` admit the Service's target on the pod? No ports = every port; a named
 * port on either side is resolved on the workload's container ports, and without a workload matches
 * only the same name.
 */
function ruleAdmits(ports: unknown, target: Target, pod: InventoryPod | undefined): boolean {
  const list = asArray(ports);
  if (list.length === 0) return true;
  const resolve = (port: number | string): number | string | undefined => {
    if (typeof port === 'number') return port;
    if (pod === undefined) return port;
    return pod.ports.find((p) => p.name === port && p.protocol === target.protocol)?.port;
  };
  const wanted = resolve(target.port);
  if (wanted === undefined) return false;
  return list.some((entry) => {
    if (!isObject(entry) || (protocolName(entry.protocol) ?? 'TCP') !== target.protocol) return false;
    if (entry.port === undefined || entry.port === null) return true;
    const first = resolve(entry.port);
    if (typeof first === 'number' && typeof wanted === 'number') {
      return typeof entry.endPort === 'number' ? wanted >= first && wanted <= entry.endPort : wanted === first;
    }
    return first !== undefined && first === wanted;
  });
}
