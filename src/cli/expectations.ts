/**
 * Expectation files: probe pods to add, and `expect: [{ from, to, port, allowed }]` checked against
 * the analyzer so a CI job fails when a policy change opens or closes a flow nobody meant to touch.
 * A side may name one namespace or every namespace of a set (`namespaces: all`, `{ withLabel:
 * tenant }`), so one entry can say "no tenant reaches another" for a repository that has namespaces
 * and policies but no workloads yet. An entry may name an HTTP request (`request: { method, path }`),
 * checked against the HTTP rules of the CNI and the mesh. This file reads and validates;
 * expectation-check.ts checks.
 */
import { Document, LineCounter, isNode, parseDocument } from 'yaml';
import { readNamedFile } from './files';
import { parsePort } from './ports';
import { describeRequest, httpRequestSpec } from '../analysis/http-request';
import { HttpRequest } from '../analysis/http-request-types';
import { NAMESPACE_NAME_LABEL } from '../analysis/inventory';
import { Target } from '../analysis/target';
import { isObject } from '../lint/document';
import { Port } from '../policy/port';
import { ValidationError } from '../util/errors';
import { ReadLimits } from '../util/input-files';
import { isDnsLabel, isDnsSubdomain } from '../util/validate';
import { duplicateKey, keyKubectlRefuses } from '../util/yaml-documents';

/** The expectations file cannot be read or is malformed (exit code 2). */
export class ExpectationFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectationFileError';
  }
}

/** Labels of a namespace (always with `kubernetes.io/metadata.name`). */
export type NamespaceLabels = Readonly<Record<string, string>>;

/** A set of namespaces: every namespace of the manifests, or those with a label key or labels. */
export interface NamespaceSet {
  /** `every namespace`, `every namespace with label tenant`, ... */
  readonly description: string;
  /** Does a namespace with these labels belong to the set? */
  matches(labels: NamespaceLabels): boolean;
}

/** One side of an expectation. */
export type ExpectationSide =
  /** A fixed target; `namespace` when it is a pod target (for `pairs`). */
  | { readonly kind: 'one'; readonly target: Target; readonly namespace?: string }
  /** The same pods in every namespace of a set. */
  | { readonly kind: 'each'; readonly namespaces: NamespaceSet; readonly target: (namespace: string) => Target; readonly description: string };

/** Which namespace pairs an expectation with `namespaces` on a side checks. */
export interface Pairing {
  /** `, pairs across tenant`, or '' for every pair. */
  readonly description: string;
  /** Is the pair (source namespace, destination namespace) checked? */
  accepts(from: NamespaceLabels, to: NamespaceLabels): boolean;
}

/** One parsed expectation. */
export interface Expectation {
  readonly source: ExpectationSide;
  readonly destination: ExpectationSide;
  /** One or more ports, each checked. */
  readonly ports: Port[];
  readonly allowed: boolean;
  readonly pairs: Pairing;
  /**
   * An HTTP request to check (`Reachability.checkRequest`) instead of the L4 flow.
   * @default - an L4 question
   */
  readonly request?: ExpectedRequest;
}

/** The HTTP request of an expectation. */
export interface ExpectedRequest {
  /** As written, for `Reachability.checkRequest`. */
  readonly request: HttpRequest;
  /** `POST /admin`, for the question. */
  readonly description: string;
}

/** A probe pod to add before checking: in one namespace, or in every namespace of a set. */
export interface ProbeDeclaration {
  readonly name: string;
  readonly namespace?: string;
  readonly namespaces?: NamespaceSet;
  readonly labels: Record<string, string>;
  readonly ports: Port[];
  /**
   * The probe's service account: its mesh identity (`cluster.local/ns/<ns>/sa/<sa>`).
   * @default 'default'
   */
  readonly serviceAccount?: string;
  /**
   * The probe's annotations (the mesh layer reads injection and proxy annotations such as
   * `linkerd.io/inject`).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /** An error about this probe, with the file and line of its entry. */
  error(message: string): ExpectationFileError;
}

/** A parsed expectations file. */
export interface ExpectationFile {
  readonly probes: ProbeDeclaration[];
  readonly expectations: Expectation[];
}

/**
 * Read and validate an expectations file (`file` is resolved against `cwd` and reported as given):
 * a regular file within `limits.maxFileBytes`. Errors name the file, the line and the field:
 * `e.yaml: line 4: expect[0].port: ...`.
 * With `probesOnly` (`analyze --diff --probes`), the list `expect` may be left out.
 * @throws ExpectationFileError when it cannot be read, is not YAML or has a malformed entry
 */
export function loadExpectations(file: string, cwd: string = process.cwd(), limits: ReadLimits = {}, probesOnly = false): ExpectationFile {
  const read = readNamedFile(file, cwd, limits);
  if ('error' in read) throw new ExpectationFileError(`cannot read expectations file ${file}: ${read.error}`);
  const lineCounter = new LineCounter();
  // uniqueKeys: false and our own one-pass check: the library's check is quadratic in a mapping's size.
  const yamlDoc = parseDocument(read.text, { lineCounter, uniqueKeys: false });
  const error = yamlDoc.errors[0] ?? duplicateKey(yamlDoc) ?? keyKubectlRefuses(yamlDoc);
  if (error !== undefined) {
    const where = ` line ${lineCounter.linePos(error.pos[0]).line}:`;
    throw new ExpectationFileError(`${file}:${where} invalid YAML: ${error.message.split('\n')[0].replace(/:$/, '')}`);
  }
  let doc: any;
  try {
    // The linter's alias limit (https://eemeli.org/yaml/#tojs-options): an alias bomb is an error, not a hang.
    doc = yamlDoc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ExpectationFileError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
  const at = new Locator(file, yamlDoc, lineCounter);
  if (probesOnly && isObject(doc) && doc.expect === undefined) doc.expect = [];
  if (!isObject(doc) || !Array.isArray(doc.expect)) {
    throw at.error([], probesOnly ? "expected a mapping with a list 'probes' (and optionally a list 'expect')"
      : "expected a mapping with a list 'expect' (and optionally a list 'probes')");
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'expect' && key !== 'probes') throw at.error([key], `unknown key '${key}': expected expect or probes`);
  }
  if (doc.probes !== undefined && !Array.isArray(doc.probes)) throw at.error(['probes'], 'expected a list of probes');
  const probes = (doc.probes ?? []).map((entry: unknown, i: number) => parseProbe(entry, ['probes', i], at));
  const names = new Map<string, number>();
  probes.forEach((p: ProbeDeclaration, i: number) => {
    const key = `${p.namespace ?? ''}/${p.name}`;
    if (p.namespace !== undefined && names.has(key)) throw at.error(['probes', i, 'name'], `probe ${key} is declared twice`);
    names.set(key, i);
  });
  return { probes, expectations: doc.expect.map((entry: unknown, i: number) => parseEntry(entry, ['expect', i], at)) };
}

type FieldPath = ReadonlyArray<string | number>;

/** Turns a field path into `file: line N: expect[0].port: message` errors. */
class Locator {
  constructor(private readonly file: string, private readonly doc: Document, private readonly lines: LineCounter) {}

  /**
   * An error about the field at `field`, on the line of its value, or of the nearest enclosing
   * node that exists (a missing key is reported at its mapping).
   */
  public error(field: FieldPath, message: string): ExpectationFileError {
    const label = field.map((s, i) => typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${s}`).join('');
    const line = this.line(field);
    const where = [this.file, ...(line !== undefined ? [`line ${line}`] : []), ...(label !== '' ? [label] : [])];
    return new ExpectationFileError(`${where.join(': ')}: ${message}`);
  }

  private line(field: FieldPath): number | undefined {
    for (let n = field.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(field.slice(0, n), true);
      const start = isNode(node) ? node.range?.[0] : undefined;
      if (start !== undefined) return this.lines.linePos(start).line;
    }
    return undefined;
  }
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: FieldPath, at: Locator): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw at.error([...where, key], `unknown key '${key}': expected ${allowed.join(', ')}`);
  }
}

function parseEntry(entry: unknown, where: FieldPath, at: Locator): Expectation {
  if (!isObject(entry)) throw at.error(where, 'expected a mapping with from, to, port and allowed');
  checkKeys(entry, ['from', 'to', 'port', 'allowed', 'pairs', 'request'], where, at);
  if (typeof entry.allowed !== 'boolean') throw at.error([...where, 'allowed'], 'expected true or false');
  const ports = parsePorts(entry.port, [...where, 'port'], at, 'expected e.g. tcp/5432 or [udp/53, tcp/53]');
  const source = parseSide(entry.from, [...where, 'from'], at);
  const destination = parseSide(entry.to, [...where, 'to'], at);
  let pairs: Pairing = { description: '', accepts: () => true };
  if (entry.pairs !== undefined) {
    const namespaced = (s: ExpectationSide) => s.kind === 'each' || s.namespace !== undefined;
    if (source.kind !== 'each' && destination.kind !== 'each') {
      throw at.error([...where, 'pairs'], 'pairs choose among namespaces: give namespaces on from or to');
    }
    if (!namespaced(source) || !namespaced(destination)) {
      throw at.error([...where, 'pairs'], 'pairs compare the namespaces of both sides: from and to must both be pods');
    }
    pairs = parsePairs(entry.pairs, [...where, 'pairs'], at);
  }
  const request = entry.request === undefined ? undefined : parseRequest(entry.request, [...where, 'request'], at);
  return { source, destination, ports, allowed: entry.allowed, pairs, ...(request ? { request } : {}) };
}

/** `{ method?, path?, host?, headers? }`, validated as `Reachability.checkRequest` does. */
function parseRequest(value: unknown, where: FieldPath, at: Locator): ExpectedRequest {
  if (!isObject(value)) throw at.error(where, 'expected a mapping with method, path, host and headers (all optional)');
  checkKeys(value, ['method', 'path', 'host', 'headers'], where, at);
  try {
    return { request: value as HttpRequest, description: describeRequest(httpRequestSpec(value, 'request')) };
  } catch (e) {
    // `request.path 'admin' must start with /`: the field and the reason, without the library's `[site]` prefix.
    throw at.error(where, ValidationError.isValidationError(e) ? `${e.prop} ${e.reason}` : (e as Error).message);
  }
}

/** A port or a non-empty list of ports in the `proto/port` notation. */
function parsePorts(value: unknown, where: FieldPath, at: Locator, expected: string): Port[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw at.error(where, expected);
  return list.map((item, i) => {
    const field = Array.isArray(value) ? [...where, i] : where;
    if (typeof item !== 'string' && typeof item !== 'number') throw at.error(field, expected);
    try {
      return parsePort(String(item));
    } catch (e) {
      throw at.error(field, (e as Error).message);
    }
  });
}

/** `all` | `same-namespace` | `other-namespace` | `{ within: KEY }` | `{ across: KEY }`. */
function parsePairs(value: unknown, where: FieldPath, at: Locator): Pairing {
  const name = NAMESPACE_NAME_LABEL;
  if (value === 'all') return { description: '', accepts: () => true };
  if (value === 'same-namespace') return { description: ', same namespace', accepts: (a, b) => a[name] === b[name] };
  if (value === 'other-namespace') return { description: ', other namespaces', accepts: (a, b) => a[name] !== b[name] };
  if (isObject(value) && Object.keys(value).length === 1 && typeof (value.within ?? value.across) === 'string') {
    const key: string = value.within ?? value.across;
    return value.within !== undefined
      ? { description: `, pairs within ${key}`, accepts: (a, b) => a[key] === b[key] }
      : { description: `, pairs across ${key}`, accepts: (a, b) => a[key] !== b[key] };
  }
  throw at.error(where, 'expected all, same-namespace, other-namespace, { within: LABEL_KEY } or { across: LABEL_KEY }');
}

/** The node targets by their name in an expectation file. */
const NODE_TARGETS: Record<string, () => Target> = {
  'node': Target.node,
  'local-node': Target.localNode,
  'remote-node': Target.remoteNode,
};

const TARGET_FORMS = 'node, local-node, remote-node, { external }, { namespace | namespaces, workload } '
  + 'or { namespace | namespaces, labels }';

/**
 * `node`, `local-node`, `remote-node`, `{ external: ip }`, `{ namespace, workload }`,
 * `{ namespace, labels }` (labels optional), or either of the last two with `namespaces` (a set).
 */
function parseSide(value: unknown, where: FieldPath, at: Locator): ExpectationSide {
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(NODE_TARGETS, value)) {
    return { kind: 'one', target: NODE_TARGETS[value]() };
  }
  if (isObject(value) && value.node === true && Object.keys(value).length === 1) return { kind: 'one', target: Target.node() };
  if (!isObject(value)) throw at.error(where, `expected ${TARGET_FORMS}`);
  if (value.external !== undefined) {
    if (Object.keys(value).some((k) => k !== 'external') || typeof value.external !== 'string') {
      throw at.error(where, '{ external } takes one IP address string');
    }
    try {
      return { kind: 'one', target: Target.external(value.external) };
    } catch (e) {
      throw at.error([...where, 'external'], (e as Error).message);
    }
  }
  checkKeys(value, ['namespace', 'namespaces', 'workload', 'labels'], where, at);
  if (value.namespace !== undefined && value.namespaces !== undefined) throw at.error(where, 'give namespace or namespaces, not both');
  let pods: (namespace: string) => Target;
  let what: string;
  if (value.workload !== undefined) {
    if (value.labels !== undefined) throw at.error(where, 'give workload or labels, not both');
    if (typeof value.workload !== 'string' || value.workload === '') throw at.error([...where, 'workload'], 'expected a name');
    const name: string = value.workload;
    pods = (ns) => Target.workload(ns, name);
    what = `workload ${name}`;
  } else {
    const labels = parseLabels(value.labels ?? {}, [...where, 'labels'], at);
    const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    pods = (ns) => Target.pod(ns, labels);
    what = `pods${shown ? ` with ${shown}` : ''}`;
  }
  if (value.namespaces !== undefined) {
    const namespaces = parseNamespaceSet(value.namespaces, [...where, 'namespaces'], at);
    return { kind: 'each', namespaces, target: pods, description: `${what} in ${namespaces.description}` };
  }
  if (typeof value.namespace !== 'string' || value.namespace === '') {
    throw at.error([...where, 'namespace'], 'expected a namespace name (or namespaces: all | { withLabel } | { labels })');
  }
  return { kind: 'one', target: pods(value.namespace), namespace: value.namespace };
}

function parseLabels(value: unknown, where: FieldPath, at: Locator): Record<string, string> {
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw at.error(where, 'expected a mapping of label keys to string values');
  }
  return { ...value } as Record<string, string>;
}

/** `all`, `{ withLabel: KEY }`, `{ labels: { KEY: VALUE } }` or both keys of the mapping. */
function parseNamespaceSet(value: unknown, where: FieldPath, at: Locator): NamespaceSet {
  if (value === 'all') return { description: 'every namespace', matches: () => true };
  const expected = 'expected all, { withLabel: LABEL_KEY } or { labels: { KEY: VALUE } }';
  if (!isObject(value) || Object.keys(value).length === 0) throw at.error(where, expected);
  checkKeys(value, ['withLabel', 'labels'], where, at);
  if (value.withLabel !== undefined && (typeof value.withLabel !== 'string' || value.withLabel === '')) {
    throw at.error([...where, 'withLabel'], 'expected a label key');
  }
  const key: string | undefined = value.withLabel;
  const labels = value.labels === undefined ? {} : parseLabels(value.labels, [...where, 'labels'], at);
  const parts = [...(key !== undefined ? [`with label ${key}`] : []),
    ...(Object.keys(labels).length > 0 ? [`labelled ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}`] : [])];
  return {
    description: `every namespace ${parts.join(' and ')}`,
    matches: (ns) => (key === undefined || ns[key] !== undefined) && Object.entries(labels).every(([k, v]) => ns[k] === v),
  };
}

/** `{ name, namespace | namespaces, labels?, ports?, serviceAccount?, annotations? }`. */
function parseProbe(entry: unknown, where: FieldPath, at: Locator): ProbeDeclaration {
  if (!isObject(entry)) throw at.error(where, 'expected a mapping with name, namespace (or namespaces), labels and ports');
  checkKeys(entry, ['name', 'namespace', 'namespaces', 'labels', 'ports', 'serviceAccount', 'annotations'], where, at);
  if (typeof entry.name !== 'string' || !isDnsLabel(entry.name)) {
    throw at.error([...where, 'name'], 'expected a name (lower case letters, digits and -, like a pod name)');
  }
  if ((entry.namespace === undefined) === (entry.namespaces === undefined)) {
    throw at.error(where, 'give namespace (one) or namespaces (all | { withLabel } | { labels })');
  }
  if (entry.namespace !== undefined && (typeof entry.namespace !== 'string' || !isDnsLabel(entry.namespace))) {
    throw at.error([...where, 'namespace'], 'expected a namespace name');
  }
  const ports = entry.ports === undefined ? [] : parsePorts(entry.ports, [...where, 'ports'], at, 'expected a list of ports, e.g. [udp/53, tcp/53]');
  ports.forEach((p, i) => {
    if (p.number === undefined) throw at.error([...where, 'ports', i], `a probe listens on port numbers, not names (${p.toString()})`);
  });
  if (entry.serviceAccount !== undefined && (typeof entry.serviceAccount !== 'string' || !isDnsSubdomain(entry.serviceAccount))) {
    throw at.error([...where, 'serviceAccount'], 'expected a service account name');
  }
  return {
    name: entry.name,
    namespace: entry.namespace,
    namespaces: entry.namespaces === undefined ? undefined : parseNamespaceSet(entry.namespaces, [...where, 'namespaces'], at),
    labels: entry.labels === undefined ? {} : parseLabels(entry.labels, [...where, 'labels'], at),
    ports,
    ...(entry.serviceAccount !== undefined ? { serviceAccount: entry.serviceAccount } : {}),
    ...(entry.annotations !== undefined ? { annotations: parseLabels(entry.annotations, [...where, 'annotations'], at) } : {}),
    error: (message) => at.error(where, message),
  };
}
