/**
 * The mesh PolicyLint is told about (`PolicyLintOptions.mesh` and the Linkerd installation values),
 * as the analyzer's mesh facts (internal). The conversion is the analyzer's own (`meshFactsOf`), so a
 * lint rule and `Reachability` read one Mesh alike.
 */
import { MeshFacts, meshFactsOf } from '../analysis/mesh/facts';
import { checkLinkerdValues, LINKERD_INSTALLATION_OPTION_KEYS, LinkerdOptions, withMeshLinkerdValues } from '../analysis/option-values';
import { requireMadeMesh } from '../cluster/made-by-factories';
import { IstioMode, Mesh, MeshKind } from '../cluster/mesh';
import { propError } from '../util/errors';

/** The cluster's mesh as the lint rules read it. */
export interface LintMesh {
  /** The mesh's facts; undefined for `Mesh.none()` (no mesh: the mesh rules do not apply). */
  readonly facts?: MeshFacts;
  /**
   * Which of the trust domain, the Istio root namespace and the control plane namespace the Mesh declared; the
   * others are install defaults the lint assumes, so the rules whose verdicts hang on them keep hedging as untold.
   */
  readonly declared: Mesh['_declared'];
}

/**
 * The Istio facts the Istio rules read when the lint is not told the mesh: membership as if ambient mode were
 * installed (a pod or namespace labelled `istio.io/dataplane-mode=ambient` counts as meshed, as do sidecar injection
 * labels), Istio's default root namespace (`istio-system`) and trust domain. Each rule says why that is its cautious reading.
 */
export const UNTOLD_ISTIO_FACTS: MeshFacts = meshFactsOf(Mesh.istio({ mode: IstioMode.AMBIENT }))!;

/** The options of PolicyLintOptions that describe the mesh (as the caller passed them: any type). */
export interface LintMeshOptions extends LinkerdOptions {
  readonly mesh?: unknown;
}

/** The Linkerd options, for the error naming the one given without a Linkerd mesh. */
const LINKERD_OPTIONS = Object.keys(LINKERD_INSTALLATION_OPTION_KEYS) as (keyof LinkerdOptions)[];

/**
 * The mesh of the options, checked at PolicyLint's public entry points: `mesh` must be a Mesh made by
 * its factories, the Linkerd values valid (as Reachability checks them) and given with a Linkerd mesh
 * only (otherwise they would change nothing, silently). Undefined when `mesh` is not given: the mesh
 * rules keep guessing the installation values.
 */
export function lintMeshOf(site: string, options: LintMeshOptions): LintMesh | undefined {
  const mesh = options.mesh === undefined ? undefined : requireMadeMesh(site, 'options.mesh', options.mesh);
  const linkerd = checkLinkerdValues(site, options);
  if (mesh?.kind !== MeshKind.LINKERD) {
    const given = LINKERD_OPTIONS.find((k) => options[k] !== undefined);
    if (given !== undefined) {
      throw propError(site, `options.${given}`, `applies to a Linkerd mesh only, but options.mesh is ${mesh === undefined ? 'not given' : mesh.displayName}: `
        + 'drop it, or lint with mesh: Mesh.linkerd()');
    }
  }
  return mesh === undefined ? undefined : { facts: meshFactsOf(mesh, withMeshLinkerdValues(site, mesh, linkerd)), declared: mesh._declared };
}
