/** Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export enum PodSecurityLevel {
  /** Hardened: non-root, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault. */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations. */
  BASELINE = 'baseline',
  /** Unrestricted. */
  PRIVILEGED = 'privileged',
}
