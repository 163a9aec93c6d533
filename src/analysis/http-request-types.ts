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
   * The path, e.g. `/admin` (a query string after `?` is not part of the path rules match).
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
