import { namespaceOf, stringMap } from '../../util/vocabulary';
import { isObject } from '../document';
import { ciliumValuesSources } from '../helm-values';
import { clientAdmission, clientJudge } from '../load-balancer-clients';
import { ingressPolicies, servicePods, serviceTargets, standInExact } from '../load-balancer-pods';
import { awsClientAddressOf, loadBalancerServices } from '../load-balancer-services';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'loadbalancer-cluster-policy-snat';
const FIX = 'set externalTrafficPolicy: Local (LoadBalancerService does by default), or send to the pods directly (AWS NLB IP targets with '
  + 'preserve_client_ip.enabled=true); Cilium\'s kube-proxy replacement keeps the client address only with loadBalancer.mode dsr, '
  + 'Calico\'s eBPF dataplane always (show its Installation or FelixConfiguration in the manifests)';

/**
 * `loadbalancer-cluster-policy-snat` (warning): a LoadBalancer Service with `externalTrafficPolicy:
 * Cluster` (or unset: Cluster is the default) whose pods admit outside clients by address on the
 * Service's target ports: some address admitted, another refused, as the analyzer's model of the
 * lint's CNI judges it (../load-balancer-clients: NetworkPolicy ipBlock, Calico `nets`, Cilium
 * `fromCIDR`/`fromCIDRSet`, ...; plain NetworkPolicy semantics when no CNI is told). Where the model
 * cannot tell (an object it does not evaluate exactly, a Calico or Cilium policy when no CNI is told),
 * an info says so and names what is unknown. A node that forwards load balancer traffic to a pod
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
 * `loadBalancer.mode` snat|dsr|hybrid, default snat), nor when they run Calico's eBPF dataplane (an
 * Installation with `calicoNetwork.linuxDataplane: BPF`, or without an Installation a FelixConfiguration
 * `default` with `bpfEnabled: true`), whose service handling "preserves external client source IP
 * addresses all the way to the pod" (docs.tigera.io calico operations/ebpf/enabling-ebpf, "Value"; its
 * `bpfExternalServiceMode` Tunnel or DSR both forward without SNAT). A preserving datapath that the manifests do not
 * show (LoadBalancerService's `clientAddressPreservedWithCluster` leaves no trace in the Service) is
 * still reported: the warning asks to check it.
 *
 * Exact for what the manifests show (the pods and ports as ../load-balancer-pods reads them); pods
 * admitting every address alike (an ipBlock of `/0` without `except`, Cilium's `world` entity, no
 * policy) are left alone, and so are Services without a selector. Without the workloads in the
 * manifests, a stand-in pod carrying the selector's labels is judged, unless a NetworkPolicy selects
 * it by a selector that may leave some of the Service's pods out (NotIn, DoesNotExist); a Calico or
 * Cilium selector of that kind is not detected.
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
    if (calicoEbpf(ctx)) return [];
    const dsr = ciliumDsrProtocols(ctx);
    const indexed = ingressPolicies(ctx.documents);
    const out: RuleReport[] = [];
    for (const doc of services) {
      const targets = serviceTargets(doc.obj).filter((t) => !dsr.has(t.protocol));
      if (targets.length === 0) continue;
      const pods = servicePods(doc.obj, indexed);
      if (!pods.shown && !standInExact(indexed.policiesIn(namespaceOf(doc.obj)), pods.pods[0].endpoint)) continue;
      const admission = clientAdmission(clientJudge(ctx.documents, ctx.cni, indexed, ctx.ipFamilies), pods, targets);
      const explicit = doc.obj.spec.externalTrafficPolicy === 'Cluster';
      const path = explicit ? 'spec.externalTrafficPolicy' : 'spec';
      const cluster = `externalTrafficPolicy Cluster${explicit ? '' : ' (the default)'}`;
      if (admission.byAddress) {
        out.push({
          doc,
          rule: RULE,
          severity: LintSeverity.WARNING,
          path,
          message: `sends load balancer traffic with ${cluster} to pods whose ingress is admitted by address: `
            + `${admission.rules.join(', ')}. A node forwarding to a pod on another node SNATs the client to its own address (kube-proxy; Cilium's kube-proxy `
            + 'replacement in SNAT mode), so those rules see the node, not the client: they drop the connection, or admit every client when they cover the nodes',
          fix: FIX,
        });
      } else if (admission.uncertain.length > 0) {
        out.push({
          doc,
          rule: RULE,
          severity: LintSeverity.INFO,
          path,
          message: `sends load balancer traffic with ${cluster}, which a node forwarding to a pod on another node SNATs to its own address; the analysis `
            + `cannot tell whether the pods' policies admit clients by address (then they would see the node): ${admission.uncertain.join('; ')}`,
          fix: `${FIX}; or lint with the cluster's CNI (PolicyLintOptions.cni) and show the policies it enforces`,
        });
      }
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

const CALICO_API_VERSIONS = new Set(['projectcalico.org/v3', 'crd.projectcalico.org/v1']);

/**
 * Do the manifests run Calico's eBPF dataplane? The Installation's `calicoNetwork.linuxDataplane: BPF`
 * (every Installation of the manifests, so a disagreeing one keeps the warning), or, without an
 * Installation (manifest installs, where the operator does not set the dataplane), the global
 * FelixConfiguration `default` with `bpfEnabled: true`.
 */
function calicoEbpf(ctx: LintContext): boolean {
  const objs = ctx.documents.map((d) => d.obj).filter(isObject);
  const installations = objs.filter((o) => o.apiVersion === 'operator.tigera.io/v1' && o.kind === 'Installation');
  if (installations.length > 0) return installations.every((o) => o.spec?.calicoNetwork?.linuxDataplane === 'BPF');
  return objs.some((o) => CALICO_API_VERSIONS.has(o.apiVersion) && o.kind === 'FelixConfiguration' && o.metadata?.name === 'default'
    && o.spec?.bpfEnabled === true);
}
