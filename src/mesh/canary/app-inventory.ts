import { IConstruct } from 'constructs';
import { appObjects } from '../../util/app-objects';

/** A Service defined in the app (internal). */
export interface AppService {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly ports: number[];
}

/** A workload defined in the app, by the labels of its pods (internal). */
export interface AppWorkload {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Record<string, string>;
}

const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

/**
 * The Services and workloads the app defines (every chart), read from their synthesized form so that
 * patches and lazy values are included (read once per validation walk: `appObjects`). Used by routes to
 * check that what they route to exists.
 */
export function appInventory(scope: IConstruct): { services: AppService[]; workloads: AppWorkload[] } {
  const objects = appObjects(scope);
  const services: AppService[] = objects.services.map(({ json: obj, namespace }) => ({
    name: obj.metadata?.name,
    namespace,
    selector: { ...(obj.spec?.selector ?? {}) },
    ports: (obj.spec?.ports ?? []).map((p: any) => p.port),
  }));
  const workloads: AppWorkload[] = [];
  for (const { kind, json: obj, namespace } of objects.workloads) {
    const name = obj.metadata?.name;
    if (kind === 'Pod') {
      workloads.push({ kind, name, namespace, podLabels: { ...(obj.metadata?.labels ?? {}) } });
    } else if (TEMPLATE_KINDS.includes(kind)) {
      workloads.push({ kind, name, namespace, podLabels: { ...(obj.spec?.template?.metadata?.labels ?? {}) } });
    }
  }
  return { services, workloads };
}

/** `{a=b,c=d}` for messages. */
export function showLabels(labels: Record<string, string>): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}}`;
}
