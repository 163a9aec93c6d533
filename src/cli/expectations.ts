/**
 * Expectation files: `expect: [{ from, to, port, allowed }]`, checked against the analyzer so a CI
 * job fails when a policy change opens or closes a flow nobody meant to touch.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Document, LineCounter, isNode, parseDocument } from 'yaml';
import { parsePort } from './ports';
import { httpRequestSpec } from '../analysis/http-request';
import { HttpRequest } from '../analysis/http-request-types';
import { Reachability } from '../analysis/reachability';
import { Target } from '../analysis/target';
import { isObject } from '../lint/document';
import { Port } from '../policy/port';

/** The expectations file cannot be read or is malformed (exit code 2). */
export class ExpectationFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectationFileError';
  }
}

/** One parsed expectation. */
export interface Expectation {
  readonly source: Target;
  readonly destination: Target;
  readonly port: Port;
  readonly allowed: boolean;
  /** An HTTP request to check instead of the L4 flow. */
  readonly request?: HttpRequest;
}

/** The outcome of one expectation. */
export interface ExpectationOutcome {
  /** The question, e.g. `workload shop/web -> workload shop/db on TCP/5432`. */
  readonly question: string;
  /** The expected verdict. */
  readonly expected: boolean;
  /** The analyzer's verdict: every pod pair allowed; undefined when the question could not be answered. */
  readonly actual?: boolean;
  /** How many of the pod pairs the targets cover are allowed (undefined on error). */
  readonly allowedPairs?: number;
  /** How many pod pairs the targets cover (undefined on error). */
  readonly totalPairs?: number;
  /** Expected and actual verdicts agree. */
  readonly pass: boolean;
  /** Why it failed: the analyzer's explanation, or the error (e.g. a target matching no pod). */
  readonly explanation?: string;
}

/**
 * Read and validate an expectations file (`file` is resolved against `cwd` and reported as given).
 * Errors name the file, the line and the field: `e.yaml: line 4: expect[0].port: ...`.
 * @throws ExpectationFileError when it cannot be read, is not YAML or has a malformed entry
 */
export function loadExpectations(file: string, cwd: string = process.cwd()): Expectation[] {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf-8');
  } catch (e) {
    throw new ExpectationFileError(`cannot read expectations file ${file}: ${(e as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter });
  const error = yamlDoc.errors[0];
  if (error !== undefined) {
    const where = error.linePos ? ` line ${error.linePos[0].line}:` : '';
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
  if (!isObject(doc) || !Array.isArray(doc.expect)) {
    throw at.error([], "expected a mapping with a list 'expect'");
  }
  return doc.expect.map((entry: unknown, i: number) => parseEntry(entry, ['expect', i], at));
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
/**
 * Check each expectation; a question the analyzer cannot answer fails with the reason. `allowed: true`
 * needs every pod pair the targets cover allowed, `allowed: false` every pair denied.
 */
export function checkExpectations(reach: Reachability, expectations: readonly Expectation[]): ExpectationOutcome[] {
  return expectations.map((e) => {
    const question = `${e.source.description} -> ${e.destination.description} on ${e.port.toString()}`
      + (e.request ? ` (HTTP ${e.request.method ?? 'GET'} ${e.request.path ?? '/'})` : '');
    try {
      const result = e.request ? reach.checkRequest(e.source, e.destination, e.port, e.request) : reach.check(e.source, e.destination, e.port);
      const pass = e.allowed ? result.allowed : result.denied;
      const allowedPairs = result.pairs.filter((p) => p.allowed).length;
      return {
        question,
        expected: e.allowed,
        actual: result.allowed,
        allowedPairs,
        totalPairs: result.pairs.length,
        pass,
        ...(pass ? {} : { explanation: result.explain() }),
      };
    } catch (err) {
      return { question, expected: e.allowed, pass: false, explanation: (err as Error).message };
    }
  });
}

function parseEntry(entry: unknown, where: FieldPath, at: Locator): Expectation {
  if (!isObject(entry)) throw at.error(where, 'expected a mapping with from, to, port and allowed');
  for (const key of Object.keys(entry)) {
    if (!['from', 'to', 'port', 'allowed', 'request'].includes(key)) throw at.error([...where, key], `unknown key '${key}'`);
  }
  if (typeof entry.allowed !== 'boolean') throw at.error([...where, 'allowed'], 'expected true or false');
  if (typeof entry.port !== 'string' && typeof entry.port !== 'number') {
    throw at.error([...where, 'port'], 'expected e.g. tcp/5432');
  }
  let port: Port;
  try {
    port = parsePort(String(entry.port));
  } catch (e) {
    throw at.error([...where, 'port'], (e as Error).message);
  }
  let request: HttpRequest | undefined;
  if (entry.request !== undefined) {
    if (!isObject(entry.request) || Object.keys(entry.request).some((k) => !['method', 'path', 'host', 'headers'].includes(k))) {
      throw at.error([...where, 'request'], 'expected a mapping with method, path, host and headers (all optional)');
    }
    try {
      httpRequestSpec(entry.request, 'request');
    } catch (e) {
      throw at.error([...where, 'request'], (e as Error).message.replace(/^request: /, ''));
    }
    request = entry.request as HttpRequest;
  }
  return {
    source: parseTarget(entry.from, [...where, 'from'], at),
    destination: parseTarget(entry.to, [...where, 'to'], at),
    port,
    allowed: entry.allowed,
    ...(request ? { request } : {}),
  };
}

/** The node targets by their name in an expectation file. */
const NODE_TARGETS: Record<string, () => Target> = {
  'node': Target.node,
  'local-node': Target.localNode,
  'remote-node': Target.remoteNode,
};

/**
 * `node`, `local-node`, `remote-node`, `{ external: ip }`, `{ namespace, workload }` or
 * `{ namespace, labels }` (labels optional).
 */
function parseTarget(value: unknown, where: FieldPath, at: Locator): Target {
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(NODE_TARGETS, value)) return NODE_TARGETS[value]();
  if (isObject(value) && value.node === true && Object.keys(value).length === 1) return Target.node();
  if (!isObject(value)) {
    throw at.error(where, 'expected node, local-node, remote-node, { external }, { namespace, workload } '
      + 'or { namespace, labels }');
  }
  if (value.external !== undefined) {
    if (Object.keys(value).some((k) => k !== 'external') || typeof value.external !== 'string') {
      throw at.error(where, '{ external } takes one IP address string');
    }
    try {
      return Target.external(value.external);
    } catch (e) {
      throw at.error([...where, 'external'], (e as Error).message);
    }
  }
  if (typeof value.namespace !== 'string' || value.namespace === '') {
    throw at.error([...where, 'namespace'], 'expected a namespace name');
  }
  const extra = Object.keys(value).filter((k) => !['namespace', 'workload', 'labels'].includes(k));
  if (extra.length > 0) throw at.error([...where, extra[0]], `unknown key '${extra[0]}'`);
  if (value.workload !== undefined) {
    if (value.labels !== undefined) throw at.error(where, 'give workload or labels, not both');
    if (typeof value.workload !== 'string') throw at.error([...where, 'workload'], 'expected a name');
    return Target.workload(value.namespace, value.workload);
  }
  const labels = value.labels ?? {};
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw at.error([...where, 'labels'], 'expected a mapping of label keys to string values');
  }
  return Target.pod(value.namespace, labels as Record<string, string>);
}
