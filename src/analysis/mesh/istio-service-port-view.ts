/**
 * A Service port as the Istio analysis reads it (internal), shared by the inbound protocol reading
 * (./istio-inbound-protocol) and the selector-less Services (./istio-manual-endpoints).
 */

/** One port of a Service, as the inbound listener reads it. */
export interface ServicePortView {
  readonly name?: string;
  /**
   * `UDP` for a Service port with `protocol: UDP` (only the sidecar inbound reading keeps those).
   * @default - TCP
   */
  readonly protocol?: 'UDP';
  readonly port: number;
  readonly targetPort?: number | string;
  readonly appProtocol?: string;
}

/** `port 53 (port name 'udp-dns')` / `port 80 (appProtocol tcp)`: how a Service port declares its protocol, for reasons. */
export function declaredPortText(p: ServicePortView): string {
  return `port ${p.port} (${p.appProtocol !== undefined ? `appProtocol ${p.appProtocol}` : `port name '${p.name ?? ''}'`})`;
}
