import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AppTier } from './tier-props';
import { internalError } from '../../util/errors';

/** One tier of a ThreeTierApp as its mesh authorization needs it (internal). */
export interface MeshTierPods {
  readonly tier: AppTier;
  /** The labels the app's policies and Services select the tier's pods by. */
  readonly podLabels: Record<string, string>;
  /** The tier's own ServiceAccount: its pods' mesh identity. */
  readonly serviceAccount: string;
  /** The tier's container port (what the NetworkPolicies allow). */
  readonly port: number;
}

/** What a ThreeTierApp asks the mesh layer to emit for its internal tier hops (internal). */
export interface MeshTierAuthorizationRequest {
  /** The construct the objects are created under (the app). */
  readonly scope: Construct;
  readonly namespace: string;
  readonly appName: string;
  /**
   * The namespace's Linkerd default inbound policy, when its mesh options set one (undefined: the
   * cluster's, assumed to be Linkerd's install default `all-unauthenticated`).
   */
  readonly linkerdDefaultInboundPolicy?: string;
  /**
   * The tier the ingress controller or Gateway reaches (the frontend), on its tier port: whom it
   * comes from is not known to the app (Linkerd `deny` namespace: the port gets a Server admitting anyone).
   */
  readonly entry: MeshTierPods;
  /** The hops, each "`from` may reach `to` on `to.port`, and on no other port of `to`". */
  readonly hops: ReadonlyArray<{ readonly from: MeshTierPods; readonly to: MeshTierPods }>;
}

/** What the mesh layer emitted, and what the app must add to its pods (internal). */
export interface MeshTierAuthorization {
  readonly objects: ApiObject[];
  /** Annotations for the pod templates of every destination tier of the hops. */
  readonly destinationPodAnnotations: Record<string, string>;
  /**
   * Linkerd: per destination tier, the name of the app's Server on the tier port, which admits the
   * source tier's identity only (a port-level AuthorizationPolicy of the user's on it names more callers).
   */
  readonly tierServers?: Record<string, string>;
}

/** Emits the mesh authorization of a request for the ClusterNetwork's mesh. */
export type MeshTierAuthorizer = (request: MeshTierAuthorizationRequest) => MeshTierAuthorization;

let authorizer: MeshTierAuthorizer | undefined;

/**
 * Called once by the mesh layer (src/mesh/three-tier-authorization.ts, loaded by the package index).
 * patterns/ sits below mesh/ and never imports it; the mesh layer, which owns IstioAuthorization and
 * LinkerdAuthorization (and Linkerd's registry of Servers, so that a user's flow to the same pods and
 * port shares the app's Server instead of overlapping it), plugs its writer in here.
 */
export function registerMeshTierAuthorizer(fn: MeshTierAuthorizer): void {
  authorizer = fn;
}

/** The mesh layer's writer; an internal error when the library was not loaded through its index. */
export function meshTierAuthorizer(): MeshTierAuthorizer {
  if (authorizer === undefined) {
    throw internalError('ThreeTierApp mesh authorization: the mesh layer (src/mesh/three-tier-authorization.ts) is not loaded; import the library '
      + 'through its index');
  }
  return authorizer;
}
