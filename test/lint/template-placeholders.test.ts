/**
 * unreplaced-template-placeholder: the upstream NodeLocal DNSCache manifest's `__PILLAR__` placeholders
 * left in objects that would be applied as is. Ground truth: NETWORKING-FACTS.md "NodeLocal DNSCache"
 * (substitute LOCAL_DNS, DNS_DOMAIN, DNS_SERVER; node-cache fills in CLUSTER_DNS and UPSTREAM_SERVERS
 * in its Corefile) and shared/reference/{kubernetes-nodelocaldns,cilium-node-local-dns}.yaml.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { brief } from './support';
import { ClusterNetwork, Cni, KubeProxyMode, NodeLocalDNS, PolicyLint } from '../../src';
import { expectValidManifests } from '../support/schema';
import { synthAppValid } from '../support/synth';

const RULE = 'unreplaced-template-placeholder';
const REFERENCE = path.resolve(__dirname, '..', '..', '..', 'shared', 'reference');
const reference = (file: string) => fs.readFileSync(path.join(REFERENCE, file), 'utf-8');
const DAEMONSET = 'DaemonSet kube-system/node-local-dns';
const CONFIGMAP = 'ConfigMap kube-system/node-local-dns';
const ARGS = 'spec.template.spec.containers[0].args[1]';

describe(RULE, () => {
  test('the upstream manifest as downloaded: the three install-time placeholders, wherever they are; node-cache\'s own are left', () => {
    const findings = PolicyLint.checkYaml(reference('kubernetes-nodelocaldns.yaml'), 'nodelocaldns.yaml').filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: CONFIGMAP, path: 'data.Corefile' },
      { rule: RULE, severity: 'error', object: DAEMONSET, path: ARGS },
      { rule: RULE, severity: 'error', object: DAEMONSET, path: 'spec.template.spec.containers[0].livenessProbe.httpGet.host' },
    ]);
    expect(findings.map((f) => [f.line, f.message])).toEqual([
      [39, `${CONFIGMAP} still holds the template placeholders __PILLAR__DNS__DOMAIN__, __PILLAR__LOCAL__DNS__, __PILLAR__DNS__SERVER__: `
        + 'applied as is, the literal text is what node-cache gets'],
      [95, `${DAEMONSET} still holds the template placeholders __PILLAR__LOCAL__DNS__, __PILLAR__DNS__SERVER__: `
        + 'applied as is, the literal text is what node-cache gets'],
      [95, `${DAEMONSET} still holds the template placeholder __PILLAR__LOCAL__DNS__: applied as is, the literal text is what node-cache gets`],
    ]);
    expect(findings[0].fix).toBe('replace the placeholders before apply, as the NodeLocal DNSCache guide does with sed: __PILLAR__LOCAL__DNS__ '
      + 'with the link-local IP (169.254.20.10), __PILLAR__DNS__DOMAIN__ with the cluster domain, __PILLAR__DNS__SERVER__ with the kube-dns '
      + 'ClusterIP (IPVS mode: remove it); or synthesize NodeLocalDNS, which does');
  });

  test('the Cilium local-redirect reference: only __PILLAR__DNS__SERVER__ in -localip is left to replace', () => {
    const findings = PolicyLint.checkYaml(reference('cilium-node-local-dns.yaml'), 'cilium.yaml').filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'error', object: DAEMONSET, path: ARGS }]);
  });

  test('node-cache\'s own placeholders outside a ConfigMap\'s data are flagged too: nothing fills them in there', () => {
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'node-local-dns', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
        template: {
          metadata: { labels: { 'k8s-app': 'node-local-dns' } },
          spec: { containers: [{ name: 'node-cache', image: 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4', args: ['-localip', '__PILLAR__CLUSTER__DNS__'] }] },
        },
      },
    };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system', annotations: { note: '__PILLAR__UPSTREAM__SERVERS__' } } };
    expectValidManifests([ds, cm]);
    const findings = PolicyLint.check([ds, cm]).filter((f) => f.rule === RULE);
    expect(findings.map((f) => [f.object, f.path, f.message])).toEqual([
      ['ConfigMap kube-system/x', 'metadata.annotations.note', 'ConfigMap kube-system/x still holds the template placeholder __PILLAR__UPSTREAM__SERVERS__: '
        + 'applied as is, the literal text is what node-cache gets (node-cache fills in __PILLAR__UPSTREAM__SERVERS__ only in the Corefile of its ConfigMap)'],
      [DAEMONSET, ARGS, `${DAEMONSET} still holds the template placeholder __PILLAR__CLUSTER__DNS__: applied as is, the literal text is what node-cache `
        + 'gets (node-cache fills in __PILLAR__CLUSTER__DNS__ only in the Corefile of its ConfigMap)'],
    ]);
  });

  test.each([
    ['iptables', () => Cni.calico(), {}],
    ['IPVS', () => Cni.kubernetes(), { kubeProxyMode: KubeProxyMode.IPVS }],
    ['Cilium local redirect', () => Cni.cilium(), {}],
  ])('NodeLocalDNS (%s) synthesizes none: its Corefile keeps only node-cache\'s own placeholders', (_, cni, cluster) => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'cluster', { cni: cni(), nodeLocalDns: true, ...cluster });
    new NodeLocalDNS(chart, 'node-local-dns');
    const objects = synthAppValid(app).all;
    expect(JSON.stringify(objects)).toContain('__PILLAR__UPSTREAM__SERVERS__');
    expect(PolicyLint.check(objects).filter((f) => f.rule === RULE)).toEqual([]);
  });
});
