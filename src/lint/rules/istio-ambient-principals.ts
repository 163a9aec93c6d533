import { isNamespace, isPlainObject, podServiceAccountOf, podTemplateOf } from '../../util/vocabulary';
import { LintDocument } from '../document';
import { namespaceOf } from '../kinds';

const DATAPLANE = 'istio.io/dataplane-mode';

/**
 * Does every principal name a ServiceAccount whose workloads in these manifests (at least one) all
 * run in Istio's ambient mesh, captured by ztunnel and without a sidecar? Such a workload never sends
 * plaintext to a meshed destination: ztunnel carries all of its TCP over HBONE with its identity
 * (istio.io "Ambient data plane", In Mesh Routing / Outbound: a request to a destination in the mesh is
 * upgraded to an HBONE tunnel; there is no per-client opt-out of mTLS as a sidecar's DestinationRule has), so a DENY naming it holds without STRICT. Principals are read as
 * `<trust domain>/ns/<namespace>/sa/<account>`; anything else (wildcards, other forms) is not.
 * Ambient capture as the ambient docs give it: `istio.io/dataplane-mode=ambient` on the pod, or on
 * the namespace and not `none` on the pod; any sidecar injection signal (namespace `istio-injection`
 * or `istio.io/rev`, pod `sidecar.istio.io/inject` or `istio.io/rev`) counts as not ambient.
 */
export function principalsAllAmbient(principals: unknown[], documents: readonly LintDocument[]): boolean {
  const namespaceLabels = new Map<string, Record<string, unknown>>();
  for (const d of documents) {
    if (isNamespace(d.obj) && typeof d.obj.metadata?.name === 'string') {
      namespaceLabels.set(d.obj.metadata.name, isPlainObject(d.obj.metadata.labels) ? d.obj.metadata.labels : {});
    }
  }
  return principals.length > 0 && principals.every((p) => {
    const m = typeof p === 'string' ? /^[^/*]+\/ns\/([^/*]+)\/sa\/([^/*]+)$/.exec(p) : null;
    if (!m) return false;
    const [, ns, account] = m;
    const nsLabels = namespaceLabels.get(ns) ?? {};
    const workloads = documents.flatMap((d) => {
      const template = podTemplateOf(d.obj);
      if (!template || namespaceOf(d.obj) !== ns) return [];
      return podServiceAccountOf(template) === account ? [template] : [];
    });
    return workloads.length > 0 && workloads.every((template) => {
      const labels: Record<string, unknown> = isPlainObject(template.metadata?.labels) ? template.metadata.labels : {};
      const sidecar = nsLabels['istio-injection'] !== undefined || nsLabels['istio.io/rev'] !== undefined
        || labels['sidecar.istio.io/inject'] !== undefined || labels['istio.io/rev'] !== undefined;
      const ambient = labels[DATAPLANE] === 'ambient' || (nsLabels[DATAPLANE] === 'ambient' && labels[DATAPLANE] === undefined);
      return ambient && !sidecar && !(isPlainObject(template.spec) && template.spec.hostNetwork === true);
    });
  });
}
