import { CidrError, ParsedCidr, parseCidr } from './cidr';
import { InputSite, propError } from './errors';
import { UNSERIALIZABLE_KEYS, requireNumber, requireOneOf, requireOptionalStringMap, requireString } from './guards';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Is `value` a DNS-1123 label (what Kubernetes requires of namespace and many object names)? */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A DNS-1123 label (namespace names, tenant names, Service names): at most 63 characters. */
export function validateDnsLabel(scope: InputSite, prop: string, value: string): string {
  requireString(scope, prop, value);
  if (!isDnsLabel(value)) {
    throw propError(
      scope,
      prop,
      `'${value}' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)`,
    );
  }
  return value;
}

/** Is `value` a DNS-1123 subdomain (what Kubernetes requires of most object names, service accounts among them)? */
export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** A DNS-1123 subdomain (most object names): at most 253 characters. */
export function validateDnsSubdomain(scope: InputSite, prop: string, value: string): string {
  requireString(scope, prop, value);
  if (!isDnsSubdomain(value)) {
    throw propError(
      scope,
      prop,
      `'${value}' is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253 characters)`,
    );
  }
  return value;
}

/**
 * A Kubernetes qualified name, what label and annotation keys must be: an optional DNS-1123
 * subdomain prefix and `/`, then a name of at most 63 characters of `[A-Za-z0-9-_.]`, alphanumeric at
 * both ends (apimachinery `validation.IsQualifiedName`).
 */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
  return prefixOk && name.length <= 63 && LABEL_NAME.test(name);
}

/** The API server's limit on the total size of an object's annotations, keys and values (apimachinery `TotalAnnotationSizeLimitB`). */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/**
 * Kubernetes annotations: keys are qualified names (as label keys, but in any case), values any
 * string, keys and values together at most 256 KiB in UTF-8 (apimachinery `ValidateAnnotations`,
 * staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go). Returned with sorted keys.
 */
export function validateAnnotations(scope: InputSite, prop: string, annotations: Record<string, string> | undefined): Record<string, string> {
  const given = requireOptionalStringMap(scope, prop, annotations, UNSERIALIZABLE_KEYS) ?? {};
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const key of Object.keys(given).sort()) {
    // The API server checks annotation keys case-insensitively (apimachinery ValidateAnnotations lower-cases them first).
    if (!isQualifiedName(key.toLowerCase())) {
      throw propError(scope, prop, `'${key}' is not a valid annotation key (an optional DNS subdomain prefix and '/', then at most 63 characters `
        + 'of [A-Za-z0-9-_.], alphanumeric at both ends)');
    }
    out[key] = given[key];
    bytes += Buffer.byteLength(key) + Buffer.byteLength(given[key]);
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) {
    throw propError(scope, prop, `the annotations take ${bytes} bytes; the API server accepts at most ${MAX_ANNOTATIONS_BYTES} (256 KiB) per object`);
  }
  return out;
}

/** Kubernetes label keys (optional DNS prefix + name) and values. */
export function validateLabels(scope: InputSite, prop: string, labels: Record<string, string> | undefined): Record<string, string> {
  // A string or an array would otherwise become index-keyed labels ('0', '1', ...): type first.
  const given = requireOptionalStringMap(scope, prop, labels, UNSERIALIZABLE_KEYS) ?? {};
  const out: Record<string, string> = {};
  for (const key of Object.keys(given).sort()) {
    const value = given[key];
    if (!isQualifiedName(key)) throw propError(scope, prop, `'${key}' is not a valid label key`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      throw propError(scope, prop, `'${value}' is not a valid value for label '${key}' (at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends)`);
    }
    out[key] = value;
  }
  return out;
}

/** A TCP/UDP/SCTP port number. */
export function validatePortNumber(scope: InputSite, prop: string, port: number): number {
  requireNumber(scope, prop, port, false);
  if (!Number.isInteger(port)) throw propError(scope, prop, `port ${port} is not an integer in 1-65535`);
  if (port < 1 || port > 65535) {
    throw propError(scope, prop, `port ${port} is outside 1-65535`);
  }
  return port;
}

/** Is `name` a container port name (IANA_SVC_NAME: 1-15 lower-case alphanumerics or '-', with a letter, no '--')? */
export function isPortName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 15 && IANA_SVC_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

/** A container port name (IANA_SVC_NAME). */
export function validatePortName(scope: InputSite, prop: string, name: string): string {
  requireString(scope, prop, name);
  if (!isPortName(name)) {
    throw propError(scope, prop, `'${name}' is not a valid port name (IANA_SVC_NAME: at most 15 lower-case alphanumerics and '-', with a letter)`);
  }
  return name;
}

/** A CIDR block, strictly parsed (no host bits). */
export function validateCidr(scope: InputSite, prop: string, cidr: string): ParsedCidr {
  requireString(scope, prop, cidr);
  try {
    return parseCidr(cidr);
  } catch (e) {
    if (e instanceof CidrError) throw propError(scope, prop, `invalid CIDR: ${e.message}`);
    throw e;
  }
}

/**
 * Label keys under the kubernetes.io and k8s.io domains are reserved: Kubernetes (or this library,
 * for the Pod Security labels) sets them, so a value of ours would be overwritten or meaningless.
 */
export function validateUnreservedLabelKey(scope: InputSite, prop: string, key: string): string {
  validateLabels(scope, prop, { [key]: 'x' });
  const slash = key.lastIndexOf('/');
  const domain = slash >= 0 ? key.slice(0, slash) : '';
  if (/(^|\.)(kubernetes\.io|k8s\.io)$/.test(domain)) {
    throw propError(scope, prop, `'${key}' is reserved by Kubernetes (the ${domain} domain); its value is set by the system, not by you`);
  }
  return key;
}

/** Namespaces the cluster itself owns: never a tenant's, never under a tenant default deny. */
export function isSystemNamespace(name: string): boolean {
  return name.startsWith('kube-');
}

/**
 * `value` must be one of `allowed` (an enum's values). jsii users (Go, Python, ...) can pass any
 * string where an enum is expected: an unknown value must be an error, never a rule a renderer
 * silently drops.
 */
export function checkEnum<T>(scope: InputSite, prop: string, value: T, allowed: readonly string[], what: string): T {
  return requireOneOf(scope, prop, value as unknown as string, allowed, what) as unknown as T;
}
