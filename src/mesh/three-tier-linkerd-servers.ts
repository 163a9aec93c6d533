/**
 * Servers of others on the ports of a meshed ThreeTierApp's Linkerd Servers (internal).
 *
 * Linkerd applies one Server to a pod's port; when two Servers select the same pod and port, one of
 * them is picked (the policy controller's index keeps one Server per pod port: NETWORKING-FACTS.md,
 * "Servers must not overlap on pod/port"; linkerd/linkerd2 policy-controller/k8s/index/src/inbound/index.rs).
 * LinkerdAuthorization refuses overlaps among the Servers it emits, the app's included, but a Server
 * written by hand (an ApiObject, an imported manifest) is not among them: if Linkerd picked it, the
 * app's policy on the tier port (the source tier's identity only) would not apply, and whom the pods'
 * port admits would be that Server's authorization (with `accessPolicy: all-unauthenticated`, anyone
 * the NetworkPolicies let through, over the proxy's 4143 from any port of the tier). Refused at synth.
 *
 * A Server's `port` is a number or the name of a container port (on each selected pod, every TCP
 * port of that name of its containers and init containers, native sidecars or not: linkerd2 policy
 * controller `pod_tcp_ports_by_name`, linkerd/linkerd2#14144), read here from the app's
 * workloads that carry the tier's labels. Its `podSelector` may overlap the tier's pods when its
 * `matchLabels` agree with the tier's labels and no `matchExpressions` requirement is surely false for them.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AppObjects, selectedWorkloads } from '../util/app-objects';
import { linkerdServerPortNumbers } from '../util/container-ports';
import { selectorsOverlap } from './linkerd/server-selectors';
import { isPlainObject, stringMap } from '../util/vocabulary';

/** One of the app's Linkerd Servers, as the overlap check reads it. */
export interface AppServerPods {
  /** The Server's name. */
  readonly name: string;
  /** Its port. */
  readonly port: number;
  /** The tier's pod labels it selects. */
  readonly labels: Readonly<Record<string, string>>;
  /** `the backend pods' port 8080`, for messages. */
  readonly what: string;
  /** Does a flow of the user's on the same pods and port join this Server (tier ports), or is it refused (admin port, frontend port)? */
  readonly takesFlows: boolean;
}

/** Could a pod carrying `labels` (and any others) satisfy every requirement of `expressions`? */
function expressionsMayHold(expressions: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!Array.isArray(expressions)) return true;
  return expressions.every((e) => {
    if (!isPlainObject(e) || typeof e.key !== 'string') return true;
    const own = labels[e.key];
    const values: unknown[] = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In': return own === undefined ? values.length > 0 : values.includes(own);
      case 'NotIn': return own === undefined || !values.includes(own);
      case 'DoesNotExist': return own === undefined;
      default: return true;
    }
  });
}

/** The pod templates of the app's workloads (`objects`) in `namespace` carrying `labels`. */
function templates(objects: AppObjects, namespace: string, labels: Readonly<Record<string, string>>): unknown[] {
  return selectedWorkloads(objects, namespace, { ...labels }).map((w) => w.template);
}

/** The numbers a Server's `port` may stand for on the pods of the app's workloads whose templates are `pods` (lazily read). */
function serverPortNumbers(port: unknown, pods: () => unknown[]): number[] {
  if (typeof port === 'number') return [port];
  return typeof port === 'string' ? pods().flatMap((template) => linkerdServerPortNumbers(template, port)) : [];
}

/**
 * The Servers in `namespace` other than the app's (`servers`, by name) that may select a pod and port
 * of one of the app's Servers, as problems naming both. `all`: the constructs of the tree (walked once
 * per check); `objects`: the app's objects among them (../util/app-objects).
 */
export function overlappingForeignServers(all: readonly IConstruct[], objects: AppObjects, namespace: string,
  servers: readonly AppServerPods[]): string[] {
  const appNames = new Set(servers.map((s) => s.name));
  const problems: string[] = [];
  // The pod templates of each app Server's pods, read once per check (not once per Server of others).
  const pods = new Map<AppServerPods, unknown[]>();
  const podsOf = (app: AppServerPods) => () => {
    const known = pods.get(app);
    if (known) return known;
    const read = templates(objects, namespace, app.labels);
    pods.set(app, read);
    return read;
  };
  for (const c of all) {
    if (!(c instanceof ApiObject) || c.kind !== 'Server' || c.apiVersion.split('/')[0] !== 'policy.linkerd.io'
      || c.metadata.namespace !== namespace || appNames.has(c.name)) continue;
    const spec = c.toJson().spec ?? {};
    const selector = spec.podSelector;
    // A Server of external workloads (externalWorkloadSelector) selects no pod.
    if (!isPlainObject(selector)) continue;
    for (const app of servers) {
      if (!serverPortNumbers(spec.port, podsOf(app)).includes(app.port)) continue;
      if (!selectorsOverlap(app.labels, stringMap(selector.matchLabels)) || !expressionsMayHold(selector.matchExpressions, app.labels)) continue;
      problems.push(`the Server '${c.name}' (${c.node.path}) may select ${app.what} (port ${JSON.stringify(spec.port)}, pods `
        + `${JSON.stringify(selector)}), which the app's Server '${app.name}' describes: Linkerd applies one Server per pod and port, and if it `
        + 'picked this one the app\'s authorization there would not apply. Select pods without the tier\'s labels or another port, '
        + (app.takesFlows ? 'name the callers with a LinkerdAuthorization or MeshAuthorization flow instead (a flow on the same pods and port joins '
          + 'the app\'s Server), ' : '')
        + 'or set meshTierAuthorization: false and authorize the tiers in the mesh yourself');
    }
  }
  return problems;
}
