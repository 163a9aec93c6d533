import { Labels } from '../../analysis/selectors';
import { LintDocument, asArray, isObject, jsonKey, jsonPath } from '../document';
import { checkPolicyKinds } from '../policy-dispatch';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const ID = 'namespace-selector-name-label';
const CILIUM_NAME_KEYS = ['k8s:io.cilium.k8s.namespace.labels.name', 'io.cilium.k8s.namespace.labels.name'];

/**
 * Kubernetes sets `kubernetes.io/metadata.name` on every namespace (GA in 1.22,
 * https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name) but
 * never a `name` label, so `namespaceSelector: {matchLabels: {name: x}}` matches nothing on a stock
 * cluster. Suppressed when the manifest set itself labels a Namespace `name: x`.
 */
export const namespaceSelectorNameLabel: LintRule = {
  ids: [ID],
  check(ctx: LintContext): RuleReport[] {
    const labelled = namespacesLabelledByName(ctx.documents);
    const reporter = (out: RuleReport[]): Reporter => (doc, path, value) => {
      if (labelled.has(value)) return;
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        path,
        message: `selects namespaces by the label 'name'${value ? ` = '${value}'` : ''}, which Kubernetes never sets: `
          + 'the selector matches no namespace and the traffic it was meant to allow is dropped',
        fix: `select on 'kubernetes.io/metadata.name'${value ? `: ${value}` : ''} (set automatically on every namespace)`,
      });
    };
    return checkPolicyKinds(ctx, {
      k8s: (doc, out) => checkK8s(doc, reporter(out)),
      calico: (doc, out) => checkCalico(doc, reporter(out)),
      cilium: (doc, spec, path, out) => checkCilium(doc, spec, path, reporter(out)),
    });
  },
};

type Reporter = (doc: LintDocument, path: string, value: string) => void;

function checkK8s(doc: LintDocument, report: Reporter): void {
  const spec = doc.obj.spec;
  if (!isObject(spec)) return;
  for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']]) {
    asArray(spec[direction]).forEach((rule, i) => {
      asArray(isObject(rule) ? rule[peersKey] : undefined).forEach((peer, j) => {
        const sel = isObject(peer) ? peer.namespaceSelector : undefined;
        checkLabelSelector(sel, ['name'], jsonPath('spec', direction, i, peersKey, j, 'namespaceSelector'), doc, report);
      });
    });
  }
}

function checkLabelSelector(sel: unknown, keys: string[], base: string, doc: LintDocument, report: Reporter): void {
  if (!isObject(sel)) return;
  if (isObject(sel.matchLabels)) {
    for (const key of keys) {
      if (key in sel.matchLabels) report(doc, `${base}.matchLabels${jsonKey(key)}`, String(sel.matchLabels[key]));
    }
  }
  asArray(sel.matchExpressions).forEach((expr, k) => {
    if (isObject(expr) && keys.includes(expr.key)) {
      report(doc, `${base}.matchExpressions[${k}]`, asArray(expr.values).join(','));
    }
  });
}

// Calico selector expressions on the bare key `name`: `name == 'x'`, `name in {...}`, `has(name)`.
const CALICO_NAME_RE = /(?:^|[\s(!&|])name\s*(?:==|!=|\s+(?:not\s+)?in\b)\s*['"{]?\s*['"]?([\w.-]*)|has\(\s*name\s*\)/;

function checkCalico(doc: LintDocument, report: Reporter): void {
  const spec = doc.obj.spec;
  if (!isObject(spec)) return;
  const check = (sel: unknown, path: string) => {
    if (typeof sel !== 'string') return;
    const m = CALICO_NAME_RE.exec(sel);
    if (m) report(doc, path, m[1] ?? '');
  };
  check(spec.namespaceSelector, 'spec.namespaceSelector');
  for (const direction of ['ingress', 'egress']) {
    asArray(spec[direction]).forEach((rule, i) => {
      for (const side of ['source', 'destination']) {
        const entity = isObject(rule) ? rule[side] : undefined;
        if (isObject(entity)) check(entity.namespaceSelector, jsonPath('spec', direction, i, side, 'namespaceSelector'));
      }
    });
  }
}

/** One rule spec of a Cilium policy (`spec` or `specs[i]`, at `path`). */
function checkCilium(doc: LintDocument, spec: any, path: string, report: Reporter): void {
  for (const [direction, peersKey] of [
    ['ingress', 'fromEndpoints'], ['ingressDeny', 'fromEndpoints'], ['egress', 'toEndpoints'], ['egressDeny', 'toEndpoints'],
  ]) {
    asArray(spec[direction]).forEach((rule, i) => {
      asArray(isObject(rule) ? rule[peersKey] : undefined).forEach((sel, j) => {
        checkLabelSelector(sel, CILIUM_NAME_KEYS, jsonPath(path, direction, i, peersKey, j), doc, report);
      });
    });
  }
}

/** Values of a user-set `name` label on Namespace objects in the set (then the selector works). */
function namespacesLabelledByName(docs: readonly LintDocument[]): Set<string> {
  const out = new Set<string>();
  for (const doc of docs) {
    const labels: Labels | undefined = doc.obj?.kind === 'Namespace' && isObject(doc.obj.metadata) ? doc.obj.metadata.labels : undefined;
    if (isObject(labels) && typeof labels.name === 'string') out.add(labels.name);
  }
  return out;
}
