/**
 * Strict schema validation of synthesized manifests, shared by every test and example test.
 *
 * - Core Kubernetes kinds are validated against the pinned OpenAPI definitions of every Kubernetes version in
 *   {@link KUBERNETES_VERSIONS} (1.27, the API level of cdk8s-plus-27, then 1.33 and 1.36), looked up by their
 *   `x-kubernetes-group-version-kind` entries. Those definitions are open (no `additionalProperties: false`), so
 *   every object schema is closed when loading: an unknown field is an error, as with `kubectl apply --validate=strict`.
 *   Findings against 1.27 are reported as they are; only an object valid there is checked against the later
 *   versions, whose findings name the version (`Kubernetes v1.36.0: unknown field "x"`), as does a kind one of
 *   them does not serve. Each version's validators are compiled once per process and cached.
 * - Custom resources are validated against the pinned JSON schemas in `<shared>/schemas/<group>/<kind>_<version>.json`
 *   (chaos-mesh.org ones, which have none there, against the openAPIV3Schema of the pinned CRD YAML), closed the
 *   same way (a few of them leave the top level open), plus a strict `ObjectMeta` check, because their `metadata` is
 *   only `{type: object}`.
 * - A kind without a schema is an error, never a skip.
 *
 * Upstream oddities handled on load (each is a rewrite with the same meaning, or a documented tightening):
 * - RE2-only pattern syntax (Cilium `^\PC*$`, Calico `(?i)`): see {@link translateRe2Pattern}.
 * - Kubernetes' `duration` format is Go `time.ParseDuration` syntax, not ajv-formats' ISO 8601 one.
 * - The datree-published CRD schemas (Cilium, Flux, Argo CD, Linkerd, cert-manager, Prometheus operator) leave the
 *   top level open and have no `kind` enum; the Linkerd ones omit `apiVersion`/`kind` and one misspells
 *   `apiVerson`. Both are pinned to exact values here.
 * - CEL rules (`x-kubernetes-validations`) of custom resources are evaluated as the API server does on create, once
 *   the object fits its schema (./cel.ts); the rules the test CEL environment cannot evaluate are listed by
 *   `celRulesNotChecked` and pinned per kind in schema-cel.test.ts. Core kinds carry no CEL rules.
 * - Not checked: semantic API-server validation that neither a schema nor a CEL rule expresses.
 *
 * The schema root defaults to `../../../shared` relative to this file; override it with `CDK8S_NETWORKING_SHARED`.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Chart, Testing } from 'cdk8s';
import * as ipaddr from 'ipaddr.js';
import { parseAllDocuments } from 'yaml';
import { checkCelRules } from './cel';

/** One problem found in one manifest. */
export interface ManifestValidationError {
  /** `Kind/namespace/name` (or `Kind/name` when the object has no namespace). */
  readonly object: string;
  /** Where in the object, e.g. `spec.ingress[0].ports[0].port`; empty for the object itself. */
  readonly path: string;
  /** What is wrong, e.g. `unknown field "podSelecter"`. */
  readonly message: string;
}

const SHARED_ROOT = process.env.CDK8S_NETWORKING_SHARED ?? path.resolve(__dirname, '../../../shared');
/**
 * The Kubernetes versions whose API definitions every core object must validate against. The first is the primary:
 * its findings are reported without a version, and its ObjectMeta checks the metadata of custom resources.
 */
export const KUBERNETES_VERSIONS = ['v1.27.0', 'v1.33.0', 'v1.36.0'] as const;
/** One of {@link KUBERNETES_VERSIONS}. */
export type KubernetesVersion = typeof KUBERNETES_VERSIONS[number];
const PRIMARY_VERSION: KubernetesVersion = KUBERNETES_VERSIONS[0];
const CRD_SCHEMA_DIR = path.join(SHARED_ROOT, 'schemas');
const CRD_YAML_DIR = path.join(SHARED_ROOT, 'crds');
const definitionsFile = (version: KubernetesVersion) => path.join(SHARED_ROOT, `crds/kubernetes/${version}/_definitions.json`);
const definitionsId = (version: KubernetesVersion) => `https://cdk8s-networking.invalid/k8s-${version}-definitions.json`;
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const OBJECT_META_REF = `${definitionsId(PRIMARY_VERSION)}#/definitions/${OBJECT_META}`;

// ---------------------------------------------------------------------------------------------------------------
// Go RE2 -> JavaScript (u flag) pattern translation
// ---------------------------------------------------------------------------------------------------------------

/** Thrown when a schema pattern uses RE2 syntax that has no faithful JavaScript translation here. */
export class UnsupportedPatternError extends Error {}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
  space: '\\t\\n\\v\\f\\r ',
  word: '0-9A-Za-z_',
};

/** RE2 `\s` is ASCII whitespace only (https://github.com/google/re2/wiki/Syntax); JS `\s` also matches Unicode spaces. */
const RE2_SPACE_CLASS_BODY = '\\t\\n\\f\\r ';

interface ClassAtom { readonly text: string; readonly literal?: string }

function isAsciiLetter(c: string | undefined): c is string {
  return c !== undefined && /^[A-Za-z]$/.test(c);
}

function swapCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

/** Translate one escape starting at `src[i] === '\\'`; returns the JS text and the number of source chars consumed. */
function translateEscape(src: string, i: number, inClass: boolean): [string, number] {
  const c = src[i + 1];
  if (c === undefined) throw new UnsupportedPatternError(`trailing backslash in ${src}`);
  if (c === 'p' || c === 'P') {
    // RE2 allows one-letter Unicode classes without braces (\pL, \PC); JS needs \p{L} / \P{C}.
    if (src[i + 2] === '{') {
      const end = src.indexOf('}', i + 3);
      if (end < 0) throw new UnsupportedPatternError(`unterminated \\${c}{ in ${src}`);
      const name = src.slice(i + 3, end);
      // General categories (L, Lu, C, ...) are spelled the same; RE2 script names need `Script=` in JS.
      const jsName = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
      return [`\\${c}{${jsName}}`, end - i + 1];
    }
    return [`\\${c}{${src[i + 2]}}`, 3];
  }
  if (c === 's') return [inClass ? RE2_SPACE_CLASS_BODY : `[${RE2_SPACE_CLASS_BODY}]`, 2];
  if (c === 'S') {
    if (inClass) throw new UnsupportedPatternError(`\\S inside a character class in ${src}`);
    return [`[^${RE2_SPACE_CLASS_BODY}]`, 2];
  }
  if (c === 'x' && src[i + 2] === '{') return ['\\u', 2]; // \x{10FFFF} -> \u{10FFFF} (u flag)
  if (!inClass && c === 'A') return ['^', 2];
  if (!inClass && c === 'z') return ['$', 2]; // JS `$` without the m flag is end of input, like RE2 \z.
  if (c === 'Q' || c === 'C' || c === 'E') throw new UnsupportedPatternError(`\\${c} in ${src}`);
  return [`\\${c}`, 2];
}

/** Translate a character class starting at `src[i] === '['`; under `(?i)` letters get their other case added. */
function translateClass(src: string, i: number, caseInsensitive: boolean): [string, number] {
  let j = i + 1;
  let negated = '';
  if (src[j] === '^') {
    negated = '^';
    j++;
  }
  const atoms: ClassAtom[] = [];
  let first = true;
  while (j < src.length && (src[j] !== ']' || first)) {
    first = false;
    if (src[j] === '[' && src[j + 1] === ':') {
      const end = src.indexOf(':]', j + 2);
      const name = end < 0 ? undefined : src.slice(j + 2, end);
      const body = name === undefined ? undefined : POSIX_CLASSES[name];
      if (body === undefined) throw new UnsupportedPatternError(`POSIX class at ${j} in ${src}`);
      atoms.push({ text: body });
      j = end + 2;
    } else if (src[j] === '\\') {
      const [text, len] = translateEscape(src, j, true);
      atoms.push({ text });
      j += len;
    } else if (src[j] === ']') {
      atoms.push({ text: '\\]', literal: ']' }); // a leading `]` is literal in RE2
      j++;
    } else {
      atoms.push({ text: src[j], literal: src[j] });
      j++;
    }
  }
  if (j >= src.length) throw new UnsupportedPatternError(`unterminated character class in ${src}`);
  let body = atoms.map((a) => a.text).join('');
  if (caseInsensitive) {
    const extra: string[] = [];
    for (let k = 0; k < atoms.length; k++) {
      const a = atoms[k];
      const isRange = atoms[k + 1]?.literal === '-' && atoms[k + 2] !== undefined && k + 2 < atoms.length;
      if (isRange) {
        const lo = a.literal;
        const hi = atoms[k + 2].literal;
        if (isAsciiLetter(lo) && isAsciiLetter(hi)) {
          if ((lo === lo.toLowerCase()) !== (hi === hi.toLowerCase())) {
            throw new UnsupportedPatternError(`mixed-case range ${lo}-${hi} under (?i) in ${src}`);
          }
          extra.push(`${swapCase(lo)}-${swapCase(hi)}`);
        } else if (isAsciiLetter(lo) || isAsciiLetter(hi)) {
          throw new UnsupportedPatternError(`range ${lo}-${hi} under (?i) in ${src}`);
        }
        k += 2;
      } else if (isAsciiLetter(a.literal)) {
        extra.push(swapCase(a.literal));
      }
    }
    body += extra.join('');
  }
  return [`[${negated}${body}]`, j - i + 1];
}

/**
 * Translate a Go RE2 pattern (as used by Kubernetes CRD validation) into an equivalent JavaScript pattern
 * for `new RegExp(p, 'u')`. Rewrites (RE2 syntax: https://github.com/google/re2/wiki/Syntax):
 * - `\pX` / `\PX` -> `\p{X}` / `\P{X}` (Cilium uses `^\PC*$`); `\p{Greek}` -> `\p{Script=Greek}`;
 * - `(?i)` (to the end of the enclosing group) and `(?i:...)` -> explicit `[xX]` letters, since JS has no inline flags;
 * - `.` -> `[^\n]` (RE2 `.` excludes only `\n`; JS also excludes `\r`, U+2028, U+2029);
 * - `\s` / `\S` -> ASCII `[\t\n\f\r ]` / its negation (JS `\s` is Unicode-aware);
 * - `\A` -> `^`, `\z` -> `$`, `\x{...}` -> `\u{...}`, `(?P<n>` -> `(?<n>`, POSIX `[:alpha:]`-style classes.
 * Anything else RE2-only (`\Q...\E`, `\C`, other flags) throws {@link UnsupportedPatternError}.
 */
export function translateRe2Pattern(src: string): string {
  let out = '';
  let caseInsensitive = false;
  const groupStack: boolean[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      const [text, len] = translateEscape(src, i, false);
      out += text;
      i += len;
    } else if (c === '[') {
      const [text, len] = translateClass(src, i, caseInsensitive);
      out += text;
      i += len;
    } else if (c === '(') {
      const flags = /^\(\?([a-zA-Z-]*)([:)])/.exec(src.slice(i));
      if (flags && flags[1] !== '') {
        if (flags[1] !== 'i') throw new UnsupportedPatternError(`flags (?${flags[1]}) in ${src}`);
        if (flags[2] === ')') {
          caseInsensitive = true; // applies until the end of the current group
        } else {
          groupStack.push(caseInsensitive);
          caseInsensitive = true;
          out += '(?:';
        }
        i += flags[0].length;
      } else if (src.startsWith('(?P<', i)) {
        groupStack.push(caseInsensitive);
        out += '(?<';
        i += 4;
      } else {
        groupStack.push(caseInsensitive);
        out += '(';
        i++;
      }
    } else if (c === ')') {
      caseInsensitive = groupStack.pop() ?? false;
      out += ')';
      i++;
    } else if (c === '.') {
      out += '[^\\n]';
      i++;
    } else if (caseInsensitive && isAsciiLetter(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema normalization
// ---------------------------------------------------------------------------------------------------------------

const COMBINATORS = ['anyOf', 'oneOf', 'allOf'];

/** `[{type: 'integer'}, {type: 'string'}]` -> `['integer', 'string']` when every branch is only a distinct type. */
function typeOnlyBranches(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches) || branches.length < 2) return undefined;
  const types: string[] = [];
  for (const b of branches) {
    if (typeof b !== 'object' || b === null) return undefined;
    const keys = Object.keys(b).filter((k) => k !== 'description');
    if (keys.length !== 1 || keys[0] !== 'type' || typeof (b as any).type !== 'string') return undefined;
    types.push((b as any).type);
  }
  // integer is a subset of number: oneOf [integer, number] is not the same as type [integer, number].
  if (new Set(types).size !== types.length || (types.includes('integer') && types.includes('number'))) return undefined;
  return types;
}

/**
 * Normalize one loaded schema in place: translate RE2 patterns, turn type-only `anyOf`/`oneOf` (IntOrString,
 * Quantity, `x-kubernetes-int-or-string`) into a type list (same semantics, one clear error instead of three),
 * and close every object schema that declares `properties` unless it preserves unknown fields. Combinator
 * branches are not closed: in the Cilium CRDs they are `{properties: {x: {}}, required: [x]}` fragments.
 */
function normalizeSchema(node: any, isCombinatorBranch = false): void {
  if (Array.isArray(node)) {
    node.forEach((n) => normalizeSchema(n, isCombinatorBranch));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  if (typeof node.pattern === 'string') node.pattern = translateRe2Pattern(node.pattern);
  // OpenAPI 3.0's boolean exclusiveMinimum/-Maximum (Chaos Mesh's Schedule CRD) -> the JSON Schema number form ajv reads.
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']]) {
    if (typeof node[exclusive] !== 'boolean') continue;
    if (node[exclusive] && typeof node[bound] === 'number') {
      node[exclusive] = node[bound];
      delete node[bound];
    } else {
      delete node[exclusive];
    }
  }
  if (node.type === undefined) {
    for (const comb of ['anyOf', 'oneOf']) {
      const types = typeOnlyBranches(node[comb]);
      if (types) {
        node.type = types.sort();
        delete node[comb];
      }
    }
    if (node['x-kubernetes-int-or-string'] === true && node.anyOf === undefined && node.oneOf === undefined) {
      node.type = ['integer', 'string'];
    }
    if (node.format === 'int-or-string') {
      node.type = ['integer', 'string'];
      delete node.format;
    }
    // `nullable` without `type` is rejected by ajv; without a type, null is accepted anyway.
    if (node.nullable !== undefined && node.type === undefined) delete node.nullable;
  }
  const objectTyped = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  if (
    node.properties !== undefined &&
    node.additionalProperties === undefined &&
    node['x-kubernetes-preserve-unknown-fields'] !== true &&
    (objectTyped || (node.type === undefined && !isCombinatorBranch))
  ) {
    node.additionalProperties = false;
  }
  for (const key of ['properties', 'patternProperties', 'definitions']) {
    if (node[key] && typeof node[key] === 'object') {
      for (const child of Object.values(node[key])) normalizeSchema(child);
    }
  }
  if (node.patternProperties) {
    node.patternProperties = Object.fromEntries(
      Object.entries(node.patternProperties).map(([k, v]) => [translateRe2Pattern(k), v]),
    );
  }
  for (const key of ['items', 'additionalProperties', 'not', 'additionalItems']) {
    if (typeof node[key] === 'object') normalizeSchema(node[key]);
  }
  for (const comb of COMBINATORS) {
    if (Array.isArray(node[comb])) node[comb].forEach((b: any) => normalizeSchema(b, true));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Formats and Kubernetes name rules
// (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ and .../labels/#syntax-and-character-set)
// ---------------------------------------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUANTITY = /^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
/** Go `time.ParseDuration` syntax, which Kubernetes' `duration` format uses (not ISO 8601 like ajv-formats). */
const GO_DURATION = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;

function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** Label and annotation keys: optional DNS-subdomain prefix + `/` + a name of at most 63 characters. */
function isQualifiedName(s: string): boolean {
  const slash = s.indexOf('/');
  const name = slash < 0 ? s : s.slice(slash + 1);
  if (slash >= 0 && (slash === 0 || !isDns1123Subdomain(s.slice(0, slash)))) return false;
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

function isCidr(s: string): boolean {
  // Kubernetes' `cidr` format is Go net.ParseCIDR: host bits may be set, IPv4 needs four decimal octets.
  try {
    const [addr] = ipaddr.parseCIDR(s);
    return addr.kind() === 'ipv6' || ipaddr.IPv4.isValidFourPartDecimal(s.split('/')[0]);
  } catch {
    return false;
  }
}

function isIdnHostname(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => l.length <= 63 && /^[\p{L}\p{N}]([-\p{L}\p{N}]*[\p{L}\p{N}])?$/u.test(l));
}

function addKubernetesFormats(ajv: Ajv): void {
  // ajv-formats brings date-time, ipv4, ipv6, hostname, uri, byte (base64), int32/int64 (range-checked), float, double.
  addFormats(ajv);
  ajv.addFormat('duration', GO_DURATION); // overrides ajv-formats' ISO 8601 duration
  ajv.addFormat('cidr', isCidr);
  ajv.addFormat('idn-hostname', isIdnHostname);
  ajv.addFormat('int-or-string', true); // strings of an int-or-string are free-form (named ports, percentages)
  ajv.addFormat('k8s-quantity', QUANTITY);
  ajv.addFormat('k8s-dns1123-subdomain', isDns1123Subdomain);
  ajv.addFormat('k8s-dns1123-label', (s: string) => s.length <= 63 && DNS1123_LABEL.test(s));
  ajv.addFormat('k8s-dns1035-label', (s: string) => s.length <= 63 && DNS1035_LABEL.test(s));
  ajv.addFormat('k8s-path-segment', (s: string) => s !== '' && s !== '.' && s !== '..' && !/[/%]/.test(s));
  ajv.addFormat('k8s-qualified-name', isQualifiedName);
  ajv.addFormat('k8s-label-value', (s: string) => s === '' || (s.length <= 63 && QUALIFIED_NAME_PART.test(s)));
}

/**
 * Name rules the API server applies per kind; everything else (including every custom resource) is a
 * DNS-1123 subdomain. RBAC objects accept path-segment names such as `system:aggregate-to-view`.
 */
function nameFormat(apiVersion: string, kind: string): string {
  if (apiVersion === 'v1' && kind === 'Namespace') return 'k8s-dns1123-label';
  if (apiVersion === 'v1' && kind === 'Service') return 'k8s-dns1035-label';
  if (apiVersion.startsWith('rbac.authorization.k8s.io/')) return 'k8s-path-segment';
  return 'k8s-dns1123-subdomain';
}

/** Tighten ObjectMeta (used for objects and pod templates alike) with the API server's label/annotation rules. */
function tightenObjectMeta(meta: any): void {
  const props = meta.properties;
  props.namespace = { ...props.namespace, format: 'k8s-dns1123-label' };
  props.generateName = { ...props.generateName, pattern: '^[a-z0-9]([-a-z0-9.]*)$' };
  props.labels = {
    ...props.labels,
    propertyNames: { format: 'k8s-qualified-name' },
    additionalProperties: { type: 'string', format: 'k8s-label-value' },
  };
  props.annotations = { ...props.annotations, propertyNames: { format: 'k8s-qualified-name' } };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading and caching
// ---------------------------------------------------------------------------------------------------------------

/** Schema keywords of the Kubernetes OpenAPI dialect: annotations for ajv, no data constraint here. */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-group-version-kind', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
  'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-unions', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-validations',
];

interface Registry {
  readonly ajv: Ajv;
  /** `group/version/kind` -> definition name. */
  readonly gvkIndex: Map<string, string>;
}

/** One ajv instance per Kubernetes version (the definitions of each share names), loaded on first use. */
const registries = new Map<KubernetesVersion, Registry>();
/** `version apiVersion kind` -> validator; null when that version has no schema for the kind. */
const validatorCache = new Map<string, ValidateFunction | null>();

function loadRegistry(version: KubernetesVersion): Registry {
  const cached = registries.get(version);
  if (cached) return cached;
  const ajv = new Ajv({
    allErrors: true,
    // Schema strictness stays on (unknown keywords and unknown formats throw); only the schema-quality lint
    // checks are off, since upstream schemas fail them harmlessly. None of these options relaxes data validation.
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // Compile speed: the Cilium and Calico operator schemas are 0.4-1 MB. Without `verbose` and code optimization,
    // and without meta-schema validation of pinned upstream schemas (ajv still type-checks every keyword value),
    // the first CNP compile drops about 3x; validation itself stays in the microseconds.
    verbose: false,
    code: { optimize: false },
    validateSchema: false,
    unicodeRegExp: true,
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
  });
  ajv.addVocabulary(KUBERNETES_KEYWORDS);
  addKubernetesFormats(ajv);

  const definitions = JSON.parse(fs.readFileSync(definitionsFile(version), 'utf8')).definitions;
  const gvkIndex = new Map<string, string>();
  for (const [name, def] of Object.entries<any>(definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
      if (!gvkIndex.has(key)) gvkIndex.set(key, name);
    }
  }
  for (const def of Object.values(definitions)) normalizeSchema(def);
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].format = 'k8s-quantity';
  tightenObjectMeta(definitions[OBJECT_META]);
  ajv.addSchema({ $id: definitionsId(version), definitions });
  const registry = { ajv, gvkIndex };
  registries.set(version, registry);
  return registry;
}

/** The top-level metadata check added to every kind: `metadata.name` present and valid for the kind. */
function topLevelMetadataSchema(apiVersion: string, kind: string, withObjectMeta: boolean): object {
  const metadata: any = {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', format: nameFormat(apiVersion, kind) } },
  };
  return {
    type: 'object',
    required: ['metadata'],
    properties: { metadata: withObjectMeta ? { allOf: [{ $ref: OBJECT_META_REF }, metadata] } : metadata },
  };
}

/**
 * Canonical spellings of CRD kinds whose schema has no `kind` enum (datree-published schemas): kind lookup by
 * file name is case-insensitive, but the API server is not. Collected from the `kind:` lines of the pinned CRD
 * YAML plus the kinds whose CRDs are not pinned (cert-manager, Prometheus operator, parts of Flux/Argo/Cilium/Linkerd).
 */
const EXTRA_CRD_KINDS = [
  'Alertmanager', 'AlertmanagerConfig', 'ApplicationSet', 'AppProject', 'Bucket', 'Certificate', 'CertificateRequest',
  'Challenge', 'CiliumBGPNodeConfig', 'CiliumBGPNodeConfigOverride', 'CiliumBGPPeeringPolicy', 'CiliumEndpoint',
  'CiliumEndpointSlice', 'CiliumExternalWorkload', 'CiliumIdentity', 'CiliumNode', 'ClusterIssuer', 'EgressNetwork',
  'ExternalArtifact', 'GitRepository', 'HelmChart', 'HTTPLocalRateLimitPolicy', 'Issuer', 'Order', 'PodMonitor', 'Probe',
  'Prometheus', 'PrometheusAgent', 'PrometheusRule', 'ScrapeConfig', 'ServerAuthorization', 'ServiceMonitor', 'ThanosRuler',
];
let canonicalKinds: Map<string, string> | undefined;

function canonicalKind(kind: string): string | undefined {
  if (!canonicalKinds) {
    canonicalKinds = new Map(EXTRA_CRD_KINDS.map((k) => [k.toLowerCase(), k]));
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {walk(full);} else if (entry.name.endsWith('.yaml')) {
          for (const m of fs.readFileSync(full, 'utf8').matchAll(/^\s+kind: ([A-Z][A-Za-z0-9]*)\s*$/gm)) {
            canonicalKinds!.set(m[1].toLowerCase(), m[1]);
          }
        }
      }
    };
    walk(CRD_YAML_DIR);
  }
  return canonicalKinds.get(kind.toLowerCase());
}

/**
 * Pin `apiVersion` and `kind` of a CRD schema to exact values: the Linkerd schemas omit both (one misspells
 * `apiVerson`), the datree ones have no enums, and closing the top level would otherwise reject them.
 */
function pinTypeMeta(schema: any, apiVersion: string, kind: string): void {
  const expectedKind = schema.properties?.kind?.enum?.[0] ?? canonicalKind(kind) ?? kind;
  schema.properties = schema.properties ?? {};
  delete schema.properties.apiVerson;
  schema.properties.apiVersion = { type: 'string', enum: [apiVersion] };
  schema.properties.kind = { type: 'string', enum: [expectedKind] };
  schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The definition name of a core kind in one Kubernetes version, if that version serves it. */
function coreDefinition(k8sVersion: KubernetesVersion, apiVersion: string, kind: string): string | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return loadRegistry(k8sVersion).gvkIndex.get(`${group}/${version}/${kind}`);
}

/** Is this a core kind, i.e. served by at least one of the pinned Kubernetes versions? */
function isCoreKind(apiVersion: string, kind: string): boolean {
  return KUBERNETES_VERSIONS.some((v) => coreDefinition(v, apiVersion, kind) !== undefined);
}

function compileCoreValidator(k8sVersion: KubernetesVersion, apiVersion: string, kind: string): ValidateFunction | null {
  const defName = coreDefinition(k8sVersion, apiVersion, kind);
  if (defName === undefined) return null;
  return loadRegistry(k8sVersion).ajv.compile({
    allOf: [{ $ref: `${definitionsId(k8sVersion)}#/definitions/${defName}` }, topLevelMetadataSchema(apiVersion, kind, false)],
  });
}

function compileCrdValidator(apiVersion: string, kind: string): ValidateFunction | null {
  const { group, version } = splitApiVersion(apiVersion);
  if (group === '' || /[/\\]|\.\./.test(group + kind + version)) return null;
  const file = path.join(CRD_SCHEMA_DIR, group, `${kind.toLowerCase()}_${version}.json`);
  const fromCrd = group === CHAOS_MESH_GROUP ? chaosMeshSchema(kind, version) : undefined;
  if (fromCrd === null || (fromCrd === undefined && !fs.existsSync(file))) return null;
  const schema = fromCrd ?? JSON.parse(fs.readFileSync(file, 'utf8'));
  delete schema.$schema;
  normalizeSchema(schema);
  pinTypeMeta(schema, apiVersion, kind);
  const extra = group === GATEWAY_API_GROUP ? [standardChannelSchema(kind, version)] : [];
  celSchemaCache.set(`${apiVersion} ${kind}`, [schema, ...extra]);
  // Custom resources share the primary version's ajv, whose ObjectMeta checks their metadata.
  return loadRegistry(PRIMARY_VERSION).ajv.compile({ allOf: [schema, topLevelMetadataSchema(apiVersion, kind, true), ...extra] });
}

/**
 * `apiVersion kind` -> the schemas whose CEL rules a custom resource must satisfy: its pinned JSON schema and, for
 * the Gateway API, the standard-channel CRD (their rules mostly coincide; findings are deduplicated).
 */
const celSchemaCache = new Map<string, object[]>();

/** The schemas holding the CEL rules of a custom resource kind (loaded with its validator); `[]` for core kinds. */
export function celSchemasOf(apiVersion: string, kind: string): object[] {
  validatorFor('crd', apiVersion, kind);
  return celSchemaCache.get(`${apiVersion} ${kind}`) ?? [];
}

const CHAOS_MESH_GROUP = 'chaos-mesh.org';
/** The pinned Chaos Mesh CRDs (schemas/ has no chaos-mesh.org folder: the objects are checked against the CRDs themselves). */
const CHAOS_MESH_CRD_DIR = path.join(CRD_YAML_DIR, 'chaos-mesh/v2.8.3');

/**
 * The openAPIV3Schema of a served version of a pinned Chaos Mesh CRD (`chaos-mesh.org_<plural>.yaml`; the plural is
 * the lower-case kind, with an `s` for the kinds whose plural has one, e.g. `schedules`), a copy without `status`
 * (never emitted); null when no pinned CRD defines the kind (a kind without a schema is an error). Parsed per
 * compile, and every validator is cached: the Schedule CRD (850 KB, every chaos kind embedded) is loaded once.
 */
function chaosMeshSchema(kind: string, version: string): object | null {
  for (const plural of [kind.toLowerCase(), `${kind.toLowerCase()}s`]) {
    const file = path.join(CHAOS_MESH_CRD_DIR, `${CHAOS_MESH_GROUP}_${plural}.yaml`);
    if (!fs.existsSync(file)) continue;
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const crd = doc.toJSON();
      if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.names?.kind !== kind) continue;
      const served = (crd.spec.versions ?? []).find((v: any) => v.name === version && v.served);
      if (!served) return null;
      const schema = served.schema.openAPIV3Schema;
      delete schema.properties?.status;
      return schema;
    }
  }
  return null;
}

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** The Gateway API standard channel this library emits for (the JSON schemas in schemas/ also hold experimental fields). */
const GATEWAY_API_STANDARD_DIR = path.join(CRD_YAML_DIR, 'gateway-api/v1.4.1/standard');

/**
 * Gateway API objects must also fit the standard-channel CRD of v1.4.1 (closed like the others): the
 * pinned JSON schemas were generated from the experimental channel, whose extra fields (rule `retry`,
 * `sessionPersistence`, CORS filters, ...) standard-channel clusters reject. A kind or version the
 * standard channel does not serve is an error.
 */
function standardChannelSchema(kind: string, version: string): object {
  for (const file of fs.readdirSync(GATEWAY_API_STANDARD_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(GATEWAY_API_STANDARD_DIR, file), 'utf8'))) {
      const crd = doc.toJSON();
      if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.names?.kind !== kind) continue;
      const served = (crd.spec.versions ?? []).find((v: any) => v.name === version && v.served);
      if (!served) return notStandard(`${kind} ${version} (not served by the Gateway API v1.4.1 standard channel)`);
      const schema = JSON.parse(JSON.stringify(served.schema.openAPIV3Schema));
      // apiVersion/kind/metadata are checked by the other branches; status is never emitted.
      delete schema.properties.status;
      normalizeSchema(schema);
      return schema;
    }
  }
  return notStandard(`${kind} (not in the Gateway API v1.4.1 standard channel)`);
}

/** A schema every object fails, with the reason in the error ("kind: must be one of <reason>"). */
function notStandard(reason: string): object {
  return { properties: { kind: { enum: [reason] } } };
}

/** The validator of a kind: `k8sVersion` for core kinds, `'crd'` for custom resources. */
function validatorFor(k8sVersion: KubernetesVersion | 'crd', apiVersion: string, kind: string): ValidateFunction | null {
  const key = `${k8sVersion} ${apiVersion} ${kind}`;
  let v = validatorCache.get(key);
  if (v === undefined) {
    v = k8sVersion === 'crd' ? compileCrdValidator(apiVersion, kind) : compileCoreValidator(k8sVersion, apiVersion, kind);
    validatorCache.set(key, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// Error reporting
// ---------------------------------------------------------------------------------------------------------------

function describeObject(obj: any, index: number): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : '<no kind>';
  const name = typeof obj?.metadata?.name === 'string' ? obj.metadata.name : `<unnamed #${index}>`;
  const ns = obj?.metadata?.namespace;
  return typeof ns === 'string' ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}

/** JSON pointer -> `spec.ingress[0].from[1]["kubernetes.io/metadata.name"]`, using the data to tell indexes from keys. */
function toPath(pointer: string, root: unknown, extra?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  let out = '';
  let cursor: any = root;
  for (const seg of segments) {
    if (Array.isArray(cursor)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
    cursor = cursor?.[seg];
  }
  return out;
}

/** The value at a JSON pointer (ajv's `instancePath`) inside `root`. */
function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cursor: any = root;
  for (const seg of pointer.slice(1).split('/')) cursor = cursor?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cursor;
}

function shortValue(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeError(e: ErrorObject, root: unknown): string {
  const got = () => shortValue(valueAt(root, e.instancePath));
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${e.params.additionalProperty}"`;
    case 'required':
      return `missing required field "${e.params.missingProperty}"`;
    case 'enum':
      return `must be one of ${e.params.allowedValues.map((x: unknown) => JSON.stringify(x)).join(', ')}, `
        + `got ${got()}`;
    case 'type':
      return `must be ${String(e.params.type).split(',').join(' or ')}, got ${got()}`;
    case 'format':
    case 'pattern':
    case 'minimum':
    case 'maximum':
    case 'const':
    case 'maxLength':
    case 'minLength':
      return `${e.message}, got ${got()}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * Turn ajv errors into findings. A failed `anyOf`/`oneOf` becomes one finding that lists, per branch, what that
 * branch wanted, instead of a flood of branch errors that each look fatal on their own.
 */
function toFindings(object: string, errors: ErrorObject[], data: unknown): ManifestValidationError[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const isBranchError = (e: ErrorObject) => combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`));
  const findings: ManifestValidationError[] = [];
  const seen = new Set<string>();
  const push = (p: string, message: string) => {
    const key = `${p}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      findings.push({ object, path: p, message });
    }
  };
  for (const e of errors) {
    if (isBranchError(e)) continue;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      if (e.keyword === 'oneOf' && e.params.passingSchemas) {
        push(toPath(e.instancePath, data), `must match exactly one alternative, but matched ${e.params.passingSchemas.length}`);
        continue;
      }
      const byBranch = new Map<string, string[]>();
      const base = toPath(e.instancePath, data);
      for (const b of errors.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/`))) {
        const branch = b.schemaPath.slice(e.schemaPath.length + 1).split('/')[0];
        const full = toPath(b.instancePath, data, b.keyword === 'additionalProperties' ? b.params.additionalProperty : undefined);
        const rel = full.slice(base.length).replace(/^\./, '');
        const list = byBranch.get(branch) ?? [];
        list.push(rel ? `${rel}: ${describeError(b, data)}` : describeError(b, data));
        byBranch.set(branch, list);
      }
      const alternatives = [...byBranch.values()].map((l) => `(${[...new Set(l)].join('; ')})`).join(' or ');
      push(toPath(e.instancePath, data), `must match ${e.keyword === 'anyOf' ? 'at least' : 'exactly'} one of: ${alternatives}`);
      continue;
    }
    const extra = e.keyword === 'additionalProperties' ? e.params.additionalProperty
      : e.keyword === 'required' ? e.params.missingProperty : undefined;
    push(toPath(e.instancePath, data, extra), describeError(e, data));
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------

/**
 * API versions a schema exists for in ../shared/schemas but that must never be emitted
 * (NETWORKING-FACTS.md, API versions to emit): `helm.toolkit.fluxcd.io/v1` is the retired Flux v1
 * helm-operator's HelmRelease, a different object that its schema would happily accept.
 */
const NEVER_EMIT: Record<string, string> = {
  'helm.toolkit.fluxcd.io/v1': 'the retired Flux v1 helm-operator API; emit helm.toolkit.fluxcd.io/v2',
  'helm.toolkit.fluxcd.io/v2beta1': 'removed in Flux 2.7; emit helm.toolkit.fluxcd.io/v2',
  'helm.toolkit.fluxcd.io/v2beta2': 'deprecated; emit helm.toolkit.fluxcd.io/v2',
  'source.toolkit.fluxcd.io/v1beta1': 'deprecated; emit source.toolkit.fluxcd.io/v1',
  'source.toolkit.fluxcd.io/v1beta2': 'deprecated; emit source.toolkit.fluxcd.io/v1',
  'crd.projectcalico.org/v1': 'Calico\'s internal storage API; emit projectcalico.org/v3',
};

/** Validate manifests strictly against the pinned schemas; returns every problem found, `[]` when all are valid. */
export function validateManifests(objects: any[]): ManifestValidationError[] {
  const findings: ManifestValidationError[] = [];
  objects.forEach((obj, index) => {
    const object = describeObject(obj, index);
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      findings.push({ object, path: '', message: `not an object: ${shortValue(obj)}` });
      return;
    }
    const { apiVersion, kind } = obj;
    if (typeof apiVersion !== 'string' || apiVersion === '' || typeof kind !== 'string' || kind === '') {
      findings.push({ object, path: '', message: 'apiVersion and kind must be non-empty strings' });
      return;
    }
    if (NEVER_EMIT[apiVersion] !== undefined) {
      findings.push({ object, path: 'apiVersion', message: `${apiVersion}: ${NEVER_EMIT[apiVersion]}` });
      return;
    }
    findings.push(...(isCoreKind(apiVersion, kind) ? validateCore(obj, object) : validateCrd(obj, object)));
  });
  return findings;
}

/** Findings of one validator, sorted by path (ajv's order follows schema keyword order, which reads badly). */
function run(validate: ValidateFunction, obj: any, object: string): ManifestValidationError[] {
  if (validate(obj)) return [];
  return toFindings(object, validate.errors ?? [], obj)
    .sort((a, b) => (a.path === b.path ? a.message.localeCompare(b.message) : a.path < b.path ? -1 : 1));
}

/**
 * A core object: against the primary version first (findings as they are), then, when it is valid there, against
 * each later version, whose findings and missing kinds name the version.
 */
function validateCore(obj: any, object: string): ManifestValidationError[] {
  const { apiVersion, kind } = obj;
  const primary = validatorFor(PRIMARY_VERSION, apiVersion, kind);
  if (!primary) return [{ object, path: '', message: `Kubernetes ${PRIMARY_VERSION} does not serve ${apiVersion} ${kind}` }];
  const findings = run(primary, obj, object);
  if (findings.length > 0) return findings;
  for (const version of KUBERNETES_VERSIONS.slice(1)) {
    const validate = validatorFor(version, apiVersion, kind);
    if (!validate) {
      findings.push({ object, path: '', message: `Kubernetes ${version} does not serve ${apiVersion} ${kind}` });
      continue;
    }
    findings.push(...run(validate, obj, object).map((f) => ({ ...f, message: `Kubernetes ${version}: ${f.message}` })));
  }
  return findings;
}

/**
 * A custom resource: its schema(s), then, when it is valid there (so every value has its schema's type), the CEL
 * rules of those schemas (see ./cel.ts).
 */
function validateCrd(obj: any, object: string): ManifestValidationError[] {
  const validate = validatorFor('crd', obj.apiVersion, obj.kind);
  if (!validate) return [{ object, path: '', message: `no schema for ${obj.apiVersion} ${obj.kind}` }];
  const findings = run(validate, obj, object);
  if (findings.length > 0) return findings;
  const seen = new Set<string>();
  for (const schema of celSchemasOf(obj.apiVersion, obj.kind)) {
    for (const f of checkCelRules(schema, obj)) {
      const key = `${f.path}\u0000${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ object, ...f });
    }
  }
  return findings.sort((a, b) => (a.path === b.path ? a.message.localeCompare(b.message) : a.path < b.path ? -1 : 1));
}

/** Throw one Error listing every problem (object, path, message) when any manifest is invalid. */
export function expectValidManifests(objects: any[]): void {
  const findings = validateManifests(objects);
  if (findings.length === 0) return;
  const lines = findings.map((f) => `  ${f.object}: ${f.path === '' ? '(object)' : f.path}: ${f.message}`);
  throw new Error(`${findings.length} manifest validation error(s):\n${lines.join('\n')}`);
}

/** `Testing.synth(chart)`, after checking every synthesized object with {@link expectValidManifests}. */
export function synthAndValidate(chart: Chart): any[] {
  const manifests = Testing.synth(chart);
  expectValidManifests(manifests);
  return manifests;
}
