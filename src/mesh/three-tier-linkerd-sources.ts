/**
 * Under Linkerd a meshed ThreeTierApp's tier-port Servers admit exactly the source tier's mesh
 * identity, its ServiceAccount `<app>-<tier>` (./three-tier-authorization), while the NetworkPolicies
 * admit every pod carrying the source tier's labels. Two ways a pod the NetworkPolicies admit as the
 * source tier would be refused by the mesh, silently; refused at synth here instead, naming the
 * workload, unless an AuthorizationPolicy of the user's on the tier's Server (a port-level flow, or
 * one targeting the namespace) admits that very client (./three-tier-linkerd-callers): its identity,
 * or unauthenticated clients (a policy naming other callers only, Prometheus, does not count):
 *
 * - a workload of the app carrying the source tier's labels that runs as another ServiceAccount (a
 *   canary the app does not create, on `default`): its identity is not the tier's;
 * - a source-tier workload whose connection leaves its pod without the Linkerd identity, reaching
 *   the Server as an unauthenticated client: not injected (`linkerd.io/inject` other than `enabled`
 *   or `ingress` on the pod template: linkerd.io "Automatic proxy injection"; `hostNetwork` pods are
 *   never injected), or its proxy lets the port pass untouched (`config.linkerd.io/skip-outbound-ports`
 *   of the pod template, else of its Namespace object: linkerd.io "Proxy Configuration"). The app's
 *   pods are injected by their namespace; only an annotation or field added to a template (an
 *   escape hatch) changes that.
 *
 * Read as the analyzer reads membership (../analysis/mesh/membership), on the app's workloads.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { linkerdIdentity } from './mesh-identity';
import { linkerdPolicyObjects, namedCallers } from './three-tier-linkerd-callers';
import { parsePortSet } from '../analysis/mesh/membership';
import { MeshTierPods } from '../patterns/three-tier/mesh-tier-hops';
import { AppObjects, namespaceObject, selectedWorkloads } from '../util/app-objects';
import { LINKERD_INJECT_ANNOTATION, linkerdInjection } from '../util/linkerd-injection';
import { isPlainObject, podServiceAccountOf } from '../util/vocabulary';

const SKIP_OUTBOUND = 'config.linkerd.io/skip-outbound-ports';

/**
 * Problems of the hops whose source pods (as the NetworkPolicies see them) would reach the destination
 * tier's port without the source tier's Linkerd identity. `all`: the constructs of the tree (walked once
 * per check); `objects`: the app's objects among them (../util/app-objects); `tierServers`: per destination
 * tier, the app's Server on the tier port; `own`: the app's mesh objects.
 */
export function unauthenticatedSourceProblems(all: readonly IConstruct[], objects: AppObjects, namespace: string,
  hops: ReadonlyArray<{ readonly from: MeshTierPods; readonly to: MeshTierPods }>, tierServers: Record<string, string>,
  own: ReadonlySet<ApiObject>, identitySuffix: string): string[] {
  const nsObject = namespaceObject(objects, namespace);
  const nsShown = nsObject !== undefined;
  const nsAnnotations = nsObject?.json.metadata?.annotations;
  const nsAnnotationMap: Record<string, unknown> = isPlainObject(nsAnnotations) ? nsAnnotations : {};
  const nsSkip = nsAnnotationMap[SKIP_OUTBOUND];
  const policyObjects = linkerdPolicyObjects(all);
  const problems: string[] = [];
  for (const { from, to } of hops) {
    const server = tierServers[to.tier];
    if (server === undefined) continue;
    const callers = namedCallers(policyObjects, namespace, server, own, identitySuffix);
    for (const { object, template } of selectedWorkloads(objects, namespace, from.podLabels)) {
      const spec = isPlainObject(template.spec) ? template.spec : {};
      const annotations = isPlainObject(template.metadata) && isPlainObject(template.metadata.annotations) ? template.metadata.annotations : {};
      // Read as the proxy injector reads it (../util/linkerd-injection): an empty value is none, the Namespace's applies then.
      const injection = linkerdInjection(annotations, nsShown ? nsAnnotationMap : undefined, spec.hostNetwork === true);
      const skip = annotations[SKIP_OUTBOUND] !== undefined ? { value: annotations[SKIP_OUTBOUND], where: 'its pod template' }
        : { value: nsSkip, where: `the Namespace ${namespace}` };
      // The pod's identity is its ServiceAccount.
      const account = podServiceAccountOf(template);
      let why: string | undefined;
      if (callers.admitsUnauthenticated) continue;
      if (injection.hostNetwork === true) {
        why = 'its pods use hostNetwork, which Linkerd never injects';
      } else if (injection.injected === false && injection.at === 'pod') {
        // The Namespace's own annotation decides for the destination tiers too: only a template's opting out is the source's alone.
        why = `its pod template is annotated ${LINKERD_INJECT_ANNOTATION}: ${injection.value}`
          + `${injection.invalid ? ', a value the proxy injector does not know,' : ','} so its pods have no proxy`;
      } else if (typeof skip.value === 'string' && parsePortSet(skip.value, '').has(to.port)) {
        why = `${skip.where} lists port ${to.port} in ${SKIP_OUTBOUND}, so its proxy lets those connections pass without mutual TLS`;
      } else if (account !== from.serviceAccount && !callers.admitsIdentity(linkerdIdentity(account, namespace, identitySuffix))) {
        problems.push(`the ${object.kind} ${namespace}/${object.json.metadata?.name} (${object.construct.node.path}) carries the ${from.tier} tier's `
          + `labels, so the NetworkPolicies admit it to the ${to.tier} pods' port ${to.port} as the ${from.tier}, but it runs as the ServiceAccount `
          + `'${account}', and the app's Server '${server}' on that port admits the ${from.tier} identity (${from.serviceAccount}) only: Linkerd would `
          + `refuse it. Run it as '${from.serviceAccount}' (serviceAccountName), name its identity with a port-level flow to the ${to.tier} pods on `
          + `${to.port} (LinkerdAuthorization or MeshAuthorization: it joins the app's Server), or set meshTierAuthorization: false`);
        continue;
      }
      if (why === undefined) continue;
      problems.push(`the ${from.tier} tier's ${object.kind} ${namespace}/${object.json.metadata?.name} (${object.construct.node.path}) would reach the `
        + `${to.tier} pods' port ${to.port} without its Linkerd identity (${from.serviceAccount}): ${why}. The app's Server on that port admits `
        + `the ${from.tier} identity only, so Linkerd would refuse the hop. Keep the ${from.tier} pods meshed (remove the annotation), or set `
        + 'meshTierAuthorization: false and authorize the tiers in the mesh yourself');
    }
  }
  return problems;
}
