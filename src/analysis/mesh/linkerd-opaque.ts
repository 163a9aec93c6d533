/**
 * Which inbound ports of a meshed pod Linkerd treats as opaque when no Server describes them
 * (internal). linkerd2's policy controller makes the default inbound server of a port opaque when
 * the port is in the pod's `config.linkerd.io/opaque-ports` (policy-controller k8s index,
 * `default_inbound_server`: the pod's annotation only; its cluster `default_opaque_ports` serves
 * Services, in the outbound index). The proxy injector writes that annotation at admission
 * (controller/proxy-injector/webhook.go):
 *
 * - it first copies the namespace's `config.linkerd.io/*` annotations the pod lacks;
 * - if the pod still has no `config.linkerd.io/opaque-ports`, it writes the cluster default
 *   (Helm value `proxy.opaquePorts`, split on commas) filtered to the ports the pod's containers declare
 *   (`FilterPodOpaquePorts`; the injector's test data, controller/proxy-injector/fake/data
 *   filter-pod-opaque-ports.yaml, counts the `containerPort`s of containers and native-sidecar init
 *   containers), and nothing when the pod declares none of them. Whether it also counts plain init
 *   containers or checks the port protocol was not checked: plain init containers are left out, any
 *   protocol counts. How it compares a declared port with an entry that is not one plain port (a range
 *   `4000-4100`, ` 3306`) was not checked either: a declared port only such an entry covers may or may
 *   not be written, and the analysis says so ({@link OpaquePorts.unsure}).
 *
 * An opaque default server carries no HTTP route, so no probe route either.
 */
import { inLinkerdPorts, LinkerdPortList, linkerdPortSet } from './linkerd-ports';
import { byWorkloadTemplate, isPlainObject } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { Labels } from '../selectors';

/** The `config.linkerd.io/opaque-ports` annotation (pod, else namespace). */
export const OPAQUE_PORTS_ANNOTATION = 'config.linkerd.io/opaque-ports';

/** The opaque ports of one pod and where they come from. */
export interface OpaquePorts {
  readonly has: (port: number) => boolean;
  /** For messages: which annotation, or the injector's default. */
  readonly source: string;
  /**
   * Ports the injector may or may not have written (declared ports only an entry of `proxy.opaquePorts`
   * that is not one plain port covers), with why; absent when there are none.
   */
  readonly unsure?: { readonly has: (port: number) => boolean; readonly why: string };
}

/** The cluster default opaque ports a workload declares: those the injector writes, and those it may write. */
export interface DefaultOpaquePorts {
  readonly sure: readonly number[];
  readonly unsure: readonly number[];
}

/** `proxy.opaquePorts` and whether it was given (else assumed to be the install default). */
export interface ClusterOpaquePorts {
  readonly list: LinkerdPortList;
  readonly given: boolean;
}

/** The container ports a pod template declares, as the injector filters the default opaque ports by them. */
export function declaredContainerPorts(template: unknown): number[] {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  // Native sidecars (init containers with restartPolicy Always) run beside the application; other init containers do not.
  const sidecars = list(spec.initContainers).filter((c) => isPlainObject(c) && c.restartPolicy === 'Always');
  const ports = new Set<number>();
  for (const container of [...list(spec.containers), ...sidecars]) {
    if (!isPlainObject(container)) continue;
    for (const p of list(container.ports)) {
      if (isPlainObject(p) && typeof p.containerPort === 'number' && Number.isInteger(p.containerPort)) ports.add(p.containerPort);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Endpoint name (`namespace/workload`) -> the cluster default opaque ports (`defaults`, the Helm value
 * `proxy.opaquePorts`) its containers declare, for every workload of `manifests`.
 */
export function defaultOpaquePortsByWorkload(manifests: readonly ManifestObject[], defaults: LinkerdPortList): Map<string, DefaultOpaquePorts> {
  return byWorkloadTemplate(manifests, (template) => defaultOpaquePortsOf(template, defaults));
}

/** The cluster default opaque ports (`defaults`, the Helm value `proxy.opaquePorts`) a pod template's containers declare. */
export function defaultOpaquePortsOf(template: unknown, defaults: LinkerdPortList): DefaultOpaquePorts {
  const declared = declaredContainerPorts(template);
  return {
    sure: declared.filter((p) => defaults.plain.includes(p)),
    unsure: declared.filter((p) => !defaults.plain.includes(p) && inLinkerdPorts(defaults, p)),
  };
}

/**
 * The destination pod's opaque ports: its annotation, else its namespace's, else the injector's
 * default ones it declares (`defaults`, of the cluster's `proxy.opaquePorts`); undefined when none.
 */
export function opaquePortsOf(destination: Endpoint, namespaceAnnotations: Labels | undefined, defaults: DefaultOpaquePorts | undefined,
  cluster: ClusterOpaquePorts): OpaquePorts | undefined {
  const pod = destination.annotations?.[OPAQUE_PORTS_ANNOTATION];
  if (pod !== undefined) return { has: linkerdPortSet(pod), source: `the pod template annotation ${OPAQUE_PORTS_ANNOTATION}` };
  const ns = namespaceAnnotations?.[OPAQUE_PORTS_ANNOTATION];
  if (ns !== undefined) return { has: linkerdPortSet(ns), source: `namespace ${destination.namespace ?? 'default'} annotation ${OPAQUE_PORTS_ANNOTATION}` };
  if (defaults === undefined || defaults.sure.length + defaults.unsure.length === 0) return undefined;
  const clusterText = `the cluster default proxy.opaquePorts${cluster.given ? ` ${cluster.list.text}` : `, assumed to be the install default ${cluster.list.text}`}`;
  const unsure = defaults.unsure;
  return {
    has: (port) => defaults.sure.includes(port),
    source: `Linkerd's proxy injector, which annotates the pod ${OPAQUE_PORTS_ANNOTATION}: ${defaults.sure.join(',')} (the container ports it declares among `
      + `${clusterText})`,
    ...(unsure.length > 0 ? {
      unsure: {
        has: (port: number) => unsure.includes(port),
        why: `the pod declares the port, and ${clusterText} covers it only by an entry that is not one plain port: whether Linkerd's proxy `
          + `injector writes it into the pod's ${OPAQUE_PORTS_ANNOTATION} (making the port opaque) is not known (its filter of the default list by `
          + 'the declared container ports was not checked for such entries)',
      },
    } : {}),
  };
}
