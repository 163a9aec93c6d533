import { LINKERD_ADMIN_PORT } from '../../analysis/mesh/linkerd-probes';
import { isNamespace, podTemplateOf } from '../../util/vocabulary';
import { isObject, LintDocument } from '../document';
import { namespaceOf } from '../kinds';

/**
 * Moves the injected Linkerd proxy's admin listener, its container port `linkerd-admin` and its own
 * probes (linkerd.io proxy configuration reference; pod template, else namespace: the injector copies
 * the namespace's `config.linkerd.io/*` annotations to pods that set none).
 */
export const ADMIN_PORT_ANNOTATION = 'config.linkerd.io/admin-port';

/** The admin port an annotation value gives: a port number, else the default 4191. */
export function adminPortOf(text: string | undefined): number {
  const port = text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return port >= 1 && port <= 65535 ? port : LINKERD_ADMIN_PORT;
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
    const value = isObject(doc.obj.metadata.annotations) ? doc.obj.metadata.annotations[ADMIN_PORT_ANNOTATION] : undefined;
    nsAnnotation.set(doc.obj.metadata.name, typeof value === 'string' ? value : undefined);
  }
  const ports = new Map<string, Set<number>>();
  const note = (ns: string, port: number) => ports.set(ns, (ports.get(ns) ?? new Set()).add(port));
  for (const [ns, text] of nsAnnotation) note(ns, adminPortOf(text));
  for (const doc of documents) {
    const template = podTemplateOf(doc.obj);
    if (!template) continue;
    const own = isObject(template.metadata?.annotations) ? template.metadata.annotations[ADMIN_PORT_ANNOTATION] : undefined;
    const ns = namespaceOf(doc.obj);
    note(ns, adminPortOf(typeof own === 'string' ? own : nsAnnotation.get(ns)));
  }
  return ports;
}
