/**
 * `text` with control characters (C0, DEL, C1) and the Unicode line separators escaped as `\uXXXX`.
 * Names can come from contributed manifests: a newline or an escape sequence in one would break a
 * table row or a Mermaid label, or drive the terminal of whoever reads the CI log.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
