/**
 * A small structural checker for manifests the analyzer reads: it records, with a JSON path, every
 * field whose type or value the API server (or the CNI's own validation) would reject, and never
 * throws, whatever the input. The analyzer drops objects with problems before evaluating anything,
 * so the models can trust the shapes they read.
 */
import { parseCidrLoose } from '../../util/cidr';
import { isPlainObject } from '../../util/vocabulary';

/** One reason an object is rejected. */
export interface Problem {
  /** JSON path inside the object, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /**
   * The lint rule id that reports it, when it has its own.
   * @default - `invalid-object`
   */
  readonly id?: string;
  /**
   * How to fix it, when there is more to say than "correct the field".
   * @default - none
   */
  readonly fix?: string;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** `base.key` or `base[3]`. */
export function at(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** Records problems under JSON paths. */
export class Checker {
  /** Every problem found so far. */
  readonly problems: Problem[] = [];

  /**
   * @param structural the object is a custom resource: its structural schema rejects `null` list
   *   items, where built-in types decode them as empty values
   */
  constructor(private readonly structural: boolean = false) {}

  /** Record a problem. */
  report(path: string, message: string, extra: { id?: string; fix?: string } = {}): void {
    this.problems.push({ path, message, ...extra });
  }

  /** A mapping when present (undefined/null is absent); reports another type and returns undefined. */
  object(value: unknown, path: string): Record<string, any> | undefined {
    if (value === undefined || value === null) return undefined;
    if (isPlainObject(value)) return value;
    this.report(path, `must be a mapping, got ${typeName(value)} ${show(value)}`);
    return undefined;
  }

  /** A list when present; reports another type and returns []. */
  list(value: unknown, path: string): any[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.report(path, `must be a list, got ${typeName(value)} ${show(value)}`);
    return [];
  }

  /** A list of mappings (other items are reported and skipped), with their paths. */
  objects(value: unknown, path: string): Array<{ item: Record<string, any>; path: string }> {
    const out: Array<{ item: Record<string, any>; path: string }> = [];
    this.list(value, path).forEach((item, i) => {
      const obj = this.object(item, at(path, i));
      if (obj) {out.push({ item: obj, path: at(path, i) });} else if (item === null || item === undefined) {
        if (this.structural) this.report(at(path, i), 'must be a mapping, got null');
        else out.push({ item: {}, path: at(path, i) });
      }
    });
    return out;
  }

  /** A string when present; reports another type. */
  string(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    this.report(path, `must be a string, got ${typeName(value)} ${show(value)}`);
    return undefined;
  }

  /**
   * An object name when present: a DNS subdomain (at most 253 characters; `label`: a DNS label of at
   * most 63, as namespace names are), what the API server requires of the kinds the analyzer reads.
   */
  objectName(value: unknown, path: string, label = false): string | undefined {
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    const ok = label ? text.length <= 63 && DNS_LABEL.test(text) : text.length <= 253 && DNS_SUBDOMAIN.test(text);
    if (ok) return text;
    this.report(path, `${JSON.stringify(text)} is not a ${label ? 'DNS label (lower-case letters, digits and -, at most 63)' : 'DNS subdomain (lower-case letters, '
      + 'digits, - and ., at most 253)'}: the API server refuses the name`);
    return undefined;
  }

  /** A boolean when present; reports another type. */
  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    this.report(path, `must be true or false, got ${typeName(value)} ${show(value)}`);
    return undefined;
  }

  /** A number when present (`integer`: whole), within [min, max]; reports anything else. */
  number(value: unknown, path: string, options: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.report(path, `must be a number, got ${typeName(value)} ${show(value)}`);
      return undefined;
    }
    if (options.integer && !Number.isInteger(value)) {this.report(path, `must be a whole number, got ${value}`);} else if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      this.report(path, `${value} is outside ${options.min ?? '-inf'}-${options.max ?? 'inf'}`);
    } else {return value;}
    return undefined;
  }

  /** One of `allowed` when present (`required`: null and absent are reported too, as for list items). */
  oneOf(value: unknown, path: string, allowed: readonly string[], required = false): string | undefined {
    if (required && (value === undefined || value === null)) {
      this.report(path, `must be one of ${allowed.join(', ')}, got ${String(value)}`);
      return undefined;
    }
    const text = this.string(value, path);
    if (text === undefined) return undefined;
    if (allowed.includes(text)) return text;
    this.report(path, `${show(text)} is not one of ${allowed.join(', ')}`);
    return undefined;
  }

  /** A list of strings when present (null items are reported: they decode to an empty string). */
  strings(value: unknown, path: string): string[] {
    const out: string[] = [];
    this.list(value, path).forEach((item, i) => {
      if (item === null || item === undefined) {
        this.report(at(path, i), 'must be a string, got null');
        return;
      }
      const s = this.string(item, at(path, i));
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  /**
   * A CIDR (`allowBareIp`: a single address too, as Calico accepts). IPv4 octets with a leading zero
   * are refused (Go's parsers since 1.17, the Calico and Cilium validators, CEL `isCIDR`) unless
   * `leadingZeros`: the Kubernetes API server accepted them until 1.36 (see
   * ../uncertainty/version-dependent-ip-blocks).
   */
  cidr(value: unknown, path: string, allowBareIp = false, leadingZeros = false): void {
    const text = this.string(value, path);
    if (text === undefined) return;
    if ((!allowBareIp && !text.includes('/')) || parseCidrLoose(text) === undefined || !validOctets(text, leadingZeros)) {
      this.report(path, `${show(text)} is not a valid ${allowBareIp ? 'IP address or CIDR' : 'CIDR'}`);
    }
  }

  /** A TCP/UDP/SCTP port number (1-65535, or `min`-65535). */
  port(value: unknown, path: string, min = 1): number | undefined {
    return this.number(value, path, { integer: true, min, max: 65535 });
  }

  /** A Kubernetes map of label keys to label values. */
  labels(value: unknown, path: string): void {
    const labels = this.object(value, path);
    for (const [key, v] of Object.entries(labels ?? {})) {
      if (!isLabelKey(key)) this.report(at(path, key), `${show(key)} is not a valid label key`);
      if (typeof v !== 'string') this.report(at(path, key), `label values must be strings, got ${typeName(v)} ${show(v)}`);
      else if (v.length > 63 || !LABEL_VALUE.test(v)) this.report(at(path, key), `${show(v)} is not a valid label value`);
    }
  }

  /** A metav1.LabelSelector (matchLabels + matchExpressions with the four operators). */
  labelSelector(value: unknown, path: string): void {
    const sel = this.object(value, path);
    if (!sel) return;
    this.labels(sel.matchLabels, at(path, 'matchLabels'));
    for (const { item, path: p } of this.objects(sel.matchExpressions, at(path, 'matchExpressions'))) {
      const key = this.string(item.key, at(p, 'key'));
      if (key === undefined) this.report(at(p, 'key'), 'is required');
      else if (!isLabelKey(key)) this.report(at(p, 'key'), `${show(key)} is not a valid label key`);
      const op = this.oneOf(item.operator, at(p, 'operator'), ['In', 'NotIn', 'Exists', 'DoesNotExist']);
      if (item.operator === undefined) this.report(at(p, 'operator'), 'is required');
      const values = this.strings(item.values, at(p, 'values'));
      if ((op === 'In' || op === 'NotIn') && values.length === 0) this.report(at(p, 'values'), `must not be empty with operator ${op}`);
      if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) this.report(at(p, 'values'), `must be empty with operator ${op}`);
    }
  }
}

/** Is `key` a valid label key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters? */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

/** Is `name` an IANA service name (a container port name): at most 15 characters, a letter, no `--`? */
export function isPortName(name: string): boolean {
  return name.length <= 15 && IANA_SVC_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

/**
 * IPv4 parts of a CIDR or address must be four decimal octets of at most 255 (ipaddr.js accepts
 * `10/8`), without leading zeros unless `leadingZeros`.
 */
function validOctets(text: string, leadingZeros: boolean): boolean {
  const address = text.split('/')[0];
  if (address.includes(':')) return true;
  const parts = address.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && (leadingZeros || !/^0\d/.test(p)));
}
