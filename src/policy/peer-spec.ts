import { LabelExpression } from './label-expression';

/** The data behind a Peer (internal: not exported from the package). */
export interface PeerSpec {
  readonly kind: 'pods' | 'namespaces' | 'cidr' | 'internet' | 'dns' | 'ingressController' | 'gateway' | 'monitoring' | 'kubeApiServer' | 'fqdn';
  readonly podLabels?: Record<string, string>;
  readonly namespace?: string;
  readonly namespaceLabels?: Record<string, string>;
  readonly namespaceExpressions?: LabelExpression[];
  readonly cidr?: string;
  readonly except?: string[];
  readonly exceptPrivateRanges?: boolean;
  readonly fqdnName?: string;
  readonly fqdnPattern?: string;
}
