/**
 * The probe route linkerd2's policy controller adds to an HTTP (or detected) inbound server without
 * HTTPRoutes (internal; policy-controller k8s index, `default_inbound_http_routes`): GET on the pod's
 * probe paths of the port (./linkerd-probes) and the injected proxy's GET /live and /ready on its
 * admin port, authorized without authentication for clients in policyController.probeNetworks.
 */
import { MeshFacts } from './facts';
import { addressIn } from './istio-values';
import { PROXY_PROBE_PATHS } from './linkerd-probes';
import { linkerdRequestPath } from './linkerd-routes';
import { MeshQuery } from './mesh-model';
import { DirectionVerdict, sideVerdict } from '../model';
import { MAYBE, NO, YES } from '../verdict';

/**
 * The probe route linkerd2's policy controller adds to an HTTP (or detected) server without
 * HTTPRoutes: GET on the pod's probe paths of the port (./linkerd-probes), authorized without
 * authentication for clients in policyController.probeNetworks; with no probe networks there is no
 * probe route (policy-controller k8s index, `default_inbound_http_routes`). A request it does not
 * admit is judged by the server's own authorizations (`verdict`). `own`: the pod's probe paths of
 * the port; `admin`: its proxy's admin port.
 */
export function withProbeRoute(verdict: DirectionVerdict, q: MeshQuery, flowText: string, own: readonly string[], admin: number,
  facts: MeshFacts): DirectionVerdict {
  const proxy = q.port === admin ? PROXY_PROBE_PATHS : [];
  const paths = [...new Set([...proxy, ...own])].sort();
  if (paths.length === 0 || verdict.outcome === YES) return verdict;
  if (q.request && (q.request.method !== 'GET' || !paths.includes(linkerdRequestPath(q.request.path)))) return verdict;
  const gets = paths.map((p) => `GET ${p}`).join(' and ');
  const probers = own.length === 0 ? `the Linkerd proxy probes ${gets} on its admin port ${admin}`
    : `the pod's ${proxy.length > 0 ? 'containers and proxy' : 'containers'} probe ${gets} on port ${q.port} (httpGet liveness, readiness or startup probes)`;
  const networks = facts.linkerdProbeNetworks;
  const given = facts.linkerdProbeNetworksGiven;
  const log = (message: string): DirectionVerdict => ({ ...verdict, reasons: [...verdict.reasons, { effect: 'log', message }] });
  if (networks.length === 0) {
    return log(`${probers}, but policyController.probeNetworks is empty, so Linkerd's policy controller adds no probe route`);
  }
  const networksText = `policyController.probeNetworks (${given ? '' : 'assumed to be the install default '}${networks.join(', ')})`;
  const inside = addressIn(q.source, networks);
  if (inside.truth === NO) {
    return log(`${probers}, but Linkerd's policy controller authorizes such probe requests only from ${networksText}, and the client is not in them`);
  }
  if (inside.truth === MAYBE) {
    // Names no endpoint: the flow matrix shares it between pods of a class.
    const uncertain = `${probers}, and Linkerd's policy controller authorizes such probe requests from ${networksText}, authenticated or not: `
      + `whether the client is in them is not known: ${inside.why}`;
    if (!q.request && verdict.outcome === MAYBE) return log(`probe requests only: ${uncertain}`);
    return sideVerdict(MAYBE, [...verdict.reasons, { effect: 'uncertain', message: uncertain }], [...(verdict.uncertain ?? []), uncertain]);
  }
  const why = `${probers}, and Linkerd's policy controller authorizes such probe requests from ${networksText}${given ? ', which hold the client' : ''}, `
    + 'authenticated or not, where no HTTPRoute attaches to the port';
  if (q.request) return sideVerdict(YES, [{ effect: 'default-allow', message: `${flowText} is a probe request: ${why}` }]);
  const probes = { effect: 'default-allow' as const, message: `probe requests only: ${why}` };
  if (verdict.outcome === MAYBE) return { ...verdict, reasons: [...verdict.reasons, { ...probes, effect: 'log' }] };
  return sideVerdict(YES, [probes, ...verdict.reasons.map((r) => ({ effect: 'log' as const, message: r.message }))], [],
    [`only ${gets} (the ${own.length === 0 ? 'proxy\'s' : 'pod\'s'} probe paths; other requests and non-HTTP connections are refused)`]);
}
