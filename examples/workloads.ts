import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** A workload the examples route to or authorize (the library routes and secures; it does not create these). */
export interface ExampleWorkload {
  readonly name: string;
  readonly namespace: string;
  /** Pod labels (also the Deployment selector). */
  readonly labels: Record<string, string>;
  readonly image: string;
  /** Container port, named `http`. */
  readonly port: number;
  /** Its own ServiceAccount (the mesh identity); created when given. */
  readonly serviceAccount?: string;
  /** An existing ServiceAccount to run as (another workload's mesh identity, e.g. the tier a canary belongs to); not created. */
  readonly runAsServiceAccount?: string;
  /** Annotations of the pod template (e.g. a Linkerd default inbound policy). */
  readonly podAnnotations?: Record<string, string>;
}

/**
 * A Deployment whose pods pass Pod Security `restricted` (non-root, no privilege escalation, every
 * capability dropped, seccomp RuntimeDefault), and its ServiceAccount.
 */
export function restrictedDeployment(scope: Construct, id: string, w: ExampleWorkload): void {
  if (w.serviceAccount) {
    new ApiObject(scope, `${id}-sa`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: w.serviceAccount, namespace: w.namespace },
      automountServiceAccountToken: false,
    });
  }
  new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: w.labels },
      template: {
        metadata: { labels: w.labels, ...(w.podAnnotations ? { annotations: w.podAnnotations } : {}) },
        spec: {
          ...(w.serviceAccount ?? w.runAsServiceAccount ? { serviceAccountName: w.serviceAccount ?? w.runAsServiceAccount } : {}),
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'app',
            image: w.image,
            ports: [{ name: 'http', containerPort: w.port, protocol: 'TCP' }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  });
}

/** A ClusterIP Service on `port` selecting `selector`. */
export function clusterIpService(scope: Construct, id: string, name: string, namespace: string, selector: Record<string, string>,
  port: number): void {
  new ApiObject(scope, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] },
  });
}
