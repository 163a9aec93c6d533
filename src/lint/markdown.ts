import { LintDocument } from './document';
import { isCiliumChart } from './helm-values';
import { parseYaml } from './parse';
import { LintFinding } from './types';

/** What a Markdown document yields for linting. Internal. */
export interface MarkdownManifests {
  readonly documents: LintDocument[];
  readonly findings: LintFinding[];
}

const YAML_LANGS = new Set(['yaml', 'yml']);
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'console']);
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;

interface Block {
  lang: string;
  firstLine: number;
  lines: string[];
  /** Columns of indentation removed from each line (the fence's, in a list item). */
  strips: number[];
}

/** Fenced code blocks, with the fence's indentation removed from their lines (list items indent them). */
function fencedBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split(/\r?\n/);
  let open: { fence: string; indent: number; block: Block } | undefined;
  lines.forEach((line, i) => {
    const m = FENCE.exec(line);
    if (!open) {
      if (m) open = { fence: m[2], indent: m[1].length, block: { lang: m[3].toLowerCase(), firstLine: i + 2, lines: [], strips: [] } };
      return;
    }
    if (m && m[2].startsWith(open.fence) && m[3] === '' && line.trim() === m[2]) {
      blocks.push(open.block);
      open = undefined;
      return;
    }
    const strip = Math.min(open.indent, line.length - line.trimStart().length);
    open.block.lines.push(line.slice(strip));
    open.block.strips.push(strip);
  });
  return blocks;
}

/**
 * Manifests from a Markdown document: every ```yaml block, YAML heredocs inside shell blocks
 * (`cat <<EOF > x.yaml`), and Cilium Helm values from `helm install ... cilium` / `cilium install`
 * command lines (`--set key=value`). Documents are numbered across the whole file.
 */
export function markdownManifests(text: string, source: string | undefined): MarkdownManifests {
  const documents: LintDocument[] = [];
  const findings: LintFinding[] = [];
  let next = 1;
  const addYaml = (yamlText: string, firstLine: number, columnOffsets: number[]) => {
    const parsed = parseYaml(yamlText, source, firstLine, next, columnOffsets);
    next += parsed.count;
    documents.push(...parsed.documents);
    findings.push(...parsed.findings);
  };
  for (const block of fencedBlocks(text)) {
    if (YAML_LANGS.has(block.lang)) {
      addYaml(block.lines.join('\n'), block.firstLine, block.strips);
    } else if (SHELL_LANGS.has(block.lang)) {
      for (const heredoc of heredocs(block)) addYaml(heredoc.text, heredoc.firstLine, heredoc.strips);
      for (const cmd of helmCommands(block)) {
        documents.push({ obj: cmd.values, index: next++, source, line: cmd.line, label: `command '${cmd.name}' at line ${cmd.line}`, ciliumValues: true });
      }
    }
  }
  return { documents, findings };
}

function heredocs(block: Block): Array<{ text: string; firstLine: number; strips: number[] }> {
  const out: Array<{ text: string; firstLine: number; strips: number[] }> = [];
  for (let i = 0; i < block.lines.length; i++) {
    const m = /<<-?\s*['"]?([A-Za-z_]\w*)['"]?/.exec(block.lines[i]);
    if (!m) continue;
    const end = block.lines.findIndex((l, j) => j > i && l.trim() === m[1]);
    if (end < 0) break;
    const body = block.lines.slice(i + 1, end).join('\n');
    if (/^\s*(apiVersion|kind):/m.test(body)) out.push({ text: body, firstLine: block.firstLine + i + 1, strips: block.strips.slice(i + 1, end) });
    i = end;
  }
  return out;
}

interface HelmCommand { name: string; line: number; values: Record<string, any> }

/** `helm install|upgrade|template ... <cilium chart>` and `cilium install|upgrade` with their --set values. */
function helmCommands(block: Block): HelmCommand[] {
  const out: HelmCommand[] = [];
  for (let i = 0; i < block.lines.length; i++) {
    const start = i;
    let command = block.lines[i];
    while (/\\\s*$/.test(command) && i + 1 < block.lines.length) command = command.replace(/\\\s*$/, ' ') + block.lines[++i];
    const words = command.replace(/#.*$/, '').trim().split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, ''));
    const chart = words.slice(2).filter((w) => !w.startsWith('-') && isCiliumChart(w)).pop(); // release name first, chart last
    const helm = words[0] === 'helm' && ['install', 'upgrade', 'template'].includes(words[1]) && chart !== undefined;
    const cilium = words[0] === 'cilium' && ['install', 'upgrade'].includes(words[1]);
    if (!helm && !cilium) continue;
    const values: Record<string, any> = {};
    for (let w = 2; w < words.length; w++) {
      const m = /^--set(-string)?(?:=(.*))?$/.exec(words[w]);
      if (!m) continue;
      const assignment = m[2] ?? words[++w] ?? '';
      for (const pair of assignment.split(',')) setValue(values, pair, m[1] === '-string');
    }
    if (Object.keys(values).length > 0) out.push({ name: helm ? `helm ${words[1]} ${chart}` : `cilium ${words[1]}`, line: block.firstLine + start, values });
  }
  return out;
}

/**
 * A `--set` value typed as Helm's strvals parser types it (`typedVal`): `true`/`false`/`null` in any
 * letter case are a boolean or null (null removes the chart default), `0` is 0, and a value that does
 * not start with `0` is an integer when Go's `strconv.ParseInt(s, 10, 64)` reads it (a sign allowed);
 * everything else stays a string: `010`, `1.5`, `0x1F` and integers beyond 64 bits.
 */
export function helmTypedValue(raw: string): unknown {
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  if (raw !== '' && raw[0] !== '0' && /^[+-]?\d+$/.test(raw)) {
    const n = BigInt(raw);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return Number(n);
  }
  return raw;
}

/** Apply one `a.b=c` assignment the way `helm --set` types it. */
function setValue(values: Record<string, any>, pair: string, asString: boolean): void {
  const eq = pair.indexOf('=');
  if (eq <= 0) return;
  const keys = pair.slice(0, eq).split('.');
  const raw = pair.slice(eq + 1);
  const value = asString ? raw : helmTypedValue(raw);
  let node = values;
  keys.slice(0, -1).forEach((k) => {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k];
  });
  node[keys[keys.length - 1]] = value;
}
