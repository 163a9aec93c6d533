import { isLinkerdGroup, isLinkerdKind } from '../../analysis/mesh/linkerd-refs';
import { apiGroupOf, nameOf } from '../../util/vocabulary';
import { isObject, LintDocument } from '../document';
import { namespaceOf } from '../kinds';

const GROUP = 'policy.linkerd.io';

/**
 * What an AuthorizationPolicy on the proxy admin port tells of an unmeshed scraper (Prometheus): its
 * requiredAuthenticationRefs must all match (linkerd.io "Authorization Policy" reference), so
 *
 * - no identity reference (none at all, or only a NetworkAuthentication, whose networks the lint
 *   cannot compare with the scraper's unknown address): it may admit an unmeshed scraper;
 * - a ServiceAccount, or a MeshTLSAuthentication naming identities or identityRefs: it names its
 *   meshed clients, which the lint takes as a meshed scraper's (`linkerd viz allow-scrapes` authorizes
 *   Prometheus's ServiceAccount so), or a MeshTLSAuthentication not in the manifests: not judged;
 * - a MeshTLSAuthentication with identity `*` (any meshed client): only meshed clients, as the
 *   `all-authenticated` default; the returned text names it for a finding.
 *
 * Returns undefined when the policy may admit the scraper, else `MeshTLSAuthentication NAME (identities *)`.
 */
export function meshedOnlyAuthentication(policy: Record<string, any>, documents: readonly LintDocument[]): string | undefined {
  const refs: unknown[] = Array.isArray(policy.spec?.requiredAuthenticationRefs) ? policy.spec.requiredAuthenticationRefs : [];
  const ns = namespaceOf(policy);
  for (const ref of refs) {
    if (!isObject(ref) || !isLinkerdKind(ref.kind, 'MeshTLSAuthentication') || !isLinkerdGroup(ref.group, GROUP)) continue;
    const refNs = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : ns;
    const authn = documents.find((d) => isObject(d.obj) && d.obj.kind === 'MeshTLSAuthentication' && apiGroupOf(d.obj) === GROUP
      && nameOf(d.obj) === ref.name && namespaceOf(d.obj) === refNs)?.obj;
    const identities: unknown = authn?.spec?.identities;
    if (Array.isArray(identities) && identities.includes('*')) return `MeshTLSAuthentication ${refNs}/${String(ref.name)} (identities *)`;
  }
  return undefined;
}
