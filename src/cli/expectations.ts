/**
 * Expectation files: `expect: [{ from, to, port, allowed }]`, checked against the analyzer so a CI
 * job fails when a policy change opens or closes a flow nobody meant to touch.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { parsePort } from './ports';
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
 * @throws ExpectationFileError when it cannot be read, is not YAML or has a malformed entry
 */
export function loadExpectations(file: string, cwd: string = process.cwd()): Expectation[] {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf-8');
  } catch (e) {
    throw new ExpectationFileError(`cannot read expectations file ${file}: ${(e as Error).message}`);
  }
  let doc: any;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ExpectationFileError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0].replace(/:$/, '')}`);
  }
  if (!isObject(doc) || !Array.isArray(doc.expect)) {
    throw new ExpectationFileError(`${file}: expected a mapping with a list 'expect'`);
  }
  return doc.expect.map((entry: unknown, i: number) => parseEntry(entry, `${file}: expect[${i}]`));
}

/**
 * Check each expectation; a question the analyzer cannot answer fails with the reason. `allowed: true`
 * needs every pod pair the targets cover allowed, `allowed: false` every pair denied.
 */
export function checkExpectations(reach: Reachability, expectations: readonly Expectation[]): ExpectationOutcome[] {
  return expectations.map((e) => {
    const question = `${e.source.description} -> ${e.destination.description} on ${e.port.toString()}`;
    try {
      const result = reach.check(e.source, e.destination, e.port);
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

function parseEntry(entry: unknown, where: string): Expectation {
  if (!isObject(entry)) throw new ExpectationFileError(`${where}: expected a mapping with from, to, port and allowed`);
  for (const key of Object.keys(entry)) {
    if (!['from', 'to', 'port', 'allowed'].includes(key)) throw new ExpectationFileError(`${where}: unknown key '${key}'`);
  }
  if (typeof entry.allowed !== 'boolean') throw new ExpectationFileError(`${where}.allowed: expected true or false`);
  if (typeof entry.port !== 'string' && typeof entry.port !== 'number') {
    throw new ExpectationFileError(`${where}.port: expected e.g. tcp/5432`);
  }
  let port: Port;
  try {
    port = parsePort(String(entry.port));
  } catch (e) {
    throw new ExpectationFileError(`${where}.port: ${(e as Error).message}`);
  }
  return {
    source: parseTarget(entry.from, `${where}.from`),
    destination: parseTarget(entry.to, `${where}.to`),
    port,
    allowed: entry.allowed,
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
function parseTarget(value: unknown, where: string): Target {
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(NODE_TARGETS, value)) return NODE_TARGETS[value]();
  if (isObject(value) && value.node === true && Object.keys(value).length === 1) return Target.node();
  if (!isObject(value)) {
    throw new ExpectationFileError(`${where}: expected node, local-node, remote-node, { external }, { namespace, workload } `
      + 'or { namespace, labels }');
  }
  if (value.external !== undefined) {
    if (Object.keys(value).some((k) => k !== 'external') || typeof value.external !== 'string') {
      throw new ExpectationFileError(`${where}: { external } takes one IP address string`);
    }
    try {
      return Target.external(value.external);
    } catch (e) {
      throw new ExpectationFileError(`${where}.external: ${(e as Error).message}`);
    }
  }
  if (typeof value.namespace !== 'string' || value.namespace === '') {
    throw new ExpectationFileError(`${where}.namespace: expected a namespace name`);
  }
  const extra = Object.keys(value).filter((k) => !['namespace', 'workload', 'labels'].includes(k));
  if (extra.length > 0) throw new ExpectationFileError(`${where}: unknown key '${extra[0]}'`);
  if (value.workload !== undefined) {
    if (value.labels !== undefined) throw new ExpectationFileError(`${where}: give workload or labels, not both`);
    if (typeof value.workload !== 'string') throw new ExpectationFileError(`${where}.workload: expected a name`);
    return Target.workload(value.namespace, value.workload);
  }
  const labels = value.labels ?? {};
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new ExpectationFileError(`${where}.labels: expected a mapping of label keys to string values`);
  }
  return Target.pod(value.namespace, labels as Record<string, string>);
}
