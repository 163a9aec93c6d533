/**
 * The bench report: aligned plain-text lines `name  value  (target ...)  OK|MISS`.
 */

/** One line of the report. */
export interface ReportLine {
  readonly name: string;
  readonly value: string;
  /** E.g. `<= 1.3`; lines without a target are informational. */
  readonly target?: string;
  /** Whether the target is met (only with `target`). */
  readonly ok?: boolean;
}

/** Collects lines per section and prints them aligned. */
export class Report {
  private readonly sections: Array<{ title: string; lines: ReportLine[] }> = [];

  /** Start a section. */
  public section(title: string): void {
    this.sections.push({ title, lines: [] });
  }

  /** An informational line. */
  public info(name: string, value: string): void {
    this.current().push({ name, value });
  }

  /** A line checked against a target. */
  public check(name: string, value: string, target: string, ok: boolean): void {
    this.current().push({ name, value, target, ok });
  }

  /** Number of lines whose target is missed. */
  public get misses(): number {
    return this.sections.reduce((n, s) => n + s.lines.filter((l) => l.ok === false).length, 0);
  }

  /** The whole report, aligned across sections. */
  public render(): string {
    const all = this.sections.flatMap((s) => s.lines);
    const nameWidth = Math.max(...all.map((l) => l.name.length));
    // Values of checked lines are padded so the targets and verdicts line up; info lines are not.
    const valueWidth = Math.max(0, ...all.filter((l) => l.target).map((l) => l.value.length));
    const targetWidth = Math.max(0, ...all.map((l) => (l.target ? l.target.length + 9 : 0)));
    const out: string[] = [];
    for (const s of this.sections) {
      out.push('', `== ${s.title}`);
      for (const l of s.lines) {
        const target = l.target ? `(target ${l.target})`.padEnd(targetWidth) : ''.padEnd(targetWidth);
        const verdict = l.target ? (l.ok ? 'OK' : 'MISS') : '';
        const value = l.target ? l.value.padEnd(valueWidth) : l.value;
        out.push(`${l.name.padEnd(nameWidth)}  ${value}  ${l.target ? `${target}  ${verdict}` : ''}`.trimEnd());
      }
    }
    return out.join('\n') + '\n';
  }

  private current(): ReportLine[] {
    const s = this.sections[this.sections.length - 1];
    if (!s) throw new Error('Report: call section() first');
    return s.lines;
  }
}

/** `1234.5` -> `1,234.5 ms` style numbers with fixed decimals. */
export function fmt(n: number, decimals = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
