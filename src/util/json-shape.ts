/**
 * A structural check of JSON against the shape of a CRD's OpenAPI schema (types, enums, fields,
 * required fields, ranges, int-or-string), for escape hatches typed by the generated imports/ classes:
 * their `toJson_*` converters copy any value through, so a plain-JS, Python or JSON caller's
 * `{ registry: 5 }` or `{ ipPools: 'x' }` would reach the manifest (or crash the converter). The
 * check also converts: struct names to the schema's (they differ only in case, e.g.
 * `containerIpForwarding` / `containerIPForwarding`) and the generated int-or-string classes
 * (`X.fromNumber(1)`) to their value. Internal.
 */
import { describeValue, isPlainObject, MAX_INT32, UNSERIALIZABLE_KEYS } from './guards';

/** The subset of an OpenAPI v3 schema the check reads. Numbers are indexes into the shape's definitions. */
export interface JsonShape {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly enum?: readonly unknown[];
  readonly properties?: { readonly [key: string]: JsonShape | number };
  readonly required?: readonly string[];
  readonly items?: JsonShape | number;
  /** A map's values (a shape), any JSON (`true`), or no other keys (absent or `false`). */
  readonly additionalProperties?: JsonShape | number | boolean;
  /** `x-kubernetes-int-or-string`. */
  readonly intOrString?: boolean;
  /** `int32` / `int64` for integers. */
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly nullable?: boolean;
}

/** A value that does not fit the shape, at `path` (dotted, with `[i]` indexes, as the caller wrote it). */
export class JsonShapeError extends Error {
  constructor(public readonly path: string, public readonly reason: string) {
    super(`${path}: ${reason}`);
  }
}

/**
 * Check `value` against `shape` and return it in wire form (schema field names, int-or-string class
 * instances replaced by their value, undefined fields dropped); throws a JsonShapeError at the first
 * problem.
 */
export function toWireByShape(value: unknown, shape: JsonShape | number, defs: readonly JsonShape[], path: string): unknown {
  const s = typeof shape === 'number' ? defs[shape] : shape;
  const fail = (reason: string): never => {
    throw new JsonShapeError(path, reason);
  };
  if (value === null) {
    if (s.nullable) return null;
    fail('must not be null (omit the field instead)');
  }
  if (s.intOrString) {
    const v = isPlainObject(value) || value === null || typeof value !== 'object' ? value : (value as { value?: unknown }).value;
    if (!(typeof v === 'string' || Number.isInteger(v))) fail(`must be an integer or a string, got ${describeValue(value)}`);
    return v;
  }
  if (s.enum !== undefined && !s.enum.includes(value)) {
    const list = s.enum.map((e) => `'${String(e)}'`);
    fail(`${JSON.stringify(value) ?? describeValue(value)} must be ${list.length === 2 ? list.join(' or ') : `one of ${list.join(', ')}`}`);
  }
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') fail(`must be a string, got ${describeValue(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`must be true or false, got ${describeValue(value)}`);
      return value;
    case 'integer': {
      const [min, max] = s.format === 'int32' ? [-MAX_INT32 - 1, MAX_INT32] : [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(`must be an integer${s.format === 'int32' ? ' (int32)' : ''}, got ${describeValue(value)}`);
      return inRange(value as number, s, fail);
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`must be a finite number, got ${describeValue(value)}`);
      return inRange(value as number, s, fail);
    case 'array': {
      if (!Array.isArray(value)) fail(`must be a list, got ${describeValue(value)}`);
      const list = value as unknown[];
      if (s.minItems !== undefined && list.length < s.minItems) fail(`must have at least ${s.minItems} item(s)`);
      if (s.maxItems !== undefined && list.length > s.maxItems) fail(`must have at most ${s.maxItems} items`);
      return list.map((item, i) => (s.items === undefined ? toJson(item, `${path}[${i}]`) : toWireByShape(item, s.items, defs, `${path}[${i}]`)));
    }
    case 'object':
      return objectToWire(value, s, defs, path, fail);
    default:
      return toJson(value, path);
  }
}

function inRange(value: number, s: JsonShape, fail: (reason: string) => never): number {
  if (s.minimum !== undefined && value < s.minimum) fail(`must be at least ${s.minimum}, got ${value}`);
  if (s.maximum !== undefined && value > s.maximum) fail(`must be at most ${s.maximum}, got ${value}`);
  return value;
}

function objectToWire(
  value: unknown, s: JsonShape, defs: readonly JsonShape[], path: string, fail: (reason: string) => never,
): Record<string, unknown> {
  if (!isPlainObject(value)) fail(`must be an object, got ${describeValue(value)}`);
  const given = value as Record<string, unknown>;
  const fields = Object.keys(s.properties ?? {});
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    const at = `${path}.${key}`;
    if (UNSERIALIZABLE_KEYS.includes(key)) {
      throw new JsonShapeError(at, `the key '${key}' cannot be used: JavaScript objects and cdk8s treat it specially`);
    }
    if (given[key] === undefined) continue;
    const field = fields.find((f) => f === key) ?? fields.find((f) => f.toLowerCase() === key.toLowerCase());
    if (field !== undefined) {
      if (field in out) throw new JsonShapeError(at, `sets '${field}' a second time (field names differ only in case)`);
      out[field] = toWireByShape(given[key], s.properties![field], defs, at);
    } else if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
      out[key] = s.additionalProperties === true ? toJson(given[key], at) : toWireByShape(given[key], s.additionalProperties, defs, at);
    } else {
      throw new JsonShapeError(at, 'is not a field of the pinned CRD schema (misspelled, or from another version?)');
    }
  }
  for (const field of s.required ?? []) {
    if (out[field] === undefined) throw new JsonShapeError(`${path}.${field}`, 'is required');
  }
  return out;
}

/**
 * Any JSON value (a schema without a type): null, booleans, strings, finite numbers, lists and plain
 * maps of those, without the keys JavaScript objects and cdk8s treat specially. Returns a copy.
 */
export function toJson(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new JsonShapeError(path, `must be a finite number, got ${describeValue(value)}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJson(v, `${path}[${i}]`));
  if (!isPlainObject(value)) throw new JsonShapeError(path, `must be JSON (null, a boolean, string, number, list or map), got ${describeValue(value)}`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (UNSERIALIZABLE_KEYS.includes(key)) {
      throw new JsonShapeError(`${path}.${key}`, `the key '${key}' cannot be used: JavaScript objects and cdk8s treat it specially`);
    }
    if (value[key] !== undefined) out[key] = toJson(value[key], `${path}.${key}`);
  }
  return out;
}
