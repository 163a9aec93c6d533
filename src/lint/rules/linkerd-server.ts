import { isLinkerdGroup, isLinkerdKind, refusedAuthentications, serverParents } from '../../analysis/mesh/linkerd-refs';
import { apiGroupOf } from '../../util/vocabulary';
import { isObject } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const GROUP = 'policy.linkerd.io';

/**
 * A Linkerd Server makes its port deny-by-default (linkerd.io "Authorization Policy" reference:
 * `accessPolicy` defaults to `deny`): without an AuthorizationPolicy targeting the Server (or its
 * namespace, or an HTTPRoute attached to the Server), every connection to that port of the selected
 * pods is refused, meshed or not. A policy Linkerd refuses for its requiredAuthenticationRefs
 * (analysis/mesh/linkerd-refs `refusedAuthentications`) does not count.
 */
export const linkerdServer: LintRule = {
  ids: ['linkerd-server-without-authorization'],
  check(ctx: LintContext): RuleReport[] {
    const isLinkerd = (obj: any, kind: string) => isObject(obj) && obj.kind === kind && apiGroupOf(obj) === GROUP;
    const targeted = new Set<string>();
    const routeTargets = new Set<string>();
    for (const doc of ctx.documents) {
      if (!isLinkerd(doc.obj, 'AuthorizationPolicy')) continue;
      // A policy linkerd2's policy controller refuses for its authentications authorizes nobody.
      const authentications = doc.obj.spec?.requiredAuthenticationRefs;
      if (Array.isArray(authentications) && refusedAuthentications(authentications) !== undefined) continue;
      const ref = isObject(doc.obj.spec?.targetRef) ? doc.obj.spec.targetRef : {};
      // Linkerd resolves a targetRef by group and kind: a Server of policy.linkerd.io, the core Namespace,
      // an HTTPRoute of the group named (as the mesh analysis does); a look-alike group targets nothing.
      const group = String(ref.group ?? '').toLowerCase();
      if (isLinkerdKind(ref.kind, 'Server') && isLinkerdGroup(ref.group, GROUP)) targeted.add(`${namespaceOf(doc.obj)}|Server|${String(ref.name)}`);
      // A Namespace target is the policy's own namespace: linkerd2's policy controller does not read its name.
      if (isLinkerdKind(ref.kind, 'Namespace') && isLinkerdGroup(ref.group, '')) targeted.add(`${namespaceOf(doc.obj)}|Namespace`);
      if (isLinkerdKind(ref.kind, 'HTTPRoute')) routeTargets.add(`${namespaceOf(doc.obj)}|${group}|${String(ref.name)}`);
    }
    // A policy targeting an HTTPRoute whose parent is the Server authorizes (some) requests to it.
    for (const doc of ctx.documents) {
      const group = isObject(doc.obj) ? apiGroupOf(doc.obj) : '';
      if (!isObject(doc.obj) || doc.obj.kind !== 'HTTPRoute' || (group !== GROUP && group !== 'gateway.networking.k8s.io')) continue;
      const ns = namespaceOf(doc.obj);
      if (!routeTargets.has(`${ns}|${group.toLowerCase()}|${String(doc.obj.metadata?.name)}`)) continue;
      // The parent Servers as Linkerd (and the mesh analysis) reads them; a route naming a Server elsewhere, or a
      // Server's port or section, is refused (linkerd-refs serverParents).
      const parents = serverParents(doc.obj, ns);
      for (const name of Array.isArray(parents) ? parents : []) targeted.add(`${ns}|Server|${name}`);
    }
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isLinkerd(doc.obj, 'Server') || !isObject(doc.obj.spec)) continue;
      const ns = namespaceOf(doc.obj);
      const name = doc.obj.metadata?.name;
      const access = doc.obj.spec.accessPolicy ?? 'deny';
      if (access !== 'deny' || targeted.has(`${ns}|Server|${name}`) || targeted.has(`${ns}|Namespace`)) continue;
      out.push({
        doc,
        severity: LintSeverity.WARNING,
        path: doc.obj.spec.accessPolicy === undefined ? 'spec' : 'spec.accessPolicy',
        message: `no AuthorizationPolicy in these manifests targets Server '${name}' or namespace ${ns}, and its accessPolicy is deny`
          + `${doc.obj.spec.accessPolicy === undefined ? ' (the default)' : ''}: every connection to port ${String(doc.obj.spec.port)} of the pods it selects is refused`,
        fix: 'add an AuthorizationPolicy targeting the Server with the clients that need it (LinkerdAuthorization or MeshAuthorization), '
          + 'or set accessPolicy if the port is meant to be open',
      });
    }
    return out;
  },
};
