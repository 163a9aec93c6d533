/**
 * Checks a parsed expectations file against the analyzer: adds its probes, expands every side that
 * names a set of namespaces into one target per namespace, and checks every namespace pair and port.
 */
import { Expectation, ExpectationSide, NamespaceLabels, ProbeDeclaration } from './expectations';
import { NAMESPACE_NAME_LABEL } from '../analysis/inventory';
import { Reachability } from '../analysis/reachability';
import { Target } from '../analysis/target';
import { Port } from '../policy/port';

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
 * @throws ExpectationFileError naming the probe's line when a probe cannot be added (its name is taken)
 */
export function addProbes(reach: Reachability, probes: readonly ProbeDeclaration[], namespaces: Namespaces): void {
  for (const probe of probes) {
    const targets = probe.namespace !== undefined ? [probe.namespace] : namespacesIn(namespaces, probe.namespaces!.matches);
    if (targets.length === 0) throw probe.error(`no namespace of the manifests is ${probe.namespaces!.description.replace(/^every namespace ?/, '') || 'there'}`);
    for (const ns of targets) {
      try {
        reach.addProbe(probe.name, ns, probe.labels, { ports: probe.ports });
      } catch (e) {
        throw probe.error(`cannot add probe ${ns}/${probe.name}: ${(e as Error).message}`);
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
  readonly allowedPairs?: number;
  readonly totalPairs?: number;
  readonly allowed?: boolean;
  readonly explanation?: string;
}

function ask(reach: Reachability, source: Target, destination: Target, port: Port, expected: boolean): Check {
  const question = `${source.description} -> ${destination.description} on ${port.toString()}`;
  try {
    const result = reach.check(source, destination, port);
    const pass = expected ? result.allowed : result.denied;
    return {
      question,
      pass,
      allowed: result.allowed,
      allowedPairs: result.pairs.filter((p) => p.allowed).length,
      totalPairs: result.pairs.length,
      ...(pass ? {} : { explanation: result.explain() }),
    };
  } catch (err) {
    return { question, pass: false, explanation: (err as Error).message };
  }
}

/** Failed questions listed in an explanation before the first one's full explanation. */
const LISTED_FAILURES = 10;

/**
 * Check each expectation; a question the analyzer cannot answer fails with the reason. `allowed: true`
 * needs every pod pair of every expanded question allowed, `allowed: false` every pair denied.
 */
export function checkExpectations(reach: Reachability, expectations: readonly Expectation[], namespaces: Namespaces): ExpectationOutcome[] {
  return expectations.map((e) => {
    const question = `${describe(e.source)} -> ${describe(e.destination)}${e.pairs.description} on ${e.ports.map((p) => p.toString()).join(', ')}`;
    const sources = expand(e.source, namespaces);
    const destinations = expand(e.destination, namespaces);
    const unresolved = [sources, destinations].find((x): x is string => typeof x === 'string');
    if (unresolved !== undefined) return { question, expected: e.allowed, pass: false, explanation: unresolved, checks: 0 };
    const checks: Check[] = [];
    for (const s of sources as Expanded[]) {
      for (const d of destinations as Expanded[]) {
        if (s.labels !== undefined && d.labels !== undefined && !e.pairs.accepts(s.labels, d.labels)) continue;
        for (const port of e.ports) checks.push(ask(reach, s.target, d.target, port, e.allowed));
      }
    }
    if (checks.length === 0) {
      return { question, expected: e.allowed, pass: false, explanation: 'no namespace pair to check: the pairs rule excludes every pair', checks: 0 };
    }
    if (checks.length === 1) {
      const [c] = checks;
      const { allowed: actual, allowedPairs, totalPairs, pass, explanation } = c;
      return { question, expected: e.allowed, actual, allowedPairs, totalPairs, pass, explanation, checks: 1 };
    }
    return combine(question, e.allowed, checks);
  });
}

/** One outcome for an expectation that expanded to several questions. */
function combine(question: string, expected: boolean, checks: Check[]): ExpectationOutcome {
  const failed = checks.filter((c) => !c.pass);
  const answered = checks.every((c) => c.allowed !== undefined);
  const allowedPairs = checks.reduce((n, c) => n + (c.allowedPairs ?? 0), 0);
  const totalPairs = checks.reduce((n, c) => n + (c.totalPairs ?? 0), 0);
  const outcome = {
    question,
    expected,
    ...(answered ? { actual: allowedPairs === totalPairs, allowedPairs, totalPairs } : {}),
    pass: failed.length === 0,
    checks: checks.length,
  };
  if (failed.length === 0) return outcome;
  const verdict = (c: Check) => c.allowed === undefined ? 'an error'
    : c.allowedPairs! > 0 && c.allowedPairs! < c.totalPairs! ? `allowed for ${c.allowedPairs} of ${c.totalPairs} pod pairs`
      : c.allowed ? 'allowed' : 'denied';
  const lines = [
    `${failed.length} of ${checks.length} checks failed:`,
    ...failed.slice(0, LISTED_FAILURES).map((c) => `- ${c.question}: ${verdict(c)}`),
    ...(failed.length > LISTED_FAILURES ? [`- ... and ${failed.length - LISTED_FAILURES} more`] : []),
    'The first, explained:',
    failed[0].explanation ?? '',
  ];
  return { ...outcome, explanation: lines.join('\n'), failedChecks: failed.map((c) => c.question) };
}
