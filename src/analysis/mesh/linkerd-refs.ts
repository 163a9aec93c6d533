/**
 * How linkerd2's policy controller compares the kind and group of a reference (targetRef,
 * authentication refs): linkerd2's policy controller compares reference kinds and groups ignoring ASCII case, an empty
 * group being the core group (policy-controller k8s index, `targets_kind`).
 */
export function isLinkerdKind(value: unknown, kind: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === kind.toLowerCase();
}

/** A reference's group against `group` (`''` for the core group), as {@link isLinkerdKind}. */
export function isLinkerdGroup(value: unknown, group: string): boolean {
  const given = typeof value === 'string' && value !== '' ? value.toLowerCase() : 'core';
  return given === (group === '' ? 'core' : group.toLowerCase());
}
