import { MeshSource } from './mesh-source';

/** An Istio authorization condition (`when`): the attribute must have one of `values` and none of `notValues`. */
export interface MeshCondition {
  /**
   * An Istio condition key: `request.headers[<name>]`, `source.ip`, `remote.ip`, `source.namespace`,
   * `source.principal`, `request.auth.principal`, `request.auth.audiences`, `request.auth.presenter`,
   * `request.auth.claims[<claim>]`, `destination.ip`, `destination.port`, `connection.sni` or
   * `experimental.envoy.filters.*` (https://istio.io/latest/docs/reference/config/security/conditions/).
   */
  readonly key: string;
  /**
   * Values, any of which matches. For `source.ip`, `remote.ip` and `destination.ip` each is an
   * address or a CIDR block, for `destination.port` a port number (istiod refuses anything else).
   * @default - none (then `notValues` is required)
   */
  readonly values?: string[];
  /**
   * Values none of which may match.
   * @default - none
   */
  readonly notValues?: string[];
}

/**
 * One mesh authorization intent, shaped like `ZeroTrustNamespace.allowFlow`: requests from `from`
 * to the workload labelled `to` on `ports`, with `methods`, `paths` and `when`. Source, operation and
 * conditions always end up in ONE rule, so they are ANDed: a request must come from one of the
 * sources AND match the operation AND every condition (Istio ORs separate rules, which is how a policy
 * split into `[{from}, {to}, {when}]` allows far more than intended).
 */
export interface MeshFlowOptions {
  /** Who may call: identities, ORed. At least one; `MeshSource.anyone()` alone for "anyone". */
  readonly from: MeshSource[];
  /** Labels of the target pods in the authorization's namespace (`{}`: every workload of the namespace). */
  readonly to: { [key: string]: string };
  /**
   * Target container ports: the port the workload listens on (a Service's `targetPort`), never the
   * Service port callers dial, which Istio does not see (a Service port of the app that forwards to
   * another port of the target's pods is refused at synth).
   * @default - every port (Linkerd needs ports: it authorizes per Server port)
   */
  readonly ports?: number[];
  /**
   * HTTP methods (upper case, e.g. `GET`).
   * @default - any method
   */
  readonly methods?: string[];
  /**
   * HTTP paths: exact (`/healthz`), prefix (`/api/*`), suffix (`*.png`) or any (`*`); no `{` or `}`
   * (istiod reserves them for its path templates), and written as Istio normalizes a request path: no
   * query, fragment, backslash, escaped unreserved character, dot segment or character Istio percent-encodes
   * (`|`, `^`, `"`, `<`, `>`, `` ` ``, control and non-ASCII characters: write them escaped, e.g. `%7C`), as
   * such a path never matches.
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * Conditions, all of which must hold (Istio only).
   * @default - none
   */
  readonly when?: MeshCondition[];
}
