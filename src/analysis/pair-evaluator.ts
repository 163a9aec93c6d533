/**
 * The verdict of one source pod and one destination pod on one port (internal): the CNI layer
 * (egress at the source AND ingress at the destination) and, with a mesh, the mesh authorization
 * at the destination; the flow needs both. A mesh that tunnels the flow (Istio ambient HBONE,
 * Linkerd's inbound proxy port) makes the CNI see the tunnel port, not the application port. With
 * an HTTP request, the L7 rules of both layers are matched against it instead of being reported as
 * constraints.
 */
import { HostSnatSemantics } from './cni-model';
import { describeRequest, HttpRequestSpec, requestAllowedBy } from './http-request';
import { MeshModel } from './mesh';
import { HostSnat } from './mesh/mesh-model';
import { AnnotatedCniModel, describeRef, DirectionVerdict, Endpoint, L4Protocol, Reason, sideVerdict } from './model';
import { PairResult, SideResult, verdictWord } from './reachability-result';
import { and3, combineSides, MAYBE, NO, Tri, Verdict, verdictOf, YES } from './verdict';

/** What a pair evaluation needs. */
export interface PairContext {
  readonly model: AnnotatedCniModel;
  readonly mesh?: MeshModel;
  /**
   * The CNI's HTTP rules cannot read mutual TLS: Cilium documents its HTTP policy as incompatible with
   * Istio mTLS STRICT or PERMISSIVE (docs.cilium.io "Integration with Istio").
   */
  readonly l7BlindToMtls?: boolean;
  /**
   * How the CNI's policies see a connection the mesh SNATs on the node (./cni-model hostSnat).
   * @default 'unknown'
   */
  readonly hostSnat?: HostSnatSemantics;
}

/** A side as the public result shows it. */
export function sideResult(verdict: DirectionVerdict): SideResult {
  return {
    verdict: verdictOf(verdict.outcome),
    allowed: verdict.allowed,
    reasons: verdict.reasons.map((r) => r.message),
    decidingObjects: [...new Set(verdict.reasons.filter((r) => r.object).map((r) => describeRef(r.object!)))],
    decidingRules: [...new Set(verdict.reasons.filter((r) => r.object)
      .map((r) => `${describeRef(r.object!)}${r.rule ? ` ${r.rule}` : ''} (${r.effect})`))],
    uncertainties: verdict.uncertain ?? [],
  };
}

/**
 * A side allowed without L7 constraints whose traffic still passes a proxy (see ProxyPass), judged for
 * one request: allowed when the proxy forwards it, denied when it surely answers instead (a redirect, a
 * 400), indeterminate when the proxy's handling is not known or the redirect only may apply.
 */
function throughProxy(side: DirectionVerdict, request: HttpRequestSpec, encryption: string | undefined): DirectionVerdict {
  const proxy = side.proxy!;
  const text = describeRequest(request);
  if (encryption !== undefined) {
    const why = `${proxy.why}; it cannot read this flow: ${encryption}`;
    return sideVerdict(MAYBE, [...side.reasons, { effect: 'uncertain', message: why }], [why]);
  }
  const r = requestAllowedBy(proxy.matchers, request);
  if (r.truth === YES) {
    return sideVerdict(YES, [...side.reasons, { effect: 'allow', message: `${text} passes the proxy: ${proxy.why}, and it forwards the request` }]);
  }
  if (r.truth === NO) {
    const because = r.denied.length > 0 ? r.denied.join('; ') : 'it does not forward the request';
    const why = `${proxy.why}, and ${because}`;
    if (proxy.sure) return sideVerdict(NO, [...side.reasons, { effect: 'deny', message: `${text} does not pass the proxy: ${why}: denied` }]);
    return sideVerdict(MAYBE, [...side.reasons, { effect: 'uncertain', message: why }], [why]);
  }
  const whys = r.why.map((w) => `${proxy.why}; ${w}`);
  return sideVerdict(MAYBE, [...side.reasons, ...whys.map((w) => ({ effect: 'uncertain' as const, message: w }))], whys);
}

/** A side allowed at L4 with L7 rules (or through a proxy), judged for one request. */
function withRequest(side: DirectionVerdict, request: HttpRequestSpec | undefined, encryption?: string): DirectionVerdict {
  if (request && side.outcome === YES && side.proxy && !side.l7Constraints?.length) return throughProxy(side, request, encryption);
  if (!request || side.outcome !== YES || !side.l7Constraints?.length) return side;
  const text = describeRequest(request);
  if (!side.l7Matchers?.length) {
    const why = `the L7 rules (${side.l7Constraints.join('; ')}) cannot be matched against ${text}`;
    return sideVerdict(MAYBE, [...side.reasons, { effect: 'uncertain', message: why }], [why]);
  }
  const r = requestAllowedBy(side.l7Matchers, request);
  if (r.truth === YES) return sideVerdict(YES, [...side.reasons, { effect: 'allow', message: `${text} matches the L7 rule ${r.decidedBy.join('; ')}` }]);
  if (r.truth === NO) {
    const because = r.denied.length > 0 ? ` (${r.denied.join('; ')})` : '';
    return sideVerdict(NO, [...side.reasons, { effect: 'deny', message: `${text} matches none of the L7 rules (${side.l7Constraints.join('; ')})${because}: denied` }]);
  }
  return sideVerdict(MAYBE, [...side.reasons, ...r.why.map((w) => ({ effect: 'uncertain' as const, message: w }))], r.why);
}

/** A side whose HTTP rules would have to read a flow the mesh encrypts: indeterminate. */
function blind(side: DirectionVerdict, encryption: string | undefined): DirectionVerdict {
  if (encryption === undefined || side.outcome !== YES || !side.l7Constraints?.length) return side;
  const why = `the CNI's HTTP rules (${side.l7Constraints.join('; ')}) cannot read this flow: ${encryption}, and the CNI documents its HTTP `
    + 'policy as incompatible with mutual TLS';
  return sideVerdict(MAYBE, [...side.reasons, { effect: 'uncertain', message: why }], [why]);
}

/** The CNI sides of a flow on one port. */
function cniSides(ctx: PairContext, source: Endpoint, destination: Endpoint, protocol: L4Protocol, port: number, request?: HttpRequestSpec) {
  const base = { port, protocol, destination };
  const encryption = ctx.l7BlindToMtls ? ctx.mesh?.encryption(source, destination, port, protocol) : undefined;
  const egress = withRequest(blind(ctx.model.evaluate({ ...base, direction: 'egress', subject: source, peer: destination }), encryption), request, encryption);
  const ingress = withRequest(blind(ctx.model.evaluate({ ...base, direction: 'ingress', subject: destination, peer: source }), encryption), request,
    encryption);
  return { egress, ingress, outcome: combineSides(egress.outcome, ingress.outcome) };
}

type CniSides = ReturnType<typeof cniSides>;

/**
 * The CNI sides of a connection the mesh SNATs on the node before it enters the destination pod: the
 * destination's ingress sees the translated address where the CNI is known to police it, else either
 * that address or the node, indeterminate when they disagree.
 */
function throughHostSnat(ctx: PairContext, cni: CniSides, snat: HostSnat, destination: Endpoint, protocol: L4Protocol, port: number,
  request?: HttpRequestSpec): CniSides {
  const base = { port, protocol, destination };
  const seen = snat.peers.map((peer) => withRequest(ctx.model.evaluate({ ...base, direction: 'ingress', subject: destination, peer }), request));
  const note: Reason = { effect: 'log', message: snat.why };
  let asAddress = seen[0];
  if (seen.some((v) => v.outcome !== asAddress.outcome)) {
    const why = 'the connection gets the host probe address of the IP family the kubelet connects over (the pod\'s primary address), and the '
      + 'addresses of the two families get different verdicts';
    asAddress = sideVerdict(MAYBE, [...seen.flatMap((v) => v.reasons), { effect: 'uncertain', message: why }], [...seen.flatMap((v) => v.uncertain ?? []), why]);
  }
  let ingress: DirectionVerdict;
  if (ctx.hostSnat === 'address') {
    ingress = { ...asAddress, reasons: [note, ...asAddress.reasons] };
  } else if (asAddress.outcome === cni.ingress.outcome) {
    ingress = { ...cni.ingress, reasons: [...cni.ingress.reasons, note, ...asAddress.reasons] };
  } else {
    const why = 'istio-cni translates connections from the node to an ambient pod to its host probe address, which the CNI\'s policies may see '
      + 'instead of the node (istio.io "Ambient and Kubernetes NetworkPolicy": depending on the CNI), and the two get different verdicts';
    ingress = sideVerdict(MAYBE, [...cni.ingress.reasons, note, ...asAddress.reasons, { effect: 'uncertain', message: why }],
      [...(cni.ingress.uncertain ?? []), ...(asAddress.uncertain ?? []), why]);
  }
  return { egress: cni.egress, ingress, outcome: combineSides(cni.egress.outcome, ingress.outcome) };
}

/** The verdict of `source -> destination` on `protocol/port` (optionally for one HTTP request). */
export function evaluatePair(ctx: PairContext, source: Endpoint, destination: Endpoint, protocol: L4Protocol, port: number,
  request?: HttpRequestSpec): PairResult {
  const wire = ctx.mesh?.wirePort(source, destination, port, protocol);
  let cni = cniSides(ctx, source, wire?.destination ?? destination, protocol, wire ? wire.port : port, request);
  const snat = wire ? undefined : ctx.mesh?.hostSnat?.(source, destination, port, protocol);
  if (snat) cni = throughHostSnat(ctx, cni, snat, destination, protocol, port, request);
  const wireUncertainty: string[] = [];
  if (wire) {
    const note = { effect: 'log' as const, message: `the CNI sees ${wire.protocol}/${wire.port}: ${wire.why}` };
    if (wire.uncertain) {
      const app = cniSides(ctx, source, destination, protocol, port, request);
      if (app.outcome !== cni.outcome) {
        wireUncertainty.push(`the CNI gives ${protocol}/${port} and ${wire.protocol}/${wire.port} different verdicts, and ${wire.why}`);
      }
    }
    if (wire.unknownPort !== undefined) wireUncertainty.push(`the port the CNI sees is not known: ${wire.unknownPort}`);
    for (const hop of wire.unknownHops ?? []) wireUncertainty.push(`${hop}: the CNI sees other connections there, with verdicts not known`);
    for (const hop of wire.hops ?? []) {
      // Through a proxy the CNI sees two connections; both must pass.
      const out = cniSides(ctx, source, hop.proxy, protocol, wire.port, request).outcome;
      const back = cniSides(ctx, hop.proxy, wire.destination ?? destination, protocol, wire.port, request).outcome;
      const viaProxy = and3(out, back);
      if (viaProxy !== cni.outcome) {
        wireUncertainty.push(`${hop.why}: the CNI gives those ${wire.protocol}/${wire.port} connections ${verdictWord(verdictOf(viaProxy))} and the direct `
          + `one ${verdictWord(verdictOf(cni.outcome))}`);
      }
    }
    cni = { ...cni, ingress: { ...cni.ingress, reasons: [note, ...cni.ingress.reasons] } };
  }
  const cniOutcome: Tri = wireUncertainty.length > 0 ? MAYBE : cni.outcome;
  const egressSide = sideResult(cni.egress);
  const ingressSide = sideResult(cni.ingress);
  const mesh = ctx.mesh?.evaluate({ source, destination, port, protocol, ...(request ? { request } : {}) });
  const outcome = mesh ? and3(cniOutcome, mesh.outcome) : cniOutcome;
  const verdict = verdictOf(outcome);
  const meshSide = mesh ? sideResult(mesh) : undefined;
  const l7 = verdict === Verdict.ALLOW
    ? [...(cni.egress.l7Constraints ?? []), ...(cni.ingress.l7Constraints ?? []), ...(mesh?.l7Constraints ?? [])] : [];
  // A definite deny on one side or layer decides the pair, whatever the others' uncertainty.
  const uncertainties = verdict !== Verdict.INDETERMINATE ? [] : [
    ...(cniOutcome === MAYBE ? [...egressSide.uncertainties, ...ingressSide.uncertainties, ...wireUncertainty] : []),
    ...(mesh?.outcome === MAYBE ? meshSide!.uncertainties.map((u) => `mesh: ${u}`) : []),
  ];
  return {
    source: source.name,
    destination: destination.name,
    port: `${protocol}/${port}`,
    verdict,
    allowed: verdict === Verdict.ALLOW,
    denied: verdict === Verdict.DENY,
    indeterminate: verdict === Verdict.INDETERMINATE,
    egress: egressSide,
    ingress: ingressSide,
    l7Constraints: l7,
    uncertainties,
    ...(mesh ? { cniVerdict: verdictOf(cniOutcome), mesh: meshSide } : {}),
    ...(wire ? { cniPort: `${wire.protocol}/${wire.port}` } : {}),
    ...(request ? { request: describeRequest(request) } : {}),
  };
}

/** The pair of a named port the destination does not have: denied, with the reason. */
export function missingNamedPortPair(source: Endpoint, destination: Endpoint, port: string, reason: string, withMesh: boolean): PairResult {
  const denied: SideResult = {
    verdict: Verdict.DENY, allowed: false, reasons: [reason], decidingObjects: [], decidingRules: [], uncertainties: [],
  };
  return {
    source: source.name,
    destination: destination.name,
    port,
    verdict: Verdict.DENY,
    allowed: false,
    denied: true,
    indeterminate: false,
    egress: denied,
    ingress: denied,
    l7Constraints: [],
    uncertainties: [],
    ...(withMesh ? { cniVerdict: Verdict.DENY } : {}),
  };
}
