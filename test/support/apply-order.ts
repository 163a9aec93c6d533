/**
 * `kubectl apply -f` (and GitOps tools applying one rendered file) create objects in file order, and
 * the API server refuses an object whose container does not exist yet: a namespaced object before its
 * Namespace, a Calico policy before its Tier. Such a manifest fails on the first apply into a fresh
 * cluster, leaving the guard rails out until a retry.
 */
export function expectApplyOrder(objects: any[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata?.name}`));
  objects.forEach((o, i) => {
    const what = `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name} (#${i})`;
    const ns = o.metadata?.namespace;
    if (ns !== undefined && names.has(`Namespace/${ns}`) && !seen.has(`Namespace/${ns}`)) {
      problems.push(`${what} comes before its Namespace ${ns}`);
    }
    const tier = o.apiVersion === 'projectcalico.org/v3' ? o.spec?.tier : undefined;
    if (tier !== undefined && tier !== 'default' && !seen.has(`Tier/${tier}`)) {
      problems.push(`${what} comes before its Tier ${tier}${names.has(`Tier/${tier}`) ? '' : ' (not emitted at all)'}`);
    }
    seen.add(`${o.kind}/${o.metadata?.name}`);
  });
  expect(problems).toEqual([]);
}
