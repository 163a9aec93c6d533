/**
 * The one check, with one message, that a Cni or a Mesh given at a public entry point
 * (ClusterNetwork, PolicyLint, Reachability) was made by one of its factories. Internal (not
 * exported from the package index).
 */
import { Cni } from './cni';
import { cniChoicesText } from './cni-choices';
import { Mesh } from './mesh';
import { InputSite } from '../util/errors';
import { requireMade } from '../util/guards';

/** The Mesh factories as a program calls them, for messages. */
export const MESH_CHOICES_TEXT = 'Mesh.none(), Mesh.istio({ mode }) or Mesh.linkerd()';

/**
 * `value` if one of the Cni factories made it: `[site] prop: must be a Cni made by one of its
 * factories: <choices>, not ...` otherwise (see {@link requireMade}).
 */
export function requireMadeCni(site: InputSite, prop: string, value: unknown): Cni {
  return requireMade(site, prop, value, Cni, (x) => Cni._isMade(x), `a Cni made by one of its factories: ${cniChoicesText()}`);
}

/**
 * `value` if one of the Mesh factories made it: `[site] prop: must be a Mesh made by one of its
 * factories: <choices>, not ...` otherwise (see {@link requireMade}).
 */
export function requireMadeMesh(site: InputSite, prop: string, value: unknown): Mesh {
  return requireMade(site, prop, value, Mesh, (x) => Mesh._isMade(x), `a Mesh made by one of its factories: ${MESH_CHOICES_TEXT}`);
}
