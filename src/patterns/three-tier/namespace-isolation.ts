/**
 * Whether a ThreeTierApp's namespace keeps its tiers apart (internal): an allow that applies to every
 * pod of the namespace, the database included, beyond DNS and the mesh's own needs, opens the
 * database to others or lets it reach more than DNS. Found in the zero-trust namespace's blanket
 * allows and in policies of the namespace declared elsewhere (its own TrafficPolicies and
 * EgressAllowLists, cluster-wide ones whose namespace selector the namespace's known labels satisfy).
 */
import { Construct } from 'constructs';
import { appliesToNamespace } from './mesh-tier-conflicts';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { Direction } from '../../policy/rule';
import { TrafficPolicy } from '../../policy/traffic-policy';
import { openBlanketRules } from '../blanket-allows';
import { ZeroTrustNamespace } from '../zero-trust-namespace';

/**
 * What is wrong with running the app `app` in `ns`: an allow that applies to every pod of the
 * namespace (ZeroTrustNamespace.blanketAllows), the database included, beyond DNS and the mesh's
 * own needs (control plane, proxy metrics, probes: they open no pod to another). Asked of the
 * namespace, never matched by policy name, so a blanket allow under any name, or added later, is
 * found. Empty when the namespace keeps the tiers apart.
 */
export function blanketAllowProblems(ns: ZeroTrustNamespace, app: string): string[] {
  if (!ns.opensToAllPods()) return [];
  const byPolicy = new Map<string, string[]>();
  for (const a of ns.blanketAllows().filter((allow) => !allow.dnsOnly && !allow.meshOnly)) {
    const rule = `${a.direction === Direction.INGRESS ? 'ingress from' : 'egress to'} ${a.peers.join(', ')} on `
      + `${a.ports.length > 0 ? a.ports.join(', ') : 'every port'}`;
    byPolicy.set(a.policyName, [...(byPolicy.get(a.policyName) ?? []), rule]);
  }
  const list = [...byPolicy].map(([policy, rules]) => `'${policy}' (${rules.join('; ')})`).join(', ');
  return [`'${ns.name}' has allows that apply to every pod of the namespace, the database included: ${list}. The database must be `
    + 'reachable only from the backend and reach nothing but DNS: create the namespace without them (ZeroTrustNamespace '
    + 'allowSameNamespace, monitoringPorts, ingressControllerPorts; TenantIsolation allowSameTenant: false, allowInternetEgress: false) '
    + `and allow what a tier needs for that tier, e.g. zeroTrustNamespace.allowEgress('${app}-backend-internet', `
    + 'app.podLabels(AppTier.BACKEND), [Peer.internet()], [Port.tcp(443)])'];
}

/**
 * Policies in the namespace of the app `app` declared outside its zero-trust namespace (a TrafficPolicy or an
 * EgressAllowList of its own, in any chart of the app) that select every pod and allow more than
 * DNS and the mesh's needs: they open the database just as a blanket allow of the namespace does.
 */
export function otherBlanketAllows(app: Construct, ns: ZeroTrustNamespace): string[] {
  const cluster = ClusterNetwork.of(app);
  const meshNeeds = ns.meshed ? cluster.mesh.networkNeeds() : undefined;
  // The namespace's labels as far as this app knows them: a cluster-wide policy whose namespace
  // selector they satisfy (or that has none) applies to the namespace as well.
  const nsLabels = knownNamespaceLabels(ns);
  const inNamespace = (intent: TrafficPolicy['_intent']) => appliesToNamespace(intent, ns.name, nsLabels);
  const problems: string[] = [];
  for (const c of app.node.root.node.findAll()) {
    if (!(c instanceof TrafficPolicy) || !inNamespace(c._intent) || c.node.scopes.includes(ns)) continue;
    const open = openBlanketRules(cluster, c._intent, meshNeeds);
    if (open.length === 0) continue;
    const scope = c._intent.namespace === undefined ? 'the cluster-wide policy' : 'the policy';
    problems.push(`${scope} '${c._intent.name}' (${c.node.path}) selects every pod of '${ns.name}', the database included, and allows `
      + `${open.map((r) => r.origin).join(', ')}: the database must be reachable only from the backend and reach nothing but DNS. `
      + 'Select the pods that need it instead (e.g. podSelector: app.podLabels(AppTier.BACKEND))');
  }
  return problems;
}

/** The namespace's labels as far as this app knows them (a cluster-wide policy whose namespace selector they satisfy applies there). */
export function knownNamespaceLabels(ns: ZeroTrustNamespace): Record<string, string> {
  return { ...(ns.namespaceObject?.metadata.toJson().labels ?? {}), 'kubernetes.io/metadata.name': ns.name };
}
