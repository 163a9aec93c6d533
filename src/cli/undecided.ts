/**
 * The closing block of a text report whose run is undecided (exit 4) for reasons stdout would not
 * otherwise show, such as an invalid YAML document that was skipped: what `invalidDocuments` says
 * in the JSON and the exit code says to a script, said to a reader of the table, the Markdown or
 * the lint text. When the run fails anyway (exit 1), the block says "Also undecided".
 */
import { InvalidDocument } from './input';
import { printable } from '../util/printable';

/** `UNDECIDED (exit 4): <what>:` (or `Also undecided: <what>:`) and one indented line per reason; Markdown: a quote with a list. */
export function undecidedText(what: string, reasons: readonly string[], failed: boolean, markdown: boolean): string {
  if (!markdown) return `${failed ? 'Also undecided' : 'UNDECIDED (exit 4)'}: ${what}:\n${reasons.map((r) => `  ${r}\n`).join('')}`;
  return `> ${failed ? '**Also undecided**' : '**UNDECIDED** (exit 4)'}: ${what}:\n${reasons.map((r) => `> - ${markdownText(r)}\n`).join('')}`;
}

/** `text` with the characters Markdown would read as markup escaped (file names and parser messages come from the input). */
function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);
}

/** `<file>: line N is not valid YAML (<error>) and was skipped`, the start of every reason about one. */
export function invalidDocumentText(d: InvalidDocument): string {
  return `${printable(d.file)}: line ${d.line} is not valid YAML (${printable(d.error)}) and was skipped`;
}
