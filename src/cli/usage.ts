/**
 * The help text of the `cdk8s-networking` command line, shown by `--help` and after usage errors.
 * The CNI names come from the one CNI table (src/cluster/cni-choices.ts), the limits from their defaults.
 */
import { DEFAULT_MAX_ROWS } from './args';
import { CNI_NAMES } from '../cluster/cni-choices';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES, formatBytes } from '../util/input-files';

const CNIS = CNI_NAMES.join('|');
const size = (n: number) => formatBytes(n).replace(' ', '');

/** The text of `--help`. */
export const USAGE = `Usage:
  cdk8s-networking analyze <dir|file...> --cni ${CNIS}
      [--format table|json|mermaid] [--max-rows N | --all] [--lint] [--ip-families ipv4,ipv6]
      [--expect expectations.yaml] [--ports tcp/8080,udp/53] [--output FILE] [READ OPTIONS]
  cdk8s-networking lint <dir|file...> [--cni ${CNIS}] [--markdown]
      [--ip-families ipv4,ipv6] [--format text|json] [--output FILE] [READ OPTIONS]
  cdk8s-networking --help | --version

Commands:
  analyze   Print the flow matrix (which workload may reach which on which port) of the
            Kubernetes YAML under the given files and directories (*.yaml, *.yml, recursively).
  lint      Print the networking pitfalls found in that YAML, and in Markdown files (*.md,
            *.markdown): their yaml blocks, heredocs and helm/cilium --set command lines.

Options:
  --cni NAME       CNI whose policy semantics apply (required for analyze): ${CNI_NAMES.join(', ')}.
  --format FMT     analyze: table (default), json or mermaid; lint: text (default) or json.
  --max-rows N     analyze table: list at most N flows (default ${DEFAULT_MAX_ROWS}); above, print the
                   allowed and denied flows per namespace pair instead.
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
                   describes probes and pairs.
  --ports LIST     analyze: extra destination ports for the matrix (proto/number or proto/name).
  --markdown       lint: search directories for Markdown files too (named *.md and *.markdown
                   files are always read as Markdown).
  --output FILE    Write the report to FILE instead of standard output.
  -h, --help       Show this help.
  -v, --version    Show the version.

Read options (input comes from contributors: only regular files are read):
  --max-file-size SIZE   Largest file read (default ${size(DEFAULT_MAX_FILE_BYTES)}); e.g. 64M, 1G.
  --max-total-size SIZE  Most bytes read over all files (default ${size(DEFAULT_MAX_TOTAL_BYTES)}).
  --follow-symlinks      Follow symlinks that lead out of the directories given (default: such a
                         symlink is an error).

Exit codes:
  0  fine.
  1  a lint error (lint, or analyze --lint) or a failed expectation.
  2  usage error; input that cannot be read: a path that does not exist, a file that is not a
     regular file or is over a size limit, a symlink out of the directories given, no readable
     YAML or no Kubernetes object at all; an unreadable or malformed expectations file; an
     --output that cannot be written.
  3  internal error (a bug in cdk8s-networking: please report it with the input).
Invalid YAML documents, objects the analyzer cannot evaluate and unknown kinds are warnings
(stderr, and the 'warnings' of --format json): the rest of the input is still analyzed.
`;
