/**
 * Property: each ZeroTrustNamespace option opens exactly the flows it promises, and nothing else,
 * on every enforcing CNI, with and without NodeLocal DNSCache, with the default or random cluster
 * DNS / monitoring / ingress-controller locations. The whole flow matrix (every probe pod x every
 * probe pod x declared ports plus the option ports) is compared with the expectation.
 * Ground truth: NETWORKING-FACTS.md §NetworkPolicy 3, 4, 6 and the construct's documented options.
 */
import * as fc from 'fast-check';
import { NamespacedPods, Port, Reachability, Target, ZeroTrustNamespace } from '../../src';
import { runs } from './support/config';
import { dnsLabel } from './support/dns';
import { l4Port, podLabels } from './support/topology';
import { assertFlow, assertMatrix } from './support/verdicts';
import { INTERNET, METADATA } from '../support/flows';
import { ENFORCING_CNIS, chartFor, synthValid } from '../support/synth';

const NUM_RUNS = 100;
const NODE_LOCAL_DNS = Target.external('169.254.20.10');

type Labels = { [key: string]: string };

const portList = fc.uniqueArray(l4Port, { minLength: 1, maxLength: 3, selector: (p) => p.toString() });
const nonEmptyLabels = podLabels.filter((l) => Object.keys(l).length > 0);

/** Where the cluster DNS, monitoring and ingress controller live: the defaults, or random places. */
const placement = fc.oneof(
  fc.constant(undefined),
  fc.record({
    dnsLabels: nonEmptyLabels,
    monitoringLabels: fc.option(nonEmptyLabels, { nil: undefined }),
    ingressLabels: fc.option(nonEmptyLabels, { nil: undefined }),
  }),
);

/** Random ZeroTrustNamespace props and cluster settings, plus the workloads probed in it. */
const scenario = fc.record({
  // [zero-trust namespace, DNS, monitoring, ingress controller, outsider]; distinct.
  names: fc.uniqueArray(dnsLabel(), { minLength: 5, maxLength: 5 }),
  placement,
  allowSameNamespace: fc.boolean(),
  // undefined means "no allow"; [] is refused (validatePorts).
  monitoringPorts: fc.option(portList, { nil: undefined }),
  ingressControllerPorts: fc.option(portList, { nil: undefined }),
  nodeLocalDns: fc.boolean(),
  pods: fc.array(fc.tuple(podLabels, fc.uniqueArray(l4Port, { minLength: 1, maxLength: 2, selector: (p) => p.toString() })), {
    minLength: 2,
    maxLength: 3,
  }),
  extraPorts: fc.uniqueArray(l4Port, { maxLength: 2, selector: (p) => p.toString() }),
});

const includes = (labels: Labels, wanted: Labels) => Object.entries(wanted).every(([k, v]) => labels[k] === v);

describe.each(ENFORCING_CNIS)('ZeroTrustNamespace properties on %s', (cniName, cni) => {
  test('every option opens exactly its flows; DNS (and NodeLocal DNS) yes; metadata and internet never', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const [zt, dnsNs, monNs, icNs, outsiderNs] = s.names;
        // The documented defaults, or the random placement.
        const dns = s.placement
          ? { namespace: dnsNs, podLabels: s.placement.dnsLabels }
          : { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
        const monitoring: NamespacedPods = s.placement
          ? { namespace: monNs, podLabels: s.placement.monitoringLabels }
          : { namespace: 'monitoring' };
        const controller: NamespacedPods = s.placement
          ? { namespace: icNs, podLabels: s.placement.ingressLabels }
          : { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } };
        const chart = chartFor(cni(), {
          nodeLocalDns: s.nodeLocalDns,
          ...(s.placement ? { dns, monitoring, ingressController: controller } : {}),
        });
        new ZeroTrustNamespace(chart, 'zt', {
          name: zt,
          allowSameNamespace: s.allowSameNamespace,
          monitoringPorts: s.monitoringPorts,
          ingressControllerPorts: s.ingressControllerPorts,
        });
        const reach = Reachability.fromManifests(synthValid(chart), { cni: cni() });

        const pods = new Map<string, { namespace: string; labels: Labels }>();
        const probe = (name: string, namespace: string, labels: Labels, ports: Port[] = []) => {
          reach.addProbe(name, namespace, labels, { ports });
          pods.set(`${namespace}/${name}`, { namespace, labels });
        };
        s.pods.forEach(([labels, ports], i) => probe(`p${i}`, zt, labels, ports));
        probe('dns', dns.namespace, dns.podLabels, [Port.udp(53), Port.tcp(53)]);
        probe('dns-decoy', dns.namespace, { decoy: 'dns' }, [Port.udp(53), Port.tcp(53)]);
        // Under Cilium kube-proxy replacement NodeLocal DNS runs as pods behind a local redirect.
        probe('node-local-dns', dns.namespace, { 'k8s-app': 'node-local-dns' }, [Port.udp(53), Port.tcp(53)]);
        probe('scraper', monitoring.namespace, { ...(monitoring.podLabels ?? {}), app: 'scraper' });
        probe('mon-decoy', monitoring.namespace, { decoy: 'monitoring' });
        probe('controller', controller.namespace, { ...(controller.podLabels ?? {}), app: 'controller' });
        probe('ic-decoy', controller.namespace, { decoy: 'ingress' });
        // Carries every selector label, in the wrong namespace.
        probe('intruder', outsiderNs, { ...dns.podLabels, ...(monitoring.podLabels ?? {}), ...(controller.podLabels ?? {}) });

        const monitoringPorts = s.monitoringPorts ?? [];
        const ingressPorts = s.ingressControllerPorts ?? [];
        const has = (list: Port[], port: string) => list.some((p) => p.toString() === port);
        const isDnsPort = (port: string) => port === 'UDP/53' || port === 'TCP/53';
        const selects = (pods_: NamespacedPods, name: string) => {
          const pod = pods.get(name)!;
          return pod.namespace === pods_.namespace && includes(pod.labels, pods_.podLabels ?? {});
        };
        const flows = assertMatrix(
          reach,
          (source, destination, port) => {
            const fromZt = source.startsWith(`${zt}/`);
            if (destination.startsWith(`${zt}/`)) {
              if (fromZt) return s.allowSameNamespace;
              return (selects(monitoring, source) && has(monitoringPorts, port))
                || (selects(controller, source) && has(ingressPorts, port));
            }
            // Destinations outside the namespace have no policies: only the zero-trust egress side limits them.
            if (!fromZt) return true;
            if (selects(dns, destination)) return isDnsPort(port);
            if (destination === `${dns.namespace}/node-local-dns`) {
              return s.nodeLocalDns && cniName === 'cilium' && isDnsPort(port);
            }
            return false;
          },
          { ports: [...monitoringPorts, ...ingressPorts, ...s.extraPorts, Port.udp(53), Port.tcp(53)] },
        );
        if (flows === 0) throw new Error('empty flow matrix');

        const first = Target.workload(zt, 'p0');
        // The link-local address in iptables mode; on Cilium with kube-proxy replacement the LRP's pods instead.
        assertFlow(reach, first, NODE_LOCAL_DNS, Port.udp(53), s.nodeLocalDns && cniName !== 'cilium');
        assertFlow(reach, first, NODE_LOCAL_DNS, Port.tcp(53), s.nodeLocalDns && cniName !== 'cilium');
        assertFlow(reach, first, NODE_LOCAL_DNS, Port.tcp(80), false);
        for (const p of [Port.tcp(80), Port.tcp(443), ...s.extraPorts, ...monitoringPorts]) {
          assertFlow(reach, first, METADATA, p, false);
          assertFlow(reach, first, INTERNET, p, false);
        }
      }),
      runs(NUM_RUNS),
    );
  });
});
