/**
 * What Linkerd requires of the pod selectors of its Servers (NETWORKING-FACTS.md, Linkerd: Servers must
 * not overlap on pod and port; a Server selects pods by labels), shared by LinkerdAuthorization and by
 * MeshAuthorization under Istio, whose intents must render for Linkerd too.
 */

/** Why a Server needs at least one label. */
export const SERVER_NEEDS_LABELS = 'a Server selects pods by labels: name the target pods (at least one label)';

/** Could a pod carry both label sets (no key with two different values)? */
export function selectorsOverlap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === undefined || b[k] === v);
}

/** The error for pods `selector` whose Server on `port` could overlap the pods `otherSelector` of `otherServer`. */
export function serverOverlapMessage(selector: string, otherSelector: string, otherServer: string, port: number): string {
  return `pods ${selector} and the pods ${otherSelector} of ${otherServer} can overlap on port ${port}: `
    + 'Linkerd would pick one of the two Servers arbitrarily. Target the same labels, or labels that exclude each other';
}

/** The pods and port of a Server, or of what would be one, as the overlap check reads them. */
export interface ServerPods {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly port: number;
}

/**
 * The first of `servers` on the same namespace and port whose pods `pods` could share, or undefined.
 * Ask it only for pods with no Server of their own yet (the same labels share one Server).
 */
export function overlappingServer<T extends ServerPods>(servers: Iterable<T>, pods: ServerPods): T | undefined {
  for (const server of servers) {
    if (server.namespace === pods.namespace && server.port === pods.port && selectorsOverlap(server.labels, pods.labels)) return server;
  }
  return undefined;
}
