/**
 * A shared platform cluster with three tenants. Every tenant gets zero-trust namespaces labelled
 * with its name; traffic flows only inside a tenant; on Calico and Cilium a cluster-wide guard
 * rail per tenant keeps it so even if a tenant adds a permissive NetworkPolicy of its own.
 *
 *   CDK8S_NETWORKING_CNI=cilium cdk8s synth      # in this folder
 *   npm run synth                                # every example for every CNI, from the root
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterNetwork, Cni, Peer, Port, TenantIsolation } from '../../src';
import { cniFromEnv } from '../cni';

/** Build the tenant platform into `app` for `cni`. */
export function build(app: App, cni: Cni): Chart {
  const chart = new Chart(app, 'tenant-platform');
  new ClusterNetwork(chart, 'cluster', { cni, nodeLocalDns: true, podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });

  const tenants = new TenantIsolation(chart, 'tenants', {
    tenants: ['acme', 'globex', 'initech'],
    namespaces: { globex: ['globex-web', 'globex-data'] },
    allowInternetEgress: true,
  });

  // A workload per tenant namespace, so the manifests show (and the analyzer can check) real flows.
  for (const [tenant, namespaces] of Object.entries(tenants.tenantNamespaces)) {
    for (const ns of namespaces) {
      workload(chart, `${ns.name}-app`, ns.name, tenant);
      ns.allowIngress('allow-web-from-ingress', { app: 'web' }, [Peer.ingressController()], [Port.tcp(8080)]);
    }
  }
  return chart;
}

function workload(scope: Construct, id: string, namespace: string, tenant: string): void {
  new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace, labels: { app: 'web', tenant } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tenant } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'web',
            image: 'nginxinc/nginx-unprivileged:1.27-alpine',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  });
}

if (require.main === module) {
  const app = new App();
  build(app, cniFromEnv());
  app.synth();
}
