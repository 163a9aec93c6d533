/** The data behind a MeshSource (internal). */
export interface MeshSourceSpec {
  readonly kind: 'serviceAccount' | 'namespace' | 'principal' | 'anyMeshWorkload' | 'anyone';
  readonly name?: string;
  readonly namespace?: string;
  /** The workload the service account came from (messages). */
  readonly workload?: string;
}
