/**
 * Checks a parsed expectations file against the analyzer: adds its probes, expands every side that
 * names a set of namespaces into one target per namespace, and checks every namespace pair and port.
 */
import { Expectation, ExpectationSide, ExpectedRequest, NamespaceLabels, ProbeDeclaration } from './expectations';
import { NAMESPACE_NAME_LABEL } from '../analysis/inventory';
import { Reachability } from '../analysis/reachability';
import { Target } from '../analysis/target';
import { Port } from '../policy/port';
import { ValidationError } from '../util/errors';

/**
 * What the analyzer answered for an expectation, over every pod pair of every question it expanded
 * to: `allowed` and `denied` when all pairs agree, `partly allowed` when decided pairs disagree,
 * `indeterminate` when some pair cannot be decided from the manifests.
 */
export type ActualVerdict = 'allowed' | 'denied' | 'partly allowed' | 'indeterminate';

/** The outcome of one expectation. */
export interface ExpectationOutcome {
  /** The question, e.g. `workload shop/web -> workload shop/db on TCP/5432`. */
  readonly question: string;
  /** The expected verdict: allowed (true) or denied (false). */
  readonly expected: boolean;
  /** The analyzer's answer; undefined when a question could not be asked (e.g. a target matching no pod). */
  readonly actual?: ActualVerdict;
  /** How many of the pod pairs the targets cover are allowed (undefined on error). */
  readonly allowedPairs?: number;
  /** How many of them are indeterminate (undefined on error). */
  readonly indeterminatePairs?: number;
  /** How many pod pairs the targets cover (undefined on error). */
  readonly totalPairs?: number;
  /** Expected and actual verdicts agree: every pair allowed, or every pair denied. */
  readonly pass: boolean;
  /**
   * It failed only because the analyzer cannot decide some pairs (no pair contradicts the
   * expectation definitely, and no question failed with an error).
   */
  readonly undecided: boolean;
  /** Why it failed: the analyzer's explanation (with the reasons of indeterminate pairs), or the error. */
  readonly explanation?: string;
  /** How many questions the expectation expanded to (one per namespace pair and port). */
  readonly checks: number;
  /** The questions that failed, when the expectation expanded to more than one. */
  readonly failedChecks?: string[];
}

/** Namespace name -> labels, as the manifests declare them (`kubernetes.io/metadata.name` included). */
export type Namespaces = ReadonlyMap<string, NamespaceLabels>;

/** The namespaces of `namespaces` a set selects, sorted. */
function namespacesIn(namespaces: Namespaces, matches: (labels: NamespaceLabels) => boolean): string[] {
  return [...namespaces.entries()].filter(([, labels]) => matches(labels)).map(([name]) => name).sort();
}

/**
 * Add the declared probes to `reach` (`namespaces` resolves the probes declared for a set).
 * `allowEmptySets`: a set matching no namespace adds no probe (one side of a diff may have none).
 * @throws ExpectationFileError naming the probe's line when a probe cannot be added (its name is taken)
 */
export function addProbes(reach: Reachability, probes: readonly ProbeDeclaration[], namespaces: Namespaces, allowEmptySets = false): void {
  for (const probe of probes) {
    const targets = probe.namespace !== undefined ? [probe.namespace] : namespacesIn(namespaces, probe.namespaces!.matches);
    if (targets.length === 0 && !allowEmptySets) throw probe.error(`no namespace of the manifests is ${probe.namespaces!.description.replace(/^every namespace ?/, '') || 'there'}`);
    for (const ns of targets) {
      try {
        reach.addProbe(probe.name, ns, probe.labels, { ports: probe.ports, serviceAccount: probe.serviceAccount, annotations: probe.annotations });
      } catch (e) {
        // A refused probe is a fault of the file: its reason without the library's `[Reachability.addProbe] prop:` prefix.
        throw probe.error(`cannot add probe ${ns}/${probe.name}: ${ValidationError.isValidationError(e) ? e.reason : (e as Error).message}`);
      }
    }
  }
}

/** One side expanded: a target per namespace (or the one target), with its namespace's labels. */
interface Expanded {
  readonly target: Target;
  readonly labels?: NamespaceLabels;
}

function expand(side: ExpectationSide, namespaces: Namespaces): Expanded[] | string {
  if (side.kind === 'one') {
    const ns = side.namespace;
    return [{ target: side.target, labels: ns === undefined ? undefined : namespaces.get(ns) ?? { [NAMESPACE_NAME_LABEL]: ns } }];
  }
  const names = namespacesIn(namespaces, side.namespaces.matches);
  if (names.length === 0) return `no namespace of the manifests is in ${side.namespaces.description}`;
  return names.map((ns) => ({ target: side.target(ns), labels: namespaces.get(ns) }));
}

function describe(side: ExpectationSide): string {
  return side.kind === 'one' ? side.target.description : side.description;
}

/** The result of one question. */
interface Check {
  readonly question: string;
  readonly pass: boolean;
  /** Failed, and not only for want of a decision. */
  readonly definiteFailure: boolean;
  readonly allowedPairs?: number;
  readonly deniedPairs?: number;
  readonly indeterminatePairs?: number;
  readonly totalPairs?: number;
  readonly explanation?: string;
}

/** ` (HTTP POST /admin)` after the ports of a question about a request. */
function requestSuffix(request: ExpectedRequest | undefined): string {
  return request ? ` (HTTP ${request.description})` : '';
}

function ask(reach: Reachability, source: Target, destination: Target, port: Port, e: Expectation): Check {
  const expected = e.allowed;
  const question = `${source.description} -> ${destination.description} on ${port.toString()}${requestSuffix(e.request)}`;
  try {
    const result = e.request
      ? reach.checkRequest(source, destination, port, e.request.request)
      : reach.check(source, destination, port);
    const pass = expected ? result.allowed : result.denied;
    const allowedPairs = result.pairs.filter((p) => p.allowed).length;
    const deniedPairs = result.pairs.filter((p) => p.denied).length;
    return {
      question,
      pass,
      definiteFailure: expected ? deniedPairs > 0 : allowedPairs > 0,
      allowedPairs,
      deniedPairs,
      indeterminatePairs: result.pairs.length - allowedPairs - deniedPairs,
      totalPairs: result.pairs.length,
      ...(pass ? {} : { explanation: result.explain() }),
    };
  } catch (err) {
    return { question, pass: false, definiteFailure: true, explanation: (err as Error).message };
  }
}

/** The answer over pairs, as counted. */
function actualOf(allowed: number, denied: number, total: number): ActualVerdict {
  if (allowed === total) return 'allowed';
  if (denied === total) return 'denied';
  return allowed + denied === total ? 'partly allowed' : 'indeterminate';
}

/** Failed questions listed in an explanation before the first one's full explanation. */
const LISTED_FAILURES = 10;

/**
 * Check each expectation (an HTTP request with `checkRequest`, across the CNI's and the mesh's HTTP
 * rules); a question the analyzer cannot answer fails with the reason. `allowed: true`
 * needs every pod pair of every expanded question allowed, `allowed: false` every pair denied; an
 * indeterminate pair fails either (the outcome is `undecided` when nothing else failed).
 */
export function checkExpectations(reach: Reachability, expectations: readonly Expectation[], namespaces: Namespaces): ExpectationOutcome[] {
  return expectations.map((e) => {
    const ports = e.ports.map((p) => p.toString()).join(', ');
    const question = `${describe(e.source)} -> ${describe(e.destination)}${e.pairs.description} on ${ports}${requestSuffix(e.request)}`;
    const sources = expand(e.source, namespaces);
    const destinations = expand(e.destination, namespaces);
    const unresolved = [sources, destinations].find((x): x is string => typeof x === 'string');
    if (unresolved !== undefined) return { question, expected: e.allowed, pass: false, undecided: false, explanation: unresolved, checks: 0 };
    const checks: Check[] = [];
    for (const s of sources as Expanded[]) {
      for (const d of destinations as Expanded[]) {
        if (s.labels !== undefined && d.labels !== undefined && !e.pairs.accepts(s.labels, d.labels)) continue;
        for (const port of e.ports) checks.push(ask(reach, s.target, d.target, port, e));
      }
    }
    if (checks.length === 0) {
      return {
        question,
        expected: e.allowed,
        pass: false,
        undecided: false,
        explanation: 'no namespace pair to check: the pairs rule excludes every pair',
        checks: 0,
      };
    }
    return combine(question, e.allowed, checks);
  });
}

/** One outcome for the questions of an expectation. */
function combine(question: string, expected: boolean, checks: Check[]): ExpectationOutcome {
  const failed = checks.filter((c) => !c.pass);
  const answered = checks.every((c) => c.totalPairs !== undefined);
  const sum = (f: (c: Check) => number | undefined) => checks.reduce((n, c) => n + (f(c) ?? 0), 0);
  const [allowedPairs, deniedPairs, indeterminatePairs, totalPairs] = [
    sum((c) => c.allowedPairs), sum((c) => c.deniedPairs), sum((c) => c.indeterminatePairs), sum((c) => c.totalPairs),
  ];
  const outcome = {
    question,
    expected,
    ...(answered ? { actual: actualOf(allowedPairs, deniedPairs, totalPairs), allowedPairs, indeterminatePairs, totalPairs } : {}),
    pass: failed.length === 0,
    undecided: failed.length > 0 && failed.every((c) => !c.definiteFailure),
    checks: checks.length,
  };
  if (failed.length === 0) return outcome;
  if (checks.length === 1) return { ...outcome, explanation: failed[0].explanation };
  const lines = [
    `${failed.length} of ${checks.length} checks failed:`,
    ...failed.slice(0, LISTED_FAILURES).map((c) => `- ${c.question}: ${c.totalPairs === undefined ? 'an error' : verdictText(c)}`),
    ...(failed.length > LISTED_FAILURES ? [`- ... and ${failed.length - LISTED_FAILURES} more`] : []),
    'The first, explained:',
    failed[0].explanation ?? '',
  ];
  return { ...outcome, explanation: lines.join('\n'), failedChecks: failed.map((c) => c.question) };
}

/** `allowed`, `denied`, `allowed for 1 of 2 pod pairs`, `indeterminate for 2 of 4 pod pairs`. */
export function verdictText(counts: { allowedPairs?: number; deniedPairs?: number; indeterminatePairs?: number; totalPairs?: number }): string {
  const allowed = counts.allowedPairs ?? 0;
  const undecided = counts.indeterminatePairs ?? 0;
  const total = counts.totalPairs ?? 0;
  const denied = counts.deniedPairs ?? total - allowed - undecided;
  const actual = actualOf(allowed, denied, total);
  if (actual === 'partly allowed') return `allowed for ${allowed} of ${total} pod pairs`;
  if (actual === 'indeterminate' && total > 1) return `indeterminate for ${undecided} of ${total} pod pairs (${allowed} allowed)`;
  return actual;
}
