/**
 * The public shape of an HTTP request in a reachability question (see ./http-request for how the
 * layers judge it).
 */

/** An HTTP request for {@link Reachability.checkRequest}. */
export interface HttpRequest {
  /**
   * The method, e.g. `POST` (matched case-sensitively, as Envoy does).
   * @default 'GET'
   */
  readonly method?: string;
  /**
   * The path as sent, e.g. `/admin` or `/search?q=1` (Istio, Linkerd and Calico rules match the path
   * without the query; Cilium's HTTP rules match path and query together). The proxies' path
   * normalization (dot segments, escapes, slashes) is applied as the analysis knows it.
   * @default '/'
   */
  readonly path?: string;
  /**
   * The Host (`:authority`) header.
   * @default - unknown: a rule on hosts makes the answer indeterminate
   */
  readonly host?: string;
  /**
   * Request headers, name -> value (names are case-insensitive). A header sent several times is
   * one entry with its values joined by `,` (no space), which is the value Envoy (Istio) matches; two
   * entries whose names differ only in case are refused.
   * @default - none
   */
  readonly headers?: { [name: string]: string };
}
