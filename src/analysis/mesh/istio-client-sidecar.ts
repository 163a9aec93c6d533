/**
 * What an Istio sidecar client's own proxy does with an outbound connection (internal), before the
 * destination's policies: where its outbound traffic is not redirected (./istio-interception), or its
 * Sidecar resource does not import the destination's Service (./istio-sidecar-egress), the connection
 * is dropped (BlackHoleCluster, REGISTRY_ONLY), passes in plaintext (PassthroughCluster) or is not
 * modelled. A gateway never uses a Sidecar resource: istiod gives it the default scope, egress star/star
 * (istio/istio pilot/pkg/model/context.go `SetSidecarScope`).
 */
import { interceptionNone } from './istio-interception';
import { isIstioGateway } from './istio-remote-address';
import { ClientOutbound, SidecarEgress } from './istio-sidecar-egress';
import { Membership } from './membership';
import { dataPlaneName, MembershipCache, MeshQuery } from './mesh-model';
import { DirectionVerdict, Reason, sideVerdict } from '../model';
import { MAYBE, NO } from '../verdict';

/**
 * What a sidecar client does with the connection where that is not mutual TLS as modelled: its
 * outbound traffic is not redirected (./istio-interception), its Sidecar resource does not import
 * the destination's Service, or the Service port is declared UDP (./istio-sidecar-egress).
 */
export function sidecarClient(q: MeshQuery, members: MembershipCache, egress: SidecarEgress): ClientOutbound | undefined {
  const src = members.of(q.source);
  // A gateway never uses a Sidecar resource: istiod gives it the default scope, egress */*
  // (pilot/pkg/model/context.go `SetSidecarScope`), and it routes by its Gateway's routes.
  if (src.dataPlane !== 'sidecar' || src.outboundBypass.has(q.port) || isIstioGateway(q.source)) return undefined;
  const none = interceptionNone(q.source);
  if (none !== undefined) {
    return {
      why: `${none}: its outbound traffic is not redirected to the sidecar, so it connects in plaintext unless the application addresses a `
        + 'listener a Sidecar resource binds for it: not modelled',
    };
  }
  return egress.outbound(q.source, q.destination, q.port);
}

/**
 * `verdict` (no Istio policy at the destination) where the client's own sidecar still has the
 * connection: its Sidecar resource may leave the destination unknown, so the connection is dropped
 * (BlackHoleCluster, REGISTRY_ONLY) or passes in plaintext (PassthroughCluster), which the
 * destination takes as it would any plaintext (./istio-sidecar-egress).
 */
export function pastClientSidecar(q: MeshQuery, verdict: DirectionVerdict, members: MembershipCache, egress: SidecarEgress): DirectionVerdict {
  if (q.protocol !== 'TCP' || interceptionNone(q.source) !== undefined) return verdict;
  const client = sidecarClient(q, members, egress);
  if (client === undefined) return verdict;
  if (client.ways === undefined) return sideVerdict(MAYBE, [{ effect: 'uncertain', message: client.why }], [client.why]);
  const head: Reason = { effect: 'log', message: client.why };
  const blocked: Reason = { effect: 'deny', message: `${q.source.name}'s sidecar drops the connection (BlackHoleCluster)` };
  if (client.ways.every((way) => way === 'blocked')) return sideVerdict(NO, [head, blocked]);
  if (client.ways.every((way) => way === 'plaintext')) return sideVerdict(verdict.outcome, [head, ...verdict.reasons], verdict.uncertain ?? [], verdict.l7Constraints);
  return sideVerdict(MAYBE, [head, ...verdict.reasons, blocked], [client.why, ...(verdict.uncertain ?? [])]);
}

/**
 * The verdict over each thing the client's sidecar may do with the connection (plaintext through the
 * PassthroughCluster, or blocked): exact when they agree at a sidecar destination, else indeterminate.
 */
export function withClientOutbound(q: MeshQuery, dst: Membership, client: ClientOutbound,
  atDestination: (plaintext: string) => DirectionVerdict): DirectionVerdict {
  const head: Reason = { effect: 'log', message: client.why };
  if (client.ways === undefined || dst.dataPlane !== 'sidecar' || interceptionNone(q.destination) !== undefined) {
    const why = client.ways === undefined ? client.why : `${client.why}: how ${q.destination.name}'s ${dataPlaneName(dst.dataPlane!)} treats that is `
      + 'not modelled here';
    return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }], [why]);
  }
  const verdicts = client.ways.map((way) => (way === 'blocked'
    ? sideVerdict(NO, [{ effect: 'deny', message: `${q.source.name}'s sidecar drops the connection (BlackHoleCluster)` }])
    : atDestination(`${q.source.name}'s sidecar sends it through the PassthroughCluster`)));
  const [first] = verdicts;
  if (first.outcome !== MAYBE && verdicts.every((v) => v.outcome === first.outcome
    && JSON.stringify(v.l7Constraints ?? []) === JSON.stringify(first.l7Constraints ?? []))) {
    return sideVerdict(first.outcome, [head, ...verdicts.flatMap((v) => v.reasons)], [], first.l7Constraints);
  }
  const uncertain = [client.why, ...verdicts.flatMap((v) => v.uncertain ?? [])];
  return sideVerdict(MAYBE, [head, ...verdicts.flatMap((v) => v.reasons)], uncertain);
}
