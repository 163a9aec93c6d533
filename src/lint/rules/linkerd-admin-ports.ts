import { linkerdAdminPort } from '../../analysis/mesh/linkerd-admin-port';
import { LINKERD_OWNER_LABELS, linkerdOwnerLabels } from '../../analysis/mesh/linkerd-owner-labels';
import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_ANNOTATION } from '../../analysis/mesh/linkerd-probes';
import { LabelSelector } from '../../analysis/selectors';
import { isNamespace, podTemplateOf } from '../../util/vocabulary';
import { isObject, LintDocument } from '../document';
import { namespaceOf } from '../kinds';

/**
 * The admin port of a pod whose template annotates `pod` and whose namespace annotates `namespace`,
 * as the proxy injector reads them (../../analysis/mesh/linkerd-admin-port: the pod's value when it
 * has one, even one that is no number, which gives the default 4191). An admin port that is not
 * known (a value no port can be, whose pods the API server refuses) counts as the default 4191.
 */
function adminPortOf(pod: string | undefined, namespace?: string): number {
  return linkerdAdminPort(pod, namespace).port ?? LINKERD_ADMIN_PORT;
}

/**
 * Per namespace, the proxy admin ports its pods may have: the Namespace object's annotation (or 4191)
 * and each pod template's own. A namespace these manifests show nothing of is not in the map: its
 * admin port is 4191 as far as they tell.
 */
export function adminPortsByNamespace(documents: readonly LintDocument[]): Map<string, Set<number>> {
  const nsAnnotation = new Map<string, string | undefined>();
  for (const doc of documents) {
    if (!isNamespace(doc.obj) || typeof doc.obj.metadata?.name !== 'string' || nsAnnotation.has(doc.obj.metadata.name)) continue;
    const value = isObject(doc.obj.metadata.annotations) ? doc.obj.metadata.annotations[LINKERD_ADMIN_PORT_ANNOTATION] : undefined;
    nsAnnotation.set(doc.obj.metadata.name, typeof value === 'string' ? value : undefined);
  }
  const ports = new Map<string, Set<number>>();
  const note = (ns: string, port: number) => ports.set(ns, (ports.get(ns) ?? new Set()).add(port));
  for (const [ns, text] of nsAnnotation) note(ns, adminPortOf(undefined, text));
  for (const doc of documents) {
    const template = podTemplateOf(doc.obj);
    if (!template) continue;
    const own = isObject(template.metadata?.annotations) ? template.metadata.annotations[LINKERD_ADMIN_PORT_ANNOTATION] : undefined;
    const ns = namespaceOf(doc.obj);
    note(ns, adminPortOf(typeof own === 'string' ? own : undefined, nsAnnotation.get(ns)));
  }
  return ports;
}

const CONTROL_PLANE_NS = 'linkerd.io/control-plane-ns';

/**
 * The labels Linkerd's proxy injector adds to a meshed pod of `workload`, which a Server may select
 * by (`linkerd viz allow-scrapes` selects `linkerd.io/control-plane-ns` Exists): the control plane's
 * namespace (not in the manifests: the value `selector` asks for, else `linkerd`, so that an unknown
 * value never makes a Server miss the pod), `linkerd.io/workload-ns`, and the owner's name label
 * (analysis/mesh/linkerd-owner-labels; an owner the manifests do not settle: the one `selector` asks for).
 */
export function injectedLabels(workload: { kind?: unknown; metadata?: any }, namespace: string,
  selector: LabelSelector | undefined): Record<string, string> {
  const wanted = selector?.matchLabels?.[CONTROL_PLANE_NS]
    ?? selector?.matchExpressions?.find((e) => e.key === CONTROL_PLANE_NS && e.operator === 'In')?.values?.[0];
  const labels: Record<string, string> = { [CONTROL_PLANE_NS]: typeof wanted === 'string' ? wanted : 'linkerd', 'linkerd.io/workload-ns': namespace };
  const owner = linkerdOwnerLabels(workload);
  if ('labels' in owner) return { ...labels, ...owner.labels };
  const asked = Object.values(LINKERD_OWNER_LABELS).map((key) => [key, selector?.matchLabels?.[key]
    ?? selector?.matchExpressions?.find((e) => e.key === key && e.operator === 'In')?.values?.[0]]).find(([, value]) => typeof value === 'string');
  return asked ? { ...labels, [asked[0]!]: asked[1]! } : labels;
}
