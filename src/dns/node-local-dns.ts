import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { corefile, listenAddresses } from './corefile';
import { ClusterNetwork } from '../cluster/cluster-network';
import { KubeProxyMode } from '../cluster/kube-proxy-mode';
import { nodeLocalDnsVariant } from '../cluster/node-local-dns-variant';
import { CiliumLocalRedirectPolicy, CiliumLocalRedirectPolicySpecRedirectBackendToPortsProtocol as LrpProtocol } from '../imports/cilium.io';
import { NODE_LOCAL_DNS_POD_LABELS } from '../policy/cluster-dns';
import { parseIpLoose } from '../util/cidr';
import { propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireOptionalObject, requireOptionalOneOf, requireOptionalString, requireProps, requireString } from '../util/guards';
import { validateImage } from '../util/image-reference';
import { registerObject } from '../util/object-registry';
import { validateDnsSubdomain } from '../util/validate';

/** The NodeLocal DNSCache variant (kubernetes.io "Using NodeLocal DNSCache in Kubernetes Clusters"). */
export enum NodeLocalDnsMode {
  /** kube-proxy in iptables mode: node-local-dns binds the link-local IP and the kube-dns ClusterIP on the host network. */
  IPTABLES = 'iptables',
  /** kube-proxy in IPVS mode: it binds the link-local IP only, and kubelet `--cluster-dns` must point at it. */
  IPVS = 'ipvs',
  /** Cilium kube-proxy replacement: ordinary pods behind a CiliumLocalRedirectPolicy (no host network). */
  CILIUM_LOCAL_REDIRECT = 'cilium-local-redirect',
}

/** Resources of the node-cache container. */
export interface NodeLocalDnsResources {
  /**
   * CPU request.
   * @default '25m' (upstream)
   */
  readonly cpuRequest?: string;
  /**
   * Memory request.
   * @default '5Mi' (upstream)
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit.
   * @default - none (upstream sets none; a cache under memory pressure is OOM-killed and DNS falls back to CoreDNS only where allowed)
   */
  readonly memoryLimit?: string;
}

/** Props of {@link NodeLocalDNS}. Every cluster fact defaults to the ClusterNetwork's and must equal it. */
export interface NodeLocalDNSProps {
  /**
   * The link-local listen address.
   * @default - the ClusterNetwork's `nodeLocalDnsIp` (169.254.20.10)
   */
  readonly localIp?: string;
  /**
   * The kube-dns Service ClusterIP.
   * @default - the ClusterNetwork's `dns.serviceIp`
   */
  readonly kubeDnsIp?: string;
  /**
   * The kube-proxy mode, which picks the variant.
   * @default - the ClusterNetwork's `kubeProxyMode`
   */
  readonly kubeProxyMode?: KubeProxyMode;
  /**
   * The cluster domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The node-cache image.
   * @default 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4'
   */
  readonly image?: string;
  /**
   * Container resources.
   * @default - requests 25m CPU and 5Mi memory, as upstream
   */
  readonly resources?: NodeLocalDnsResources;
}

const IMAGE = 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4';
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40,
};
/** The amount of a quantity that matched {@link QUANTITY}. */
function quantityAmount(q: string): number {
  const [, digits, suffix] = /^([0-9.]+)(.*)$/.exec(q)!;
  return Number(digits) * QUANTITY_SUFFIX[suffix];
}
const LABELS = { ...NODE_LOCAL_DNS_POD_LABELS };
/** The fields of each struct, for requireKnownKeys: a misspelt optional field would be silently ignored. */
const PROPS_KEYS: StructKeys<NodeLocalDNSProps> = {
  localIp: true, kubeDnsIp: true, kubeProxyMode: true, clusterDomain: true, image: true, resources: true,
};
const RESOURCES_KEYS: StructKeys<NodeLocalDnsResources> = { cpuRequest: true, memoryRequest: true, memoryLimit: true };

/**
 * NodeLocal DNSCache, the upstream addon as a construct: ServiceAccount `node-local-dns`, Service
 * `kube-dns-upstream` (before the DaemonSet: node-cache reads its `KUBE_DNS_UPSTREAM_SERVICE_HOST`),
 * ConfigMap `node-local-dns` (Corefile with every placeholder but the two node-cache fills in
 * replaced), DaemonSet `node-local-dns`, and the headless metrics Service. On Cilium with kube-proxy
 * replacement, Cilium's local-redirect variant instead (no host network, no NET_ADMIN) plus the
 * CiliumLocalRedirectPolicy `nodelocaldns`; a CiliumInstall in the app must then enable local redirect
 * policies (it checks so itself, from the same ClusterNetwork).
 *
 * Reads the ClusterNetwork, which must declare `nodeLocalDns: true` (so every DNS allow already opens
 * the right destinations for the variant). In IPVS mode kubelet's `--cluster-dns` (`clusterDNS`)
 * must be changed to the local IP (`kubeletClusterDns`); nothing here can do that for you.
 */
export class NodeLocalDNS extends Construct {
  /** The variant emitted. */
  public readonly mode: NodeLocalDnsMode;
  /** The address kubelet's `--cluster-dns` must point at: the local IP in IPVS mode, the kube-dns ClusterIP otherwise. */
  public readonly kubeletClusterDns: string;
  /** The Corefile. */
  public readonly corefile: string;
  /** The DaemonSet. */
  public readonly daemonSet: ApiObject;

  constructor(scope: Construct, id: string, props: NodeLocalDNSProps = {}) {
    super(scope, id);
    requireKnownKeys(this, '', requireProps(this, props, true), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    if (cluster.nodeLocalDnsIp === undefined) {
      throw propError(this, 'ClusterNetwork.nodeLocalDns', `the ClusterNetwork '${cluster.node.path}' does not declare nodeLocalDns: true, `
        + 'so no DNS allow opens the node-local cache: pods in zero-trust namespaces could not resolve names');
    }
    const localIp = this.same('localIp', props.localIp, cluster.nodeLocalDnsIp, 'nodeLocalDnsIp');
    const kubeDnsIp = this.same('kubeDnsIp', props.kubeDnsIp, cluster.dnsServiceIp, 'dns.serviceIp');
    const kubeProxyMode = requireOptionalOneOf(this, 'kubeProxyMode', props.kubeProxyMode, Object.values(KubeProxyMode), 'a KubeProxyMode', cluster.kubeProxyMode);
    if (kubeProxyMode !== cluster.kubeProxyMode) {
      throw propError(this, 'kubeProxyMode', `'${kubeProxyMode}' differs from the ClusterNetwork's kubeProxyMode '${cluster.kubeProxyMode}', which the DNS allows follow`);
    }
    const variant = nodeLocalDnsVariant(cluster);
    if (variant === 'unsupported') {
      throw propError(this, 'kubeProxyMode', `kube-proxy is replaced by ${cluster.cni.name}, for which no NodeLocal DNS variant is documented `
        + '(the link-local iptables trick needs kube-proxy; the local-redirect variant needs Cilium)');
    }
    this.mode = { 'iptables': NodeLocalDnsMode.IPTABLES, 'ipvs': NodeLocalDnsMode.IPVS, 'cilium-local-redirect': NodeLocalDnsMode.CILIUM_LOCAL_REDIRECT }[variant];
    // The ClusterNetwork allows the kube-dns ClusterIP as the local IP (iptables binds it anyway), but
    // in IPVS mode the cluster zones forward to that very address.
    if (this.mode === NodeLocalDnsMode.IPVS && localIp === kubeDnsIp) {
      throw propError(this, 'localIp', `'${localIp}' (the ClusterNetwork's nodeLocalDnsIp) is the kube-dns ClusterIP, which kube-proxy in IPVS mode `
        + 'binds to kube-ipvs0 on every node and to which the cache forwards the cluster zones: node-local-dns would forward to itself. '
        + 'Use a link-local address (169.254.20.10 by default)');
    }
    const redirect = this.mode === NodeLocalDnsMode.CILIUM_LOCAL_REDIRECT;
    this.kubeletClusterDns = this.mode === NodeLocalDnsMode.IPVS ? localIp : kubeDnsIp;

    const domain = validateDnsSubdomain(this, 'clusterDomain', (requireOptionalString(this, 'clusterDomain', props.clusterDomain, true) ?? 'cluster.local'));
    const image = (requireOptionalString(this, 'image', props.image, true) ?? IMAGE);
    if (/\s/.test(image)) throw propError(this, 'image', `${JSON.stringify(image)} is not a container image reference (it contains whitespace)`);
    // The kubelet refuses a reference outside the distribution grammar (InvalidImageName): the cache never runs.
    validateImage(this, 'image', image);
    const namespace = cluster.dnsNamespace;
    this.corefile = corefile({ variant: redirect ? 'local-redirect' : this.mode === NodeLocalDnsMode.IPVS ? 'ipvs' : 'iptables', domain, localIp, kubeDnsIp });

    const emit = (obj: ApiObject) => registerObject(this, obj);
    emit(new ApiObject(this, 'service-account', {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'node-local-dns', namespace, labels: LABELS },
    }));
    emit(new ApiObject(this, 'upstream-service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns-upstream', namespace, labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'KubeDNSUpstream' } },
      spec: {
        selector: { ...cluster.dnsPodLabels },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        ],
      },
    }));
    emit(new ApiObject(this, 'config', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'node-local-dns', namespace, labels: LABELS }, data: { Corefile: this.corefile },
    }));
    this.daemonSet = emit(this.daemonSetObject(namespace, image, localIp, kubeDnsIp, redirect, props.resources));
    emit(new ApiObject(this, 'metrics-service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'node-local-dns', namespace, labels: LABELS, annotations: { 'prometheus.io/port': '9253', 'prometheus.io/scrape': 'true' } },
      spec: { clusterIP: 'None', selector: LABELS, ports: [{ name: 'metrics', port: 9253, targetPort: 9253 }] },
    }));
    if (redirect) emit(this.localRedirectPolicy(namespace));

    this.node.addValidation({ validate: () => this.checkApp(namespace, redirect) });
  }

  /** A fact given twice must be the same (the DNS allows follow the ClusterNetwork's). */
  private same(prop: string, given: string | undefined, fact: string, factProp: string): string {
    if (given === undefined) return fact;
    const ip = requireString(this, prop, given, true);
    const a = parseIpLoose(ip);
    if (!a) throw propError(this, prop, `'${ip}' is not an IP address`);
    if (a.toString() !== parseIpLoose(fact)!.toString()) {
      throw propError(this, prop, `'${ip}' differs from the ClusterNetwork's ${factProp} '${fact}', which every DNS allow opens: set it there`);
    }
    return fact;
  }

  private daemonSetObject(
    namespace: string, image: string, localIp: string, kubeDnsIp: string, redirect: boolean, given?: NodeLocalDnsResources,
  ): ApiObject {
    const resources = requireKnownKeys(this, 'resources', requireOptionalObject<NodeLocalDnsResources>(this, 'resources', given) ?? {}, RESOURCES_KEYS);
    const quantity = (prop: keyof NodeLocalDnsResources, fallback?: string) => {
      const q = (requireOptionalString(this, `resources.${prop}`, resources[prop], true) ?? fallback);
      if (q !== undefined && !QUANTITY.test(q)) throw propError(this, `resources.${prop}`, `'${q}' is not a Kubernetes quantity`);
      return q;
    };
    const memoryLimit = quantity('memoryLimit');
    const memoryRequest = quantity('memoryRequest', '5Mi')!;
    if (memoryLimit !== undefined && quantityAmount(memoryLimit) < quantityAmount(memoryRequest)) {
      throw propError(this, 'resources.memoryLimit', `'${memoryLimit}' is below the memory request '${memoryRequest}': the API server refuses a request above its limit`);
    }
    const ipvs = this.mode === NodeLocalDnsMode.IPVS;
    const args = [
      '-localip', listenAddresses(ipvs ? 'ipvs' : redirect ? 'local-redirect' : 'iptables', localIp, kubeDnsIp).join(','),
      '-conf', '/etc/Corefile',
      '-upstreamsvc', 'kube-dns-upstream',
      ...(redirect ? ['-skipteardown=true', '-setupinterface=false', '-setupiptables=false'] : ['-pidfile', '/tmp/node-cache.pid']),
    ];
    const annotations: Record<string, string> = { 'prometheus.io/port': '9253', 'prometheus.io/scrape': 'true' };
    // Cilium must not conntrack-bypass DNS to the pod (Cilium's node-local-dns example).
    if (redirect) annotations['policy.cilium.io/no-track-port'] = '53';
    return new ApiObject(this, 'daemon-set', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'node-local-dns',
        namespace,
        labels: LABELS,
        // Visible in the committed manifest: IPVS mode only works once kubelet points at the cache.
        annotations: ipvs
          ? { 'cdk8s-networking.dev/kubelet-cluster-dns': `${localIp}: set kubelet --cluster-dns (clusterDNS) to this address on every node` }
          : undefined,
      },
      spec: {
        updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } },
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS, annotations },
          spec: {
            priorityClassName: 'system-node-critical',
            serviceAccountName: 'node-local-dns',
            hostNetwork: redirect ? undefined : true,
            dnsPolicy: 'Default',
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { effect: 'NoExecute', operator: 'Exists' },
              { effect: 'NoSchedule', operator: 'Exists' },
            ],
            containers: [{
              name: 'node-cache',
              image,
              resources: {
                requests: { cpu: quantity('cpuRequest', '25m'), memory: memoryRequest },
                limits: memoryLimit ? { memory: memoryLimit } : undefined,
              },
              args,
              securityContext: redirect ? undefined : { capabilities: { add: ['NET_ADMIN'] } },
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                { containerPort: 9253, name: 'metrics', protocol: 'TCP' },
              ],
              livenessProbe: {
                httpGet: { host: redirect ? undefined : localIp, path: '/health', port: 8080 },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
              },
              volumeMounts: [
                ...(redirect ? [] : [{ mountPath: '/run/xtables.lock', name: 'xtables-lock', readOnly: false }]),
                { name: 'config-volume', mountPath: '/etc/coredns' },
                { name: 'kube-dns-config', mountPath: '/etc/kube-dns' },
              ],
            }],
            volumes: [
              ...(redirect ? [] : [{ name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } }]),
              { name: 'kube-dns-config', configMap: { name: 'kube-dns', optional: true } },
              { name: 'config-volume', configMap: { name: 'node-local-dns', items: [{ key: 'Corefile', path: 'Corefile.base' }] } },
            ],
          },
        },
      },
    });
  }

  /** Cilium's reference LRP: kube-dns Service traffic to the node-local-dns pod on the same node (ports named as the Service's). */
  private localRedirectPolicy(namespace: string): ApiObject {
    return new CiliumLocalRedirectPolicy(this, 'local-redirect-policy', {
      metadata: { name: 'nodelocaldns', namespace },
      spec: {
        redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace } },
        redirectBackend: {
          localEndpointSelector: { matchLabels: LABELS },
          toPorts: [{ port: '53', name: 'dns', protocol: LrpProtocol.UDP }, { port: '53', name: 'dns-tcp', protocol: LrpProtocol.TCP }],
        },
      },
    });
  }

  /**
   * Synth-time check over the whole app (any construction order): the DNS namespace must not enforce
   * a Pod Security level that refuses node-local-dns (host network, NET_ADMIN). (That a CiliumInstall
   * enables local redirect policies for the LRP variant is the CiliumInstall's check: it reads the
   * same ClusterNetwork.)
   */
  private checkApp(namespace: string, redirect: boolean): string[] {
    const errors: string[] = [];
    for (const c of this.node.root.node.findAll()) {
      if (!(c instanceof ApiObject) || c.kind !== 'Namespace' || c.name !== namespace) continue;
      const level = c.metadata.getLabel('pod-security.kubernetes.io/enforce');
      if (level === 'restricted' || level === 'baseline') {
        errors.push(`Namespace '${namespace}' (${c.node.path}) enforces Pod Security '${level}', which refuses node-local-dns `
          + `(${redirect ? 'a system pod' : 'host network and NET_ADMIN'}); never label ${namespace} ${level}`);
      }
    }
    return errors;
  }
}
