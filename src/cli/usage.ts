/**
 * The help text of the `cdk8s-networking` command line, shown by `--help` and after usage errors.
 * The CNI names come from the one CNI table (src/cluster/cni-choices.ts), the limits from their defaults.
 */
import { DEFAULT_MAX_ROWS } from './args';
import { LINKERD_DEFAULT_CLUSTER_NETWORKS, LINKERD_DEFAULT_OPAQUE_PORTS, LINKERD_DEFAULT_POLICIES, LINKERD_DEFAULT_PROBE_NETWORKS } from '../analysis/mesh/facts';
import { CNI_NAMES } from '../cluster/cni-choices';
import { AMBIENT_PROBE_SOURCE, AMBIENT_PROBE_SOURCE_V6 } from '../cluster/mesh';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES, formatBytes } from '../util/input-files';

const CNIS = CNI_NAMES.join('|');
const POLICIES = LINKERD_DEFAULT_POLICIES;
const size = (n: number) => formatBytes(n).replace(' ', '');

/** The text of `--help`. */
export const USAGE = `Usage:
  cdk8s-networking analyze <dir|file...> --cni ${CNIS}
      [--format table|json|mermaid] [--max-rows N | --all] [--lint] [--ip-families ipv4,ipv6]
      [--expect expectations.yaml] [--strict] [--ports tcp/8080,udp/53] [--pod-cidrs CIDRS]
      [--node-ip IP] [--mesh istio|istio-ambient|linkerd] [LINKERD OPTIONS] [ISTIO OPTIONS]
      [--output FILE] [READ OPTIONS]
  cdk8s-networking analyze --diff <base> <head> --cni ${CNIS}
      [--format table|json|markdown] [--fail-on-open 'SOURCE -> DESTINATION'...] [--strict]
      [--probes expectations.yaml] [--ports ...] [--pod-cidrs CIDRS] [--node-ip IP] [--mesh MESH]
      [LINKERD OPTIONS] [ISTIO OPTIONS] [--output FILE] [READ OPTIONS]
  cdk8s-networking lint <dir|file...> [--cni ${CNIS}] [--markdown]
      [--ip-families ipv4,ipv6] [--mesh MESH] [LINKERD OPTIONS] [ISTIO OPTIONS]
      [--format text|json] [--output FILE] [READ OPTIONS]
  cdk8s-networking --help | --version

Commands:
  analyze   Print the flow matrix (which workload may reach which on which port: allow, deny,
            or indeterminate when the manifests do not decide it) of the Kubernetes YAML under
            the given files and directories (*.yaml, *.yml, recursively).
            With --diff: the flows a change opens, closes or makes indeterminate between the
            manifests in <base> and in <head>, with the rules that decide them.
  lint      Print the networking pitfalls found in that YAML, and in Markdown files (*.md,
            *.markdown): their yaml blocks, heredocs and helm/cilium --set command lines.

Options:
  --cni NAME       CNI whose policy semantics apply (required for analyze):
                   ${CNI_NAMES.join(', ')}.
  --calico-native-v3-crds
                   With --cni calico: Calico serves projectcalico.org/v3 as native CRDs (3.32
                   tech preview), so no ClusterNetworkPolicy exists (Cni.calico({ nativeV3Crds })).
  --cluster-network-policy
                   With --cni kubernetes: the CNI implements ClusterNetworkPolicy
                   (Cni.kubernetes({ clusterNetworkPolicy })).
  --format FMT     analyze: table (default), json or mermaid; analyze --diff: table, json or
                   markdown (for a pull-request comment); lint: text (default) or json.
  --max-rows N     analyze table: list at most N flows (default ${DEFAULT_MAX_ROWS}); above, count the
                   allowed, denied and indeterminate flows per namespace pair instead.
  --all            analyze table: list every flow, however many.
  --lint           analyze: also lint the manifests.
  --ip-families F  The cluster's IP families for the lint (ipv4, ipv6 or ipv4,ipv6): egress
                   to every address is checked against each family's metadata service.
                   Default: unknown (IPv4 decides).
  --expect FILE    analyze: check expectations, e.g.
                     probes:
                       - { name: probe, namespaces: all }
                     expect:
                       - from: { namespace: shop, workload: web }
                         to: { namespace: shop, labels: { app: db } }
                         port: tcp/5432
                         allowed: true
                       - from: { namespaces: all, workload: probe }
                         to: { namespaces: { withLabel: tenant }, workload: probe }
                         pairs: { across: tenant }
                         port: [tcp/8080, udp/53]
                         allowed: false
                   A target is { namespace, labels }, { namespace, workload }, the same with
                   namespaces: all | { withLabel: KEY } | { labels: { KEY: VALUE } } (one per
                   namespace), { external: IP }, node, local-node or remote-node. README.md
                   describes probes and pairs. An expectation may name an HTTP request,
                   checked against the HTTP rules of the CNI and the mesh:
                     request: { method: POST, path: /admin }
  --strict         analyze: an indeterminate flow of the matrix fails the run (exit 4); with
                   --diff, a flow the change makes indeterminate does.
  --fail-on-open P analyze --diff: fail (exit 1) when the change opens a flow matching P,
                   'SOURCE -> DESTINATION'. A side is a glob over namespace/name, a namespace
                   label selector [KEY], [KEY=VALUE,!KEY2,...] (optionally /GLOB over pod
                   names), outside (another namespace than the other side's, or an external
                   endpoint) or outside(KEY) (a namespace whose label KEY differs), external,
                   internet or a CIDR (external endpoints: the regions of the policies' CIDRs,
                   the internet, 169.254.169.254/32); ! negates. E.g. 'outside -> [tenant]'
                   (into any tenant namespace from outside it), '[tenant] -> internet'. A pattern
                   no pair of endpoints matches is undecided (exit 4). Repeatable.
  --probes FILE    analyze --diff: add the probes of an expectations file (its expect entries
                   are not checked) to both sides, e.g. one per namespace.
  --ports LIST     analyze: extra destination ports for the matrix (proto/number or proto/name).
  --pod-cidrs L    analyze: the pod CIDRs (e.g. 10.244.0.0/16), so ipBlocks can be matched
                   against pods whose IP the manifests do not state. Default: unknown (an
                   ipBlock that may hold a pod makes the flow indeterminate).
  --node-ip IP     analyze: the nodes' address, for ipBlocks and hostNetwork pods.
  --mesh MESH      analyze (and --diff): also evaluate the mesh's authorization (Istio
                   AuthorizationPolicy and PeerAuthentication, or Linkerd Server and
                   AuthorizationPolicy) at each meshed destination; a flow is allowed when the
                   CNI and the mesh allow it, and every format says which layer denies.
                   istio (sidecar), istio-ambient or linkerd; default none.
                   lint (and analyze --lint): the rules that judge what the mesh admits
                   (and linkerd-opaque-ports-one-side) judge with that mesh (its mode, the
                   Linkerd options) and do not apply under another mesh or none; not
                   given: they guess the installation values. Rules that check the mesh's
                   own objects apply whatever --mesh says. The trust domain and the
                   namespaces are those the --istio-* and --linkerd-* flags below declare;
                   one not declared is assumed the install default for analyze, and lint
                   does not trust it: its rules hedge over it as without --mesh.
  --markdown       lint: search directories for Markdown files too (named *.md and *.markdown
                   files are always read as Markdown).
  --output FILE    Write the report to FILE instead of standard output.
  -h, --help       Show this help.
  -v, --version    Show the version.

Linkerd options (with --mesh linkerd: the installation's cluster-wide Helm values; each one not
given is assumed to be Linkerd's install default, and the reasons say so):
  --linkerd-default-inbound-policy P
                   proxy.defaultInboundPolicy: ${POLICIES[0]} (default),
                   ${POLICIES.slice(1).join(', ')}.
  --linkerd-cluster-networks CIDRS
                   clusterNetworks: the client networks of the cluster-* policies (default
                   ${LINKERD_DEFAULT_CLUSTER_NETWORKS.join(',')}).
  --linkerd-probe-networks CIDRS
                   policyController.probeNetworks: the clients whose GETs on a pod's probe paths
                   are admitted without authentication (default ${LINKERD_DEFAULT_PROBE_NETWORKS.join(',')}; an empty
                   value: none, no probe route).
  --linkerd-opaque-ports LIST
                   proxy.opaquePorts: ports and ranges a-b the proxy injector makes opaque on the
                   pods that declare them (default ${LINKERD_DEFAULT_OPAQUE_PORTS}).
  --linkerd-trust-domain DOMAIN
                   identityTrustDomain: the trust domain of proxy identities (default
                   cluster.local).
  --linkerd-namespace NS
                   the control plane's namespace, part of every proxy identity (default
                   linkerd).

Istio options (with --mesh istio or istio-ambient: the installation's mesh config; each one not
given is assumed to be Istio's default for analyze, and lint hedges over it):
  --istio-trust-domain DOMAIN
                   meshConfig.trustDomain: the trust domain of workload principals (default
                   cluster.local).
  --istio-root-namespace NS
                   meshConfig.rootNamespace: where mesh-wide policies live (default
                   istio-system).

Istio ambient options (with --mesh istio-ambient: istio-cni's node agent environment, which the
istio-cni chart's env value sets; each one not given is istio-cni's default, and the reasons say so):
  --istio-host-probe-snat-ip IP
                   HOST_PROBE_SNAT_IP: the address istio-cni SNATs the node's connections to
                   IPv4 ambient pods to (kubelet probes); it passes ztunnel by (default
                   ${AMBIENT_PROBE_SOURCE}).
  --istio-host-probe-snat-ipv6 IP
                   HOST_PROBE_SNAT_IPV6: the same for IPv6 pods (default
                   ${AMBIENT_PROBE_SOURCE_V6}).

Read options (input comes from contributors: only regular files are read):
  --max-file-size SIZE   Largest file read (default ${size(DEFAULT_MAX_FILE_BYTES)}); e.g. 64M, 1G.
  --max-total-size SIZE  Most bytes read over all files (default ${size(DEFAULT_MAX_TOTAL_BYTES)}).
  --follow-symlinks      Follow symlinks that lead out of the directories given (default: such a
                         symlink is an error).

Exit codes:
  0  fine.
  1  a lint error (lint, or analyze --lint), a failed expectation, or with --diff an opened
     flow matching --fail-on-open.
  2  usage error; input that cannot be read: a path that does not exist, a file that is not a
     regular file or is over a size limit, a symlink out of the directories given, no readable
     YAML or no Kubernetes object at all; an unreadable or malformed expectations file; an
     --output that cannot be written.
  3  internal error (a bug in cdk8s-networking: please report it with the input).
  4  undecided: nothing failed, but an expectation is indeterminate (the manifests do not
     decide it; the reason is printed), or with --strict an indeterminate flow, or with --diff
     a --fail-on-open pattern matches a flow the change may open (denied before and
     indeterminate after, or indeterminate before and allowed after), or no endpoints;
     or (analyze, --diff on either side, and lint) a document is not valid YAML (a yaml block of
     a Markdown file too, and one with a key kubectl cannot read, such as an unquoted Helm
     template {{ .Values.x }}): it is skipped, and since it may hold a policy (a deny or an
     allow), every verdict it could change is indeterminate (with its file and line) and a clean
     lint of the rest may be wrong. The text reports (table, Markdown, Mermaid comments, lint
     text) then end with an UNDECIDED block naming each such document ("Also undecided" when
     the run fails for another reason).
Invalid YAML documents, documents that are not Kubernetes objects (no kind), objects the
analyzer cannot evaluate and unknown kinds are warnings or notes (stderr, and the 'warnings'
and 'notes' of --format json, which lists invalid YAML documents in 'invalidDocuments' too):
the rest of the input is still analyzed. Only invalid YAML changes the exit code (to 4).
`;
