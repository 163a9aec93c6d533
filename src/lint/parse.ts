import { LineCounter, parseAllDocuments } from 'yaml';
import { LintDocument } from './document';
import { LintFinding, LintSeverity } from './types';

/** Documents parsed from YAML text plus a finding per document that failed to parse. Internal. */
export interface ParsedYaml {
  readonly documents: LintDocument[];
  readonly findings: LintFinding[];
  /** How many documents the text holds (numbering of the next text continues after them). */
  readonly count: number;
}

/**
 * Parse multi-document YAML. A document with syntax errors becomes one `yaml-parse` ERROR finding
 * (the other documents are still linted); documents that are empty or only comments are skipped.
 *
 * @param firstLine line of `text`'s first line in the source (for YAML embedded in Markdown)
 * @param firstIndex number given to the first document (documents are numbered across a file)
 */
export function parseYaml(text: string, source: string | undefined, firstLine = 1, firstIndex = 1): ParsedYaml {
  const lineCounter = new LineCounter();
  const documents: LintDocument[] = [];
  const findings: LintFinding[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter });
  } catch (e) {
    findings.push(parseFinding(firstIndex, source, firstLine, e instanceof Error ? e.message : String(e)));
    return { documents, findings, count: 1 };
  }
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    const index = firstIndex + i;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = firstLine + lineCounter.linePos(start).line - 1;
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const errLine = err.linePos ? firstLine + err.linePos[0].line - 1 : line;
      findings.push(parseFinding(index, source, errLine, err.message));
      return;
    }
    let obj: unknown;
    try {
      obj = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      findings.push(parseFinding(index, source, line, e instanceof Error ? e.message : String(e)));
      return;
    }
    if (obj === null || obj === undefined) return;
    documents.push({ obj, index, source, line });
  });
  return { documents, findings, count: Math.max(1, list.length) };
}

function parseFinding(index: number, source: string | undefined, line: number, message: string): LintFinding {
  return {
    rule: 'yaml-parse',
    severity: LintSeverity.ERROR,
    object: `document ${index} of ${source ?? 'input'}`,
    message: `not valid YAML: ${message.split('\n')[0]}`,
    fix: 'fix the YAML syntax (render templates and remove shell commands or comments in other syntaxes before linting)',
    ...(source !== undefined ? { source } : {}),
    line,
  };
}
