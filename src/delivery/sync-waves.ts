import { ApiObject } from 'cdk8s';

/**
 * Argo CD sync waves of the install steps. Argo CD applies lower waves first and waits for their
 * objects to be healthy before the next wave (argo-cd.readthedocs.io "Sync Phases and Waves").
 * Everything the user's charts emit stays in wave 0, between the installs and the objects of the
 * APIs the installs bring.
 */
export const SyncWave = {
  /** Namespaces and ConfigMaps the charts need before they start (tigera-operator). */
  PREREQUISITES: -40,
  /** CRD charts (Calico's crd.projectcalico.org.v1 or projectcalico.org.v3). */
  CRDS: -30,
  /** Operators and agents (tigera-operator, cilium). */
  OPERATORS: -20,
  /** The operator's custom resources (Installation, APIServer, ...). */
  OPERATOR_RESOURCES: -10,
  /** Objects of APIs that exist only once an install runs (projectcalico.org/v3, cilium.io). */
  API_RESOURCES: 10,
} as const;

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
export const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

/** The annotations of an ApiObject so far (cdk8s keeps them private; read-only use). */
export function annotationsOf(obj: ApiObject): Record<string, string> {
  return (obj.metadata as unknown as { annotations: Record<string, string> }).annotations ?? {};
}

/**
 * Put `obj` in `wave`; with `skipDryRun`, also tell Argo CD not to fail the dry run when the kind's
 * CRD (or aggregated API) does not exist yet because an earlier wave is installing it. A wave the
 * user set is kept; other sync options are kept.
 */
export function placeInWave(obj: ApiObject, wave: number, skipDryRun: boolean): void {
  const annotations = annotationsOf(obj);
  if (annotations[SYNC_WAVE_ANNOTATION] === undefined) obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  if (!skipDryRun) return;
  const options = (annotations[SYNC_OPTIONS_ANNOTATION] ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (!options.includes(SKIP_DRY_RUN)) obj.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, [...options, SKIP_DRY_RUN].join(','));
}
