/**
 * Test-only checker of the CEL rules (`x-kubernetes-validations`) of the pinned CRD schemas, evaluated as the API
 * server does on create (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules):
 *
 * - Schema defaults are applied first (the API server defaults on decode, before validation).
 * - Each rule is evaluated where its schema sits, with `self` bound to the value there: rules on an array schema see
 *   the list, rules on its `items` each item, rules on `additionalProperties` each map value. A rule on an absent or
 *   null value is not evaluated.
 * - Values are typed by the schema, as Kubernetes types them: `integer` (and int-or-string numbers) are CEL `int`,
 *   `number` is `double`; property names are escaped (`namespace` -> `__namespace__`, `-` -> `__dash__`, ...,
 *   kubernetes staging/src/k8s.io/apiserver/pkg/cel/escaping.go); of the root `metadata` only `name` and
 *   `generateName` are visible.
 * - Transition rules (any rule mentioning `oldSelf`) are skipped: a create has no old object.
 * - A rule that is false is a finding with the rule's `message` (else `failed rule: <rule>`, as the API server words
 *   it); an evaluation error is a finding too (the API server rejects then as well).
 * - A rule that does not parse, or calls a function this checker does not provide (see ./cel-k8s-library.ts), is
 *   never passed silently: it is listed by {@link celRulesNotChecked}, which a test pins per kind.
 */
import { CelResult, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { KUBERNETES_CEL_FUNCS } from './cel-k8s-library';

/** One failed rule. */
export interface CelFinding {
  /** Where the rule sits, e.g. `spec.rules[0].matches[0].path`; empty for the object itself. */
  readonly path: string;
  readonly message: string;
}

/** A rule that is not evaluated, and why. */
export interface UncheckedCelRule {
  readonly rule: string;
  readonly reason: string;
}

const ENV = celEnv({ funcs: [...strings, ...KUBERNETES_CEL_FUNCS] });
/** Operators and macros the parser emits that are not in the function registry but that the planner evaluates. */
const BUILTIN_CALLS = ['_&&_', '_||_', '_?_:_', '@not_strictly_false', '_[_]', '!_', '@in'];
const KNOWN_FUNCTIONS = new Set([...[...ENV.funcs].map((f) => f.name), ...BUILTIN_CALLS]);

type Program = (bindings: { self: unknown }) => CelResult;
type Compiled = { readonly program: Program } | { readonly unsupported: string } | { readonly transition: true };

/** Rule text -> compiled program (or why it is not checked); each rule is compiled once per process. */
const compiled = new Map<string, Compiled>();

function callNames(node: unknown, out: Set<string>): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as any;
  if (n.$typeName === 'cel.expr.Expr' && n.exprKind?.case === 'callExpr') out.add(n.exprKind.value.function);
  for (const [k, v] of Object.entries(n)) {
    if (k === '$typeName') continue;
    if (Array.isArray(v)) v.forEach((x) => callNames(x, out));
    else callNames(v, out);
  }
}

/** Compile a rule once: transition rules are skipped, unknown functions and parse errors make it not checked. */
export function compileCelRule(rule: string): Compiled {
  let c = compiled.get(rule);
  if (c !== undefined) return c;
  if (/\boldSelf\b/.test(rule)) {
    c = { transition: true };
  } else {
    try {
      const parsed = parse(rule);
      const calls = new Set<string>();
      callNames(parsed.expr, calls);
      const missing = [...calls].filter((f) => !KNOWN_FUNCTIONS.has(f)).sort();
      c = missing.length > 0
        ? { unsupported: `function(s) not provided by the test CEL environment: ${missing.join(', ')}` }
        : { program: plan(ENV, parsed) as unknown as Program };
    } catch (e) {
      c = { unsupported: `does not parse: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  compiled.set(rule, c);
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema walking
// ---------------------------------------------------------------------------------------------------------------

const subtreeHasRules = new WeakMap<object, boolean>();

function childSchemas(schema: any): any[] {
  const out: any[] = [];
  for (const p of Object.values(schema.properties ?? {})) out.push(p);
  if (typeof schema.items === 'object' && schema.items !== null) out.push(schema.items);
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) out.push(schema.additionalProperties);
  return out;
}

function hasRules(schema: any): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  let v = subtreeHasRules.get(schema);
  if (v === undefined) {
    v = Array.isArray(schema['x-kubernetes-validations']) || childSchemas(schema).some(hasRules);
    subtreeHasRules.set(schema, v);
  }
  return v;
}

/** Every rule in a schema, with the schema path where it sits (for {@link celRulesNotChecked}). */
function* allRules(schema: any, where: string): Generator<{ rule: any; where: string }> {
  if (typeof schema !== 'object' || schema === null) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) yield { rule, where };
  for (const [k, p] of Object.entries(schema.properties ?? {})) yield* allRules(p, `${where}.${k}`);
  if (typeof schema.items === 'object') yield* allRules(schema.items, `${where}[*]`);
  if (typeof schema.additionalProperties === 'object') yield* allRules(schema.additionalProperties, `${where}[*]`);
  for (const comb of ['allOf', 'anyOf', 'oneOf', 'not']) {
    const branches = schema[comb] === undefined ? [] : [].concat(schema[comb]);
    for (const b of branches) {
      for (const r of allRules(b, where)) yield { ...r, where: `${r.where} (inside ${comb}: not evaluated)` };
    }
  }
}

/** What the checker does with the rules of one schema (distinct rule texts, sorted). */
export interface CelRuleInventory {
  /** Rules evaluated on every object. */
  readonly checked: string[];
  /** Transition rules (mentioning `oldSelf`), skipped by design: a create has no old object. */
  readonly transition: string[];
  /** Rules not evaluated, with the reason: never passed silently, pinned by a test. */
  readonly notChecked: UncheckedCelRule[];
}

/** Sort every rule of a schema into checked, transition (skipped) and not checked. */
export function celRuleInventory(schema: object): CelRuleInventory {
  const checked = new Set<string>();
  const transition = new Set<string>();
  const notChecked = new Map<string, string>();
  for (const { rule, where } of allRules(schema, '')) {
    const c = compileCelRule(rule.rule);
    if (where.includes('not evaluated')) notChecked.set(rule.rule, 'inside a schema combinator');
    else if ('unsupported' in c) notChecked.set(rule.rule, c.unsupported);
    else if ('transition' in c) transition.add(rule.rule);
    else checked.add(rule.rule);
  }
  const sorted = (xs: Iterable<string>) => [...xs].sort();
  return {
    checked: sorted(checked),
    transition: sorted(transition),
    notChecked: sorted(notChecked.keys()).map((rule) => ({ rule, reason: notChecked.get(rule)! })),
  };
}

/** The rules of a schema this checker does not evaluate (transition rules excluded: those are skipped by design). */
export function celRulesNotChecked(schema: object): UncheckedCelRule[] {
  return celRuleInventory(schema).notChecked;
}

function typeIncludes(schema: any, t: string): boolean {
  return schema.type === t || (Array.isArray(schema.type) && schema.type.includes(t));
}

/** The API server's defaulting: absent properties with a `default` get a copy of it, recursively. */
function withDefaults(schema: any, value: any): any {
  if (typeof schema !== 'object' || schema === null || value === null || value === undefined) return value;
  if (Array.isArray(value)) {
    return typeof schema.items === 'object' ? value.map((v) => withDefaults(schema.items, v)) : value;
  }
  if (typeof value !== 'object') return value;
  const out: any = { ...value };
  const props = schema.properties ?? {};
  for (const [k, p] of Object.entries<any>(props)) {
    if (out[k] === undefined && p?.default !== undefined) out[k] = JSON.parse(JSON.stringify(p.default));
  }
  for (const k of Object.keys(out)) {
    const child = props[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (child) out[k] = withDefaults(child, out[k]);
  }
  return out;
}

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function',
  'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** Kubernetes' escaping of property names for CEL (escaping.go); undefined when a name cannot be accessed. */
export function escapeCelProperty(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z0-9_./-]*$/.test(name)) return undefined;
  return name.replace(/__|[./-]/g, (s) => ({ '__': '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' } as any)[s]);
}

/** A JSON value as the CEL value Kubernetes binds, typed by its schema. */
function toCel(schema: any, value: any, root = false): unknown {
  if (value === null || value === undefined) return null;
  const s = typeof schema === 'object' && schema !== null ? schema : {};
  if (Array.isArray(value)) return value.map((v) => toCel(s.items, v));
  if (typeof value === 'number') {
    const integral = typeIncludes(s, 'integer') || (s.type === undefined && !typeIncludes(s, 'number'));
    return integral && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const props = s.properties ?? {};
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const [k, v] of Object.entries(value)) {
    if (root && k === 'metadata') {
      const meta = v as any;
      out.metadata = Object.fromEntries(['name', 'generateName'].filter((f) => meta?.[f] !== undefined).map((f) => [f, meta[f]]));
      continue;
    }
    if (props[k] !== undefined) {
      const key = escapeCelProperty(k);
      if (key !== undefined) out[key] = toCel(props[k], v);
    } else {
      out[k] = toCel(additional, v); // map entries (and unknown fields of preserve-unknown objects) keep their keys
    }
  }
  return out;
}

function segment(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function evaluate(schema: any, value: any, path: string, root: boolean, findings: CelFinding[]): void {
  const rules: any[] = schema['x-kubernetes-validations'] ?? [];
  if (rules.length === 0) return;
  const self = toCel(schema, value, root);
  for (const r of rules) {
    const c = compileCelRule(r.rule);
    if (!('program' in c)) continue; // transition rules are skipped; unsupported ones are listed by celRulesNotChecked
    const at = typeof r.fieldPath === 'string' ? `${path}${r.fieldPath}`.replace(/^\./, '') : path;
    let result: CelResult;
    try {
      result = c.program({ self });
    } catch (e) {
      result = e as any;
    }
    if (result === true) continue;
    if (isCelError(result) || result instanceof Error) {
      findings.push({ path: at, message: `CEL rule evaluation error (${(result as Error).message}): ${r.rule}` });
    } else if (result === false) {
      findings.push({ path: at, message: r.message ?? r.messageExpression ?? `failed rule: ${r.rule}` });
    } else {
      findings.push({ path: at, message: `CEL rule did not return a bool: ${r.rule}` });
    }
  }
}

function walk(schema: any, value: any, path: string, root: boolean, findings: CelFinding[]): void {
  if (value === undefined || value === null || !hasRules(schema)) return;
  evaluate(schema, value, path, root, findings);
  if (Array.isArray(value)) {
    if (typeof schema.items === 'object') value.forEach((v, i) => walk(schema.items, v, segment(path, i), false, findings));
    return;
  }
  if (typeof value !== 'object') return;
  const props = schema.properties ?? {};
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [k, v] of Object.entries(value)) {
    const child = props[k] ?? additional;
    if (child) walk(child, v, segment(path, k), false, findings);
  }
}

/** Evaluate every CEL rule of `schema` (a CRD's openAPIV3Schema) on `obj`; `[]` when all hold. */
export function checkCelRules(schema: object, obj: unknown): CelFinding[] {
  if (!hasRules(schema)) return [];
  const findings: CelFinding[] = [];
  walk(schema, withDefaults(schema, obj), '', true, findings);
  return findings;
}
