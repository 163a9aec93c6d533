/**
 * Whether a LinkerdAuthorization Server's port is opaque for the pods it selects (internal).
 *
 * A Server's `proxyProtocol` decides the protocol of its port, over the pods'
 * `config.linkerd.io/opaque-ports`: inbound (the policy controller serves the Server's protocol to the
 * pod's proxy) and outbound (the destination controller tells clients resolving the pod whether to
 * send the connection opaque) (linkerd/linkerd2#6889; linkerd.io "TCP Proxying and Protocol
 * Detection": a Server's proxyProtocol takes precedence over the annotation). A Server left at the
 * default `unknown` turns protocol detection back on for a port the pods had opaque, and a
 * server-speaks-first protocol (MySQL, SMTP, NATS) then stalls until the detection timeout. So the
 * Server says `opaque` exactly where the pods have the port opaque, as the proxy injector makes them
 * (../../analysis/mesh/linkerd-opaque: the pod template's annotation, else its namespace's, else the
 * cluster default `proxy.opaquePorts` filtered by the container ports the pod declares).
 *
 * Read at synth time from the workloads and Namespace objects of the app (../../util/app-objects), so
 * workloads added after the flow count. The cluster's `proxy.opaquePorts` is not part of the Mesh
 * fact: it is assumed to be the install default ({@link LINKERD_DEFAULT_OPAQUE_PORTS}). Workloads
 * known to be outside the mesh (../../util/linkerd-injection: host network, `linkerd.io/inject` of the
 * pod template and its Namespace object, a namespace or pod label the injector's webhook leaves out) have no proxy and do not count; a workload whose namespace
 * is not in the app and that says nothing itself counts as meshed.
 */
import { IConstruct } from 'constructs';
import { LINKERD_DEFAULT_OPAQUE_PORTS } from '../../analysis/mesh/facts';
import { ClusterOpaquePorts, defaultOpaquePortsOf, OPAQUE_PORTS_ANNOTATION, opaquePortsOf } from '../../analysis/mesh/linkerd-opaque';
import { LinkerdPortsError, parseLinkerdPorts } from '../../analysis/mesh/linkerd-ports';
import { AppObjects, appObjects, namespaceObject, selectedWorkloads } from '../../util/app-objects';
import { linkerdInjection } from '../../util/linkerd-injection';
import { isPlainObject, stringMap } from '../../util/vocabulary';

/** The cluster's `proxy.opaquePorts`, assumed to be the install default (the Mesh fact does not carry the Helm values). */
const CLUSTER_OPAQUE: ClusterOpaquePorts = { list: parseLinkerdPorts(LINKERD_DEFAULT_OPAQUE_PORTS), given: false };

/** A Server's pods and port, as this module reads them. */
export interface ServerTarget {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly port: number;
}

/** One selected workload and whether the port is opaque on its pods. */
interface WorkloadProtocol {
  /** `StatefulSet shop/db (<construct path>)`. */
  readonly workload: string;
  /** Undefined when not known (`why` says why). */
  readonly opaque: boolean | undefined;
  readonly why: string;
}

/** What the app's workloads say about a Server's port. */
export interface ServerProtocol {
  /** True: opaque on every selected pod; false: on none; undefined: no selected workload, or not decided (see `problems`). */
  readonly opaque: boolean | undefined;
  /** Why `opaque` is true, for messages (the first opaque workload and its source). */
  readonly why: string;
  /** Selected pods that disagree, or whose opaque ports are not known: the Server's protocol cannot be chosen. */
  readonly problems: readonly string[];
}

/** The annotations of the Namespace object `namespace` in the app, undefined when the app has none. */
function namespaceAnnotations(objects: AppObjects, namespace: string): Record<string, string> | undefined {
  const ns = namespaceObject(objects, namespace);
  return ns ? stringMap(ns.json.metadata?.annotations) : undefined;
}

/** Whether the port is opaque on the pods of one workload (`template`), as the injector and the policy controller make it. */
function workloadProtocol(template: Record<string, any>, annotations: Record<string, string>, nsAnnotations: Record<string, string> | undefined,
  server: ServerTarget, workload: string): WorkloadProtocol {
  // A list the policy controller refuses (an invalid entry) is the empty set there, while the injector reads it leniently
  // (../../lint/rules/linkerd-port-annotation): which one a client's destination lookup follows was not checked.
  const text = annotations[OPAQUE_PORTS_ANNOTATION] ?? nsAnnotations?.[OPAQUE_PORTS_ANNOTATION];
  if (text !== undefined) {
    try {
      parseLinkerdPorts(text);
    } catch (e) {
      if (!(e instanceof LinkerdPortsError)) throw e;
      const where = annotations[OPAQUE_PORTS_ANNOTATION] !== undefined ? 'its pod template' : `namespace ${server.namespace}`;
      return { workload, opaque: undefined, why: `${where} annotates ${OPAQUE_PORTS_ANNOTATION} '${text}', which is not a Linkerd port list (${e.message})` };
    }
  }
  const endpoint = {
    kind: 'pod' as const, name: workload, namespace: server.namespace, labels: {}, namespaceLabels: {}, annotations, hostNetwork: false, namedPorts: [],
  };
  const ports = opaquePortsOf(endpoint, nsAnnotations, defaultOpaquePortsOf(template, CLUSTER_OPAQUE.list), CLUSTER_OPAQUE);
  if (ports === undefined) {
    return { workload, opaque: false, why: `no ${OPAQUE_PORTS_ANNOTATION}, and its containers declare none of the default opaque ports ${CLUSTER_OPAQUE.list.text}` };
  }
  if (ports.unsure?.has(server.port)) return { workload, opaque: undefined, why: ports.unsure.why };
  return { workload, opaque: ports.has(server.port), why: ports.source };
}

/**
 * Does the injector leave these pods without a proxy (so the Server's protocol does not matter to them)?
 * A Namespace object in the app without the annotation: its pods are not injected. No object: not known, counted.
 */
function knownUnmeshed(template: Record<string, any>, annotations: Record<string, string>,
  nsAnnotations: Record<string, string> | undefined, namespace: string): boolean {
  const podLabels = isPlainObject(template.metadata) && isPlainObject(template.metadata.labels) ? template.metadata.labels : undefined;
  return linkerdInjection(annotations, nsAnnotations, isPlainObject(template.spec) && template.spec.hostNetwork === true,
    { namespace, podLabels }).injected === false;
}

/**
 * Whether `server`'s port is opaque on the app's meshed pods it selects: the Server's protocol.
 * Deterministic (the app's objects in construct-tree order).
 */
export function serverProtocol(root: IConstruct, server: ServerTarget): ServerProtocol {
  const objects = appObjects(root);
  const nsAnnotations = namespaceAnnotations(objects, server.namespace);
  const found: WorkloadProtocol[] = [];
  for (const { object: { construct, json, namespace }, template } of selectedWorkloads(objects, server.namespace, server.labels)) {
    const annotations = stringMap(isPlainObject(template.metadata) ? template.metadata.annotations : undefined);
    if (knownUnmeshed(template, annotations, nsAnnotations, server.namespace)) continue;
    found.push(workloadProtocol(template, annotations, nsAnnotations, server, `${json.kind} ${namespace}/${json.metadata?.name} (${construct.node.path})`));
  }
  const head = `Server '${server.name}' (namespace ${server.namespace}, port ${server.port})`;
  const unknown = found.filter((w) => w.opaque === undefined);
  if (unknown.length > 0) {
    return {
      opaque: undefined,
      why: '',
      problems: unknown.map((w) => `${head} selects ${w.workload}, for whose pods whether port ${server.port} is opaque is not known: ${w.why}. `
        + `The Server's proxyProtocol overrides the pods' ${OPAQUE_PORTS_ANNOTATION} (linkerd/linkerd2#6889), so it must be chosen: `
        + `give ${OPAQUE_PORTS_ANNOTATION} a valid list of ports and ranges a-b on the pod template or its namespace`),
    };
  }
  const opaque = found.filter((w) => w.opaque);
  const plain = found.filter((w) => !w.opaque);
  if (opaque.length > 0 && plain.length > 0) {
    const list = (ws: WorkloadProtocol[]) => ws.map((w) => `${w.workload}: ${w.why}`).join('; ');
    return {
      opaque: undefined,
      why: '',
      problems: [`${head} selects pods on which port ${server.port} is opaque (${list(opaque)}) and pods on which it is not (${list(plain)}): `
        + `one Server has one proxyProtocol, which overrides the pods' ${OPAQUE_PORTS_ANNOTATION} (linkerd/linkerd2#6889), so either side would `
        + `change protocol. Give all of them the same ${OPAQUE_PORTS_ANNOTATION} for port ${server.port} (annotate the pod templates or their `
        + 'namespace), or target labels that select only one side'],
    };
  }
  if (found.length === 0) return { opaque: undefined, why: '', problems: [] };
  return { opaque: opaque.length > 0, why: opaque.length > 0 ? `${opaque[0].workload}: ${opaque[0].why}` : '', problems: [] };
}
