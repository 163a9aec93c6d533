/**
 * The tenant platforms the synth bench builds: with this library's TenantIsolation, and the same
 * intent written with cdk8s-plus-27 alone. Each builder returns a fresh App with ONE Chart (one
 * Chart per tenant is quadratic in cdk8s: every Chart re-resolves the whole app; DESIGN.md), whose
 * `synth()` writes `platform.k8s.yaml` into `outdir`.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ClusterNetwork, Cni, FastSynthApp, TenantIsolation } from '../src';

/** DNS-1123 tenant names `tenant-00000`, `tenant-00001`, ... */
export function tenantNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `tenant-${String(i).padStart(5, '0')}`);
}

/** Where `app.synth()` writes when no outdir is given (never the repository). */
const DEFAULT_OUTDIR = '/tmp/cdk8s-networking-bench';

function platformApp(outdir: string, fast = false): { app: App; chart: Chart } {
  const app = fast ? new FastSynthApp({ outdir }) : new App({ outdir });
  return { app, chart: new Chart(app, 'platform') };
}

/**
 * TenantIsolation with internet egress on 443 (the default port), on `cni`; in a FastSynthApp with
 * `fast`, else in cdk8s's App.
 */
export function ourPlatform(cni: Cni, tenants: string[], outdir = DEFAULT_OUTDIR, fast = false): App {
  const { app, chart } = platformApp(outdir, fast);
  new ClusterNetwork(chart, 'cluster', { cni });
  new TenantIsolation(chart, 'tenants', { tenants, allowInternetEgress: true });
  return app;
}

/** Private ranges and the metadata service, excepted from the internet egress (as TenantIsolation does). */
const INTERNET_EXCEPT = ['169.254.169.254/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * The same intent as a platform engineer would write it with cdk8s-plus-27's own API: per tenant a
 * labelled Namespace, default deny, DNS to kube-dns, same-tenant ingress/egress, and internet egress
 * on TCP 443 except private ranges and the metadata service.
 */
export function kplusPlatform(tenants: string[], outdir = DEFAULT_OUTDIR): App {
  const { app, chart } = platformApp(outdir);
  const dns = kplus.Pods.select(chart, 'kube-dns', {
    labels: { 'k8s-app': 'kube-dns' },
    namespaces: kplus.Namespaces.select(chart, 'kube-system', { names: ['kube-system'] }),
  });
  const dnsPorts = [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)];
  for (const tenant of tenants) {
    const t = new Construct(chart, tenant);
    new kplus.Namespace(t, 'namespace', { metadata: { name: tenant, labels: { tenant } } });
    const meta = (name: string) => ({ metadata: { name, namespace: tenant } });
    new kplus.NetworkPolicy(t, 'default-deny', {
      ...meta('default-deny-all'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const allowDns = new kplus.NetworkPolicy(t, 'allow-dns', meta('allow-dns'));
    allowDns.addEgressRule(dns, dnsPorts);
    const sameTenantPeer = kplus.Pods.all(t, 'same-tenant-pods', {
      namespaces: kplus.Namespaces.select(t, 'same-tenant', { labels: { tenant } }),
    });
    const sameTenant = new kplus.NetworkPolicy(t, 'allow-same-tenant', meta('allow-same-tenant'));
    sameTenant.addIngressRule(sameTenantPeer);
    sameTenant.addEgressRule(sameTenantPeer);
    const internet = new kplus.NetworkPolicy(t, 'allow-internet-egress', meta('allow-internet-egress'));
    const anywhere = kplus.NetworkPolicyIpBlock.ipv4(t, 'internet', '0.0.0.0/0', INTERNET_EXCEPT);
    internet.addEgressRule(anywhere, [kplus.NetworkPolicyPort.tcp(443)]);
  }
  return app;
}
