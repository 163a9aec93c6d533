// Generate src/cni/cilium/chart-values-keys.ts from the pinned Cilium chart's values.yaml: every key
// path the chart defines, so that CiliumInstall can refuse keys the chart does not have (its
// values.schema.json accepts any key). Run: node projenrc/cilium-values-keys.js
//
// Two sources of keys:
// - the keys YAML parses (the chart's defaults);
// - options the chart documents commented out (`# egressMasqueradeInterfaces: ""`), which the
//   templates read (`hasKey .Values "egressMasqueradeInterfaces"`) but YAML cannot see. See
//   `commentedKeys` for the rules that keep helm-docs descriptions, @schema annotations, prose and
//   example values of a neighbouring key out.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const VERSION = '1.20.0';
const root = path.resolve(__dirname, '..');
const valuesFile = path.resolve(root, `../shared/crds/cilium/${VERSION}/chart/values.yaml`);
const target = path.join(root, 'src/cni/cilium/chart-values-keys.ts');

/**
 * Commented-out keys that the rules would accept but that are not options, checked against the
 * chart's templates: misplaced by their indentation, or documented but never read. Each entry must
 * still match a candidate of the pinned values.yaml, or generation fails (the list cannot go stale).
 */
const EXCLUDED = {
  'tableSize': 'documented after `maglev: {}` at the top level, but the chart reads maglev.tableSize (already allowed: maglev is a free-form map)',
  'hashSeed': 'documented after `maglev: {}` at the top level, but the chart reads maglev.hashSeed (already allowed: maglev is a free-form map)',
  'operator.runAsUser': 'a securityContext field left one level too shallow after operator.securityContext; the chart has no operator.runAsUser',
  'securityContext.runAsUser': 'not read: the agent template builds the container securityContext from privileged, seLinuxOptions and capabilities only (use podSecurityContext)',
  'envoy.securityContext.runAsUser': 'not read: the cilium-envoy securityContext is built field by field like the agent\'s (use envoy.podSecurityContext)',
};

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const indentOf = (line) => line.length - line.trimStart().length;
/** A value that stands in for content shown by the comments after it (`tmpVolume: {}`, `format_json: null`). */
const PLACEHOLDER = /^(\{\}|\[\]|~|null)$/;
/** `<indent># <key>: <value or nothing>`: one space after `#`, a lowerCamelCase key. */
const COMMENTED_KEY = /^( *)# ([a-z][A-Za-z0-9]*):(?: (.*))?$/;
/** An uncommented map key line (not a sequence item). */
const KEY_LINE = /^( *)([A-Za-z0-9_.\/-]+|"[^"]*"|'[^']*'):(?: +(.*))?$/;

/** The key paths YAML parses, and the free-form maps among them. */
function parsedKeys(values) {
  const keys = [];
  const freeForm = [];
  const nullDefault = [];
  const emptyMapDefault = [];
  const walk = (obj, prefix) => {
    for (const [key, value] of Object.entries(obj)) {
      const p = prefix ? `${prefix}.${key}` : key;
      keys.push(p);
      if (value === null) nullDefault.push(p);
      if (isPlainObject(value) && Object.keys(value).length === 0) emptyMapDefault.push(p);
      if (isPlainObject(value)) {
        // An empty map, or a map keyed by label names (`kubernetes.io/os`), holds the user's keys.
        if (Object.keys(value).length === 0 || Object.keys(value).some((k) => /[./]/.test(k))) freeForm.push(p);
        else walk(value, p);
      }
    }
  };
  walk(values, '');
  return { keys, freeForm, nullDefault, emptyMapDefault };
}

/** The value at a dotted path of the parsed values (undefined when absent). */
function at(values, dotted) {
  return dotted === '' ? values : dotted.split('.').reduce((o, k) => (isPlainObject(o) ? o[k] : undefined), values);
}

/**
 * Options the chart documents as commented-out keys. A line `<indent># <key>: <value>` is one when:
 * 1. it is outside a `# @schema` ... `# @schema` block (type/enum/minimum annotations);
 * 2. the key is lowerCamelCase right after `# ` (helm-docs markers `# -- ...`, `# @default -- ...`,
 *    `# Ref:`, `# Note:`, `# Example:` and indented example content `#   sizeLimit:` never match);
 * 3. the value is an example value, not prose or a link: empty, a block scalar indicator, a quoted
 *    scalar, a flow collection, or a plain scalar without spaces that is not a URL
 *    (`# nodes: Count of nodes at which ...` and `# ref: https://...` are descriptions);
 * 4. its indentation is exactly that of the keys of the enclosing map, a map the chart defines with
 *    its own keys (the dotted path is the enclosing keys' path plus the key);
 * 5. it is not part of a run of comments that directly follows a sibling whose value is a
 *    placeholder (`tmpVolume: {}`, `format_json: null`) without a `# --` description of its own:
 *    such lines show the placeholder's content (`# emptyDir:`, `# level: "%l"`), not siblings;
 * 6. a key with no value followed by more-indented comment lines is an example map: it is taken (as a
 *    free-form map) only when the comment right above it starts with the key's name
 *    (`# logOptions allows you to define ...`); otherwise it illustrates a neighbour
 *    (`# config:` under ipMasqAgent, `# clusters:`, `# subject:`);
 * 7. it is not already a key, and not listed in EXCLUDED (misplaced, or never read by the templates).
 * Returns the accepted keys, the free-form maps among them, and the rejected candidates with reasons.
 */
function commentedKeys(valuesText, values, known) {
  const lines = valuesText.split('\n');
  const accepted = [];
  const freeForm = [];
  const rejected = [];
  // Enclosing uncommented lines: { indent, path (null inside a sequence item), value, line }.
  const stack = [];
  let inSchema = false;
  let blockScalar = null; // indentation of the key whose block scalar (| or >) is being skipped

  const firstChildIndent = (from, indent) => {
    for (let j = from + 1; j < lines.length; j++) {
      const l = lines[j];
      if (l.trim() === '' || /^ *#/.test(l)) continue;
      return indentOf(l) > indent ? indentOf(l) : undefined;
    }
    return undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (blockScalar !== null) {
      if (line.trim() === '' || indentOf(line) > blockScalar) continue;
      blockScalar = null;
    }
    if (line.trim() === '') continue;
    const comment = /^( *)#(.*)$/.exec(line);
    if (comment) {
      if (/^ @schema@?\s*$/.test(comment[2])) {
        inSchema = !inSchema;
        continue;
      }
      if (inSchema) continue;
      const m = COMMENTED_KEY.exec(line);
      if (!m) continue;
      const indent = m[1].length;
      const key = m[2];
      const value = (m[3] ?? '').trim();
      const reject = (p, reason) => rejected.push({ line: i + 1, key: p ?? key, reason });

      // 3. An example value, not prose or a link.
      const quoted = /^(".*"|'.*')$/.test(value);
      const flow = /^[[{].*[\]}]$/.test(value);
      if (value !== '' && !quoted && !flow && !/^[|>][-+]?$/.test(value)) {
        if (/\s/.test(value)) { reject(null, 'prose, not a value'); continue; }
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) { reject(null, 'a link, not a value'); continue; }
      }
      try { YAML.parse(`${key}: ${value}`); } catch { reject(null, 'not YAML'); continue; }

      // 4. Placed among the keys of a map the chart defines.
      const parent = [...stack].reverse().find((s) => s.indent < indent);
      const parentPath = parent ? parent.path : '';
      if (parentPath === null) { reject(null, 'inside a list item'); continue; }
      const childIndent = parent ? firstChildIndent(parent.line, parent.indent) : 0;
      const parentValue = at(values, parentPath);
      const p = parentPath ? `${parentPath}.${key}` : key;
      if (parent && parent.value !== '') { reject(p, 'the enclosing key is not a block map'); continue; }
      if (childIndent !== indent || !isPlainObject(parentValue) || Object.keys(parentValue).length === 0) {
        reject(p, 'not aligned with the keys of a map the chart defines'); continue;
      }

      // 5. Not the content of a placeholder sibling right above.
      let j = i - 1;
      let described = false;
      while (j >= 0 && /^ *#/.test(lines[j]) && indentOf(lines[j]) === indent) {
        if (/^ *# --/.test(lines[j])) { described = true; break; }
        j--;
      }
      if (!described && j >= 0) {
        const above = KEY_LINE.exec(lines[j]);
        if (above && above[1].length === indent && PLACEHOLDER.test((above[3] ?? '').trim())) {
          reject(p, `shows the content of \`${above[2]}: ${above[3].trim()}\` above it`); continue;
        }
      }

      // 6. Example maps.
      const next = lines[i + 1] ?? '';
      const exampleMap = value === '' && new RegExp(`^ {${indent}}#  +\\S`).test(next);
      if (exampleMap) {
        const prose = new RegExp(`^ {${indent}}# ${key}\\s`).test(lines[i - 1] ?? '');
        if (!prose) { reject(p, 'an example map illustrating a neighbouring key'); continue; }
      }

      // 7. New, and not excluded.
      if (known.has(p)) continue;
      if (EXCLUDED[p] !== undefined) { reject(p, `excluded: ${EXCLUDED[p]}`); continue; }
      if (accepted.includes(p)) continue;
      accepted.push(p);
      if (exampleMap) freeForm.push(p);
      continue;
    }

    // An uncommented line: maintain the stack of enclosing keys.
    const indent = indentOf(line);
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1];
    const parentPath = parent ? parent.path : '';
    const km = KEY_LINE.exec(line);
    if (km && !line.trimStart().startsWith('- ')) {
      const key = km[2].replace(/^["']|["']$/g, '');
      const value = (km[3] ?? '').replace(/\s+#.*$/, '').trim();
      const p = parentPath === null ? null : (parentPath ? `${parentPath}.${key}` : key);
      stack.push({ indent, path: p, value, line: i });
      if (/^[|>][-+0-9]*$/.test(value)) blockScalar = indent;
    } else if (line.trimStart().startsWith('- ')) {
      stack.push({ indent, path: null, value: '', line: i });
    }
  }
  if (inSchema) throw new Error('values.yaml: unbalanced # @schema block');
  return { accepted: accepted.sort(), freeForm: freeForm.sort(), rejected };
}

/** The TypeScript module for a values.yaml text. */
function generate(valuesText) {
  const values = YAML.parse(valuesText);
  const { keys, freeForm, nullDefault, emptyMapDefault } = parsedKeys(values);
  const commented = commentedKeys(valuesText, values, new Set(keys));
  for (const p of Object.keys(EXCLUDED)) {
    if (!commented.rejected.some((r) => r.key === p && r.reason.startsWith('excluded'))) {
      throw new Error(`EXCLUDED lists ${p}, which is no longer a commented-out key of values.yaml: update the list`);
    }
  }
  keys.sort();
  freeForm.sort();
  const list = (items) => items.map((k) => `  '${k}',`).join('\n');
  return `// Generated by projenrc/cilium-values-keys.js from ../shared/crds/cilium/${VERSION}/chart/values.yaml. Do not edit.
/* eslint-disable */

/** The Cilium chart version the key list comes from. */
export const CILIUM_CHART_VERSION = '${VERSION}';

/** Every key path of the chart's values.yaml (dotted). */
export const CILIUM_VALUE_KEYS: readonly string[] = [
${list(keys)}
];

/**
 * Key paths the chart documents only as commented-out examples (\`# egressMasqueradeInterfaces: ""\`):
 * options the templates read although the parsed values.yaml does not have them.
 */
export const CILIUM_COMMENTED_VALUE_KEYS: readonly string[] = [
${list(commented.accepted)}
];

/**
 * Key paths whose default is an empty map, or whose commented-out example is a map: the keys below
 * them are the user's (labels, annotations, resources, log options, ...).
 */
export const CILIUM_FREE_FORM_KEYS: readonly string[] = [
${list([...freeForm, ...commented.freeForm].sort())}
];

/** Key paths of values.yaml whose default is null: a null given there changes nothing. */
export const CILIUM_NULL_DEFAULT_KEYS: readonly string[] = [
${list(nullDefault.sort())}
];

/** Key paths of values.yaml whose default is an empty map: a null given below them changes nothing. */
export const CILIUM_EMPTY_MAP_DEFAULT_KEYS: readonly string[] = [
${list(emptyMapDefault.sort())}
];
`;
}

module.exports = { generate, commentedKeys, valuesFile, target, EXCLUDED };

if (require.main === module) {
  fs.writeFileSync(target, generate(fs.readFileSync(valuesFile, 'utf8')));
  console.log(`wrote ${path.relative(root, target)}`);
}
