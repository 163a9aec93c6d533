import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterNetwork } from '../cluster/cluster-network';
import { IstioMode, MeshKind } from '../cluster/mesh';
import { propError } from '../util/errors';
import { requireInstance, requireNumber } from '../util/guards';

/**
 * The ClusterNetwork of `scope`, checked to declare one of the meshes `kinds`: a mesh construct in
 * a chart whose context has no mesh (or another one) would emit objects nothing in the cluster
 * reads, or that the other mesh ignores.
 */
export function requireMesh(scope: IConstruct, what: string, kinds: MeshKind[]): ClusterNetwork {
  const cluster = ClusterNetwork.of(scope);
  if (!kinds.includes(cluster.mesh.kind)) {
    const wanted = kinds.map((k) => (k === MeshKind.ISTIO ? 'Mesh.istio({ mode })' : `Mesh.${k}()`)).join(' or ');
    throw propError(scope, 'mesh', `${what} needs a ClusterNetwork with mesh ${wanted}; this chart's ClusterNetwork (${cluster.node.path}) declares `
      + `${cluster.mesh.displayName}`);
  }
  return cluster;
}

/** Is the cluster's mesh Istio in ambient mode? */
export function isAmbient(cluster: ClusterNetwork): boolean {
  return cluster.mesh.kind === MeshKind.ISTIO && cluster.mesh.istioMode === IstioMode.AMBIENT;
}

/**
 * A duration as Istio and the Gateway API write it (Go syntax: `30s`, `250ms`). Istio's CRDs require
 * at least 1 ms (CEL `duration(self) >= duration('1ms')` on every duration field of DestinationRule
 * and VirtualService, istio 1.30.3 crd-all.gen.yaml), and this library writes whole milliseconds.
 */
export function meshDuration(scope: IConstruct, prop: string, value: Duration | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = requireInstance(scope, prop, value, Duration, 'a Duration (e.g. Duration.seconds(30))').toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) throw propError(scope, prop, `${ms} ms is not a whole number of milliseconds`);
  if (ms < 1) throw propError(scope, prop, `${ms} ms is below 1 ms, the minimum the CRD accepts (CEL: duration(self) >= duration('1ms'))`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** An integer in [min, max] (CRD int32 / uint32 ranges), or undefined. */
export function integerIn(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  requireNumber(scope, prop, value, false);
  if (!Number.isInteger(value) || value < min || value > max) throw propError(scope, prop, `${value} must be an integer in ${min}-${max}`);
  return value;
}
