/**
 * The NodeLocal DNSCache Corefile, from the upstream addon's template
 * (`shared/reference/kubernetes-nodelocaldns.yaml`) with the substitutions the kubernetes.io guide
 * prescribes per variant (NETWORKING-FACTS.md, NodeLocal DNSCache table). `__PILLAR__CLUSTER__DNS__`
 * and `__PILLAR__UPSTREAM__SERVERS__` stay where node-cache fills them in at start; every other
 * placeholder is replaced.
 */

/** Which listen setup the Corefile is for. */
export interface CorefileInputs {
  /** `iptables`: bind the local IP and the kube-dns IP; `ipvs`: the local IP only; `local-redirect`: 0.0.0.0 in the pod. */
  readonly variant: 'iptables' | 'ipvs' | 'local-redirect';
  readonly domain: string;
  readonly localIp: string;
  readonly kubeDnsIp: string;
}

const CLUSTER_DNS = '__PILLAR__CLUSTER__DNS__';
const UPSTREAM_SERVERS = '__PILLAR__UPSTREAM__SERVERS__';

/** An address as CoreDNS wants it in `host:port` (IPv6 in brackets). */
export function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The addresses node-cache is given in `-localip` (and, with the link-local trick, binds in the
 * Corefile): the local IP and, except in IPVS mode, the kube-dns ClusterIP; each once. Internal.
 */
export function listenAddresses(variant: CorefileInputs['variant'], localIp: string, kubeDnsIp: string): string[] {
  return variant === 'ipvs' || localIp === kubeDnsIp ? [localIp] : [localIp, kubeDnsIp];
}

/** The Corefile for the inputs. */
export function corefile(c: CorefileInputs): string {
  // When the local IP is the kube-dns ClusterIP itself (iptables), it is bound once.
  const bind = c.variant === 'local-redirect' ? '0.0.0.0' : listenAddresses(c.variant, c.localIp, c.kubeDnsIp).join(' ');
  // In IPVS mode the kube-dns ClusterIP is reachable through kube-ipvs0, so the cluster zones forward
  // to it directly (the guide's `s/__PILLAR__CLUSTER__DNS__/$kubedns/`); otherwise node-cache fills
  // in the kube-dns-upstream Service IP.
  const clusterDns = c.variant === 'ipvs' ? c.kubeDnsIp : CLUSTER_DNS;
  const health = c.variant === 'local-redirect' ? 'health' : `health ${hostPort(c.localIp, 8080)}`;
  const zone = (name: string, cache: string[], forward: string[], extra: string[] = []) => [
    `${name}:53 {`,
    '    errors',
    ...cache,
    '    reload',
    '    loop',
    `    bind ${bind}`,
    ...forward,
    '    prometheus :9253',
    ...extra,
    '    }',
  ];
  const clusterForward = [`    forward . ${clusterDns} {`, '            force_tcp', '    }'];
  return [
    ...zone(c.domain, ['    cache {', '            success 9984 30', '            denial 9984 5', '    }'], clusterForward, [`    ${health}`]),
    ...zone('in-addr.arpa', ['    cache 30'], clusterForward),
    ...zone('ip6.arpa', ['    cache 30'], clusterForward),
    ...zone('.', ['    cache 30'], [`    forward . ${UPSTREAM_SERVERS}`]),
  ].join('\n') + '\n';
}
