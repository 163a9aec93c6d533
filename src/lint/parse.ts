import { LintDocument } from './document';
import { LintFinding, LintSeverity } from './types';
import { parseYamlText } from '../util/yaml-documents';

/** Documents parsed from YAML text plus a finding per document that failed to parse. Internal. */
export interface ParsedYaml {
  readonly documents: LintDocument[];
  readonly findings: LintFinding[];
  /** How many documents the text holds (numbering of the next text continues after them). */
  readonly count: number;
}

/**
 * Parse multi-document YAML. A document with syntax errors (or more aliases than the shared reader
 * allows) becomes one `yaml-parse` ERROR finding (the other documents are still linted); documents
 * that are empty or only comments are skipped; the items of a List are linted one by one (sharing the
 * List's document number); scalars and other values are kept (rules check shapes).
 *
 * @param firstLine line of `text`'s first line in the source (for YAML embedded in Markdown)
 * @param firstIndex number given to the first document (documents are numbered across a file)
 * @param columnOffsets columns each line lost from its source (an indented Markdown fence), by 0-based line
 */
export function parseYaml(text: string, source: string | undefined, firstLine = 1, firstIndex = 1, columnOffsets?: readonly number[]): ParsedYaml {
  const documents: LintDocument[] = [];
  const findings: LintFinding[] = [];
  // The items of a list (`kind: List` from kubectl get -o yaml, or a typed list) are linted as the objects they are, each at its line.
  const parsed = parseYamlText(text, { firstLine, expandLists: true, ...(columnOffsets ? { columnOffsets } : {}) });
  for (const entry of parsed.entries) {
    const index = firstIndex + entry.document;
    if (entry.error !== undefined) findings.push(parseFinding(index, source, entry.line, entry.error));
    else documents.push({ obj: entry.value, index, source, line: entry.line });
  }
  return { documents, findings, count: parsed.documentCount };
}

/** The rule id of the finding for a document that is not valid YAML. */
export const YAML_PARSE_RULE = 'yaml-parse';
const NOT_VALID = 'not valid YAML: ';

/**
 * The parser's message of a `yaml-parse` finding (undefined for any other finding): the command line
 * reports such a document as skipped input, as it does for an invalid document of a YAML file.
 */
export function yamlParseError(finding: LintFinding): string | undefined {
  return finding.rule === YAML_PARSE_RULE && finding.message.startsWith(NOT_VALID) ? finding.message.slice(NOT_VALID.length) : undefined;
}

function parseFinding(index: number, source: string | undefined, line: number, message: string): LintFinding {
  return {
    rule: YAML_PARSE_RULE,
    severity: LintSeverity.ERROR,
    object: `document ${index} of ${source ?? 'input'}`,
    message: `${NOT_VALID}${message}`,
    fix: 'fix the YAML syntax (render templates and remove shell commands or comments in other syntaxes before linting)',
    ...(source !== undefined ? { source } : {}),
    line,
  };
}
