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
 *   (Helm value `proxy.opaquePorts`) filtered to the ports the pod's containers declare
 *   (`FilterPodOpaquePorts`; the injector's test data, controller/proxy-injector/fake/data
 *   filter-pod-opaque-ports.yaml, counts the `containerPort`s of containers and native-sidecar init
 *   containers), and nothing when the pod declares none of them. Whether it also counts plain init
 *   containers or checks the port protocol was not checked: plain init containers are left out, any
 *   protocol counts.
 *
 * An opaque default server carries no HTTP route, so no probe route either.
 */
import { byWorkloadTemplate, isPlainObject } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { Labels } from '../selectors';

/** The `config.linkerd.io/opaque-ports` annotation (pod, else namespace). */
export const OPAQUE_PORTS_ANNOTATION = 'config.linkerd.io/opaque-ports';

/**
 * Linkerd's install default of Helm value `proxy.opaquePorts` (linkerd.io "Protocol Detection and
 * Opaque Ports": SMTP 25 and 587, MySQL 3306, Galera 4444, PostgreSQL 5432, Redis 6379,
 * Elasticsearch 9300, Memcached 11211).
 */
export const LINKERD_DEFAULT_OPAQUE_PORTS: readonly number[] = [25, 587, 3306, 4444, 5432, 6379, 9300, 11211];

/** The opaque ports of one pod and where they come from. */
export interface OpaquePorts {
  readonly has: (port: number) => boolean;
  /** For messages: which annotation, or the injector's default. */
  readonly source: string;
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
 * Endpoint name (`namespace/workload`) -> the default opaque ports the injector writes onto its pods
 * (the declared container ports among {@link LINKERD_DEFAULT_OPAQUE_PORTS}), for every workload of `manifests`.
 */
export function defaultOpaquePortsByWorkload(manifests: readonly ManifestObject[]): Map<string, readonly number[]> {
  return byWorkloadTemplate(manifests, (template) => declaredContainerPorts(template).filter((p) => LINKERD_DEFAULT_OPAQUE_PORTS.includes(p)));
}

/**
 * The destination pod's opaque ports: its annotation, else its namespace's, else the injector's
 * default ones it declares (`defaults`); undefined when none.
 */
export function opaquePortsOf(destination: Endpoint, namespaceAnnotations: Labels | undefined, defaults: readonly number[] | undefined,
  parse: (text: string) => (port: number) => boolean): OpaquePorts | undefined {
  const pod = destination.annotations?.[OPAQUE_PORTS_ANNOTATION];
  if (pod !== undefined) return { has: parse(pod), source: `the pod template annotation ${OPAQUE_PORTS_ANNOTATION}` };
  const ns = namespaceAnnotations?.[OPAQUE_PORTS_ANNOTATION];
  if (ns !== undefined) return { has: parse(ns), source: `namespace ${destination.namespace ?? 'default'} annotation ${OPAQUE_PORTS_ANNOTATION}` };
  if (defaults === undefined || defaults.length === 0) return undefined;
  return {
    has: (port) => defaults.includes(port),
    source: `Linkerd's proxy injector, which annotates the pod ${OPAQUE_PORTS_ANNOTATION}: ${defaults.join(',')} (the container ports it declares among `
      + `the cluster default proxy.opaquePorts, assumed to be the install default ${LINKERD_DEFAULT_OPAQUE_PORTS.join(',')})`,
  };
}
