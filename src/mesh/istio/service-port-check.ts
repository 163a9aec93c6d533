/**
 * Service ports named where Istio expects workload ports (internal).
 *
 * An AuthorizationPolicy's `to.operation.ports` and its `destination.port` condition match the port
 * of the connection as the destination workload receives it (istio/api security/v1beta1
 * authorization.proto, Operation.ports: the ports "as specified in the connection"; istio.io
 * "Authorization Policy Conditions", destination.port). A caller dialling a ClusterIP Service reaches
 * the pod on the Service's targetPort, so that is the port the sidecar sees (istio/istio's own
 * integration tests write the echo app's workload port, not its Service port, into port fields:
 * tests/integration/security/testdata/authz/not-port.yaml.tmpl, `WorkloadPort`). A flow that names a Service port whose targetPort is another number never
 * matches: a DENY denies nothing, an ALLOW admits nothing.
 *
 * Only what the app shows is judged: a Service of the app selecting the flow's target pods, and
 * workloads of the app among those pods whose containers declare their ports. Anything less is
 * unknown and allowed.
 */
import { IConstruct } from 'constructs';
import { appObjects, selectedWorkloads } from '../../util/app-objects';
import { hasLabels, isPlainObject, stringMap } from '../../util/vocabulary';
import { ValidatedFlow } from '../mesh-flow';

/** The ports the containers of one workload of the app declare (name -> number, and every number). */
interface TargetWorkload {
  readonly labels: Record<string, string>;
  readonly numbers: Set<number>;
  readonly named: Map<string, number>;
}

/** A Service port of the app: `port` and its raw `targetPort`. */
interface ServicePort {
  readonly service: string;
  readonly selector: Record<string, string>;
  readonly port: number;
  readonly targetPort: unknown;
}

function inventory(root: IConstruct, flow: ValidatedFlow): { workloads: TargetWorkload[]; ports: ServicePort[] } {
  const workloads: TargetWorkload[] = [];
  const ports: ServicePort[] = [];
  const objects = appObjects(root);
  for (const { json: obj } of objects.services.filter((o) => o.apiVersion === 'v1' && o.namespace === flow.namespace)) {
    const selector = stringMap(obj.spec?.selector);
    // A Service without selector has no pods of its own (its endpoints are managed by hand).
    if (Object.keys(selector).length === 0) continue;
    for (const p of Array.isArray(obj.spec?.ports) ? obj.spec.ports : []) {
      if (isPlainObject(p) && typeof p.port === 'number') ports.push({ service: String(obj.metadata?.name), selector, port: p.port, targetPort: p.targetPort });
    }
  }
  for (const { template, labels } of selectedWorkloads(objects, flow.namespace, flow.to)) {
    const spec = isPlainObject(template.spec) ? template.spec : {};
    const numbers = new Set<number>();
    const named = new Map<string, number>();
    for (const container of (Array.isArray(spec.containers) ? spec.containers : []).filter(isPlainObject)) {
      for (const p of (Array.isArray(container.ports) ? container.ports : []).filter(isPlainObject)) {
        if (typeof p.containerPort !== 'number') continue;
        numbers.add(p.containerPort);
        if (typeof p.name === 'string') named.set(p.name, p.containerPort);
      }
    }
    workloads.push({ labels, numbers, named });
  }
  return { workloads, ports };
}

/**
 * The workload port a Service port reaches on `pods`: `port` without targetPort, the number, or the
 * one number a named targetPort resolves to on those pods (undefined when unknown or ambiguous).
 */
function workloadPort(sp: ServicePort, pods: TargetWorkload[]): number | undefined {
  if (sp.targetPort === undefined) return sp.port;
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  if (typeof sp.targetPort !== 'string') return undefined;
  if (/^[0-9]+$/.test(sp.targetPort)) return Number(sp.targetPort);
  const found = new Set(pods.map((w) => w.named.get(sp.targetPort as string)));
  if (found.size !== 1) return undefined;
  return [...found][0];
}

/**
 * For each port a flow names (in `ports`, or as a `destination.port` condition value), the error when
 * it is a Service port of the app that reaches the target's pods on another port, and no workload of
 * the app among those pods listens on it.
 */
export function servicePortProblems(root: IConstruct, flow: ValidatedFlow, action: string): string[] {
  const named: Array<{ prop: string; port: number }> = flow.ports.map((port, i) => ({ prop: `flow '${flow.name}'.ports[${i}]`, port }));
  flow.when.forEach((c, i) => {
    if (c.key !== 'destination.port') return;
    (c.values ?? []).forEach((v, j) => named.push({ prop: `flow '${flow.name}'.when[${i}].values[${j}]`, port: Number(v) }));
  });
  if (named.length === 0) return [];
  const { workloads, ports } = inventory(root, flow);
  // Without the target's workloads (or with one whose containers declare no port) what they listen on is unknown.
  if (workloads.length === 0 || workloads.some((w) => w.numbers.size === 0)) return [];
  const listening = new Set(workloads.flatMap((w) => [...w.numbers]));
  // The Service ports selecting the target's pods (the Service's selector on a target workload's pods).
  const reaching = ports.map((sp) => {
    const pods = workloads.filter((w) => hasLabels(w.labels, sp.selector));
    return pods.length === 0 ? undefined : { sp, target: workloadPort(sp, pods) };
  }).filter((r): r is { sp: ServicePort; target: number | undefined } => r !== undefined);
  const problems: string[] = [];
  for (const { prop, port } of named) {
    if (listening.has(port)) continue;
    // Some Service sends to workload port `port` (or may: unknown): the flow may be right.
    if (reaching.some((r) => r.target === undefined || r.target === port)) continue;
    const wrong = reaching.find((r) => r.sp.port === port);
    if (!wrong) continue;
    const x = wrong.target!;
    const effect = action === 'DENY' ? 'denies nothing' : action === 'ALLOW' ? 'admits nothing' : 'audits nothing';
    problems.push(`${prop}: port ${port} is the port of Service '${flow.namespace}/${wrong.sp.service}', which forwards it to port ${x} of the `
      + `target's pods, and no container of the app's workloads it targets declares port ${port}. Istio matches the workload port (targetPort ${x}), `
      + `not the Service port ${port}, so this ${action} ${effect} on that traffic: name port ${x}`);
  }
  return problems;
}
