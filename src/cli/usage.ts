/**
 * The help text of the `cdk8s-networking` command line, shown by `--help` and after usage errors.
 */
export const USAGE = `Usage:
  cdk8s-networking analyze <dir|file...> --cni kubernetes|calico|cilium|flannel
      [--format table|json|mermaid] [--lint] [--ip-families ipv4,ipv6]
      [--expect expectations.yaml] [--ports tcp/8080,udp/53] [--mesh istio|istio-ambient|linkerd]
      [--output FILE]
  cdk8s-networking lint <dir|file...> [--cni kubernetes|calico|cilium|flannel]
      [--ip-families ipv4,ipv6] [--format text|json] [--output FILE]
  cdk8s-networking --help | --version

Commands:
  analyze   Print the flow matrix (which workload may reach which on which port) of the
            Kubernetes YAML under the given files and directories (*.yaml, *.yml, recursively).
  lint      Print the networking pitfalls found in that YAML.

Options:
  --cni NAME       CNI whose policy semantics apply (required for analyze).
  --format FMT     analyze: table (default), json or mermaid; lint: text (default) or json.
  --lint           analyze: also lint the manifests.
  --ip-families F  The cluster's IP families for the lint (ipv4, ipv6 or ipv4,ipv6): egress
                   to every address is checked against each family's metadata service.
                   Default: unknown (IPv4 decides).
  --expect FILE    analyze: check expectations, e.g.
                     expect:
                       - from: { namespace: shop, workload: web }
                         to: { namespace: shop, labels: { app: db } }
                         port: tcp/5432
                         allowed: true
                   A target is { namespace, labels }, { namespace, workload }, { external: IP },
                   node (every node), local-node (the pod's own node) or remote-node.
                   An expectation may name an HTTP request, checked against the HTTP rules
                   of the CNI and the mesh:  request: { method: POST, path: /admin }
  --ports LIST     analyze: extra destination ports for the matrix (proto/number or proto/name).
  --mesh MESH      analyze: also evaluate the mesh's authorization (Istio AuthorizationPolicy
                   and PeerAuthentication, or Linkerd Server and AuthorizationPolicy) at each
                   meshed destination; a flow is allowed when the CNI and the mesh allow it.
                   istio (sidecar), istio-ambient or linkerd; default none.
  --output FILE    Write the report to FILE instead of standard output.
  -h, --help       Show this help.
  -v, --version    Show the version.

Exit codes: 0 fine; 1 a lint error (with --lint or lint) or a failed expectation;
2 usage error, a path that does not exist, no readable YAML or no Kubernetes object in
the input, an unreadable expectations file, or an --output that cannot be written.
Unreadable or invalid documents and unknown kinds are warnings (stderr, and the
'warnings' of --format json), not errors.
`;
