/**
 * The container ports a pod template declares, and what a port name stands for on its pods
 * (internal): the same reading for the constructs' synth-time checks as the analyzer's inventory
 * (analysis/inventory `podFromTemplate`: containers, then init containers; protocol TCP when unset).
 * Who reads which: a Service's named `targetPort` the containers and native sidecars
 * (`serviceTargetPortNumber`), a Linkerd Server's port name the containers and all init containers (`linkerdServerPortNumbers`).
 */
import { isPlainObject } from './vocabulary';

/** One named container port of a pod template. */
export interface NamedContainerPort {
  /** `name`. */
  readonly name: string;
  /** `containerPort`. */
  readonly port: number;
  /** `protocol` (TCP when unset, as the API server defaults it). */
  readonly protocol: string;
  /** Declared by an init container with `restartPolicy: Always` (a sidecar) rather than a container. */
  readonly sidecar: boolean;
  /** Declared by an init container that is not a sidecar (it has exited before the pod serves). */
  readonly init: boolean;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The named ports of a pod template: its containers', then its init containers'. */
export function namedContainerPorts(template: unknown): NamedContainerPort[] {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const out: NamedContainerPort[] = [];
  const read = (containers: unknown[], initContainers: boolean) => {
    for (const c of containers) {
      if (!isPlainObject(c)) continue;
      const sidecar = initContainers && c.restartPolicy === 'Always';
      for (const p of list(c.ports)) {
        if (!isPlainObject(p) || typeof p.name !== 'string' || typeof p.containerPort !== 'number') continue;
        out.push({ name: p.name, port: p.containerPort, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', sidecar, init: initContainers && !sidecar });
      }
    }
  };
  read(list(spec.containers), false);
  read(list(spec.initContainers), true);
  return out;
}

/**
 * The TCP numbers the name `name` stands for as a Linkerd Server's `port` on the pods of `template`:
 * every TCP port of that name of its containers and init containers (native sidecars or not), as linkerd2's policy
 * controller reads them (policy-controller k8s index `pod_tcp_ports_by_name`, init containers read since
 * linkerd/linkerd2#14144, June 2025); empty when there is none.
 */
export function linkerdServerPortNumbers(template: unknown, name: string): number[] {
  return namedContainerPorts(template).filter((p) => p.name === name && p.protocol === 'TCP').map((p) => p.port);
}

/**
 * The number a Service's named `targetPort` resolves to on the pods of `template`, as the endpoint
 * controllers do (kubernetes pkg/api/v1/pod/util.go `FindPort`: the first port of that name and the
 * Service port's protocol in the containers, then in the sidecar init containers); undefined when no
 * such port exists (the pods are then no endpoint of that port).
 */
export function serviceTargetPortNumber(template: unknown, name: string, protocol: string): number | undefined {
  return namedContainerPorts(template).find((p) => !p.init && p.name === name && p.protocol === protocol)?.port;
}
