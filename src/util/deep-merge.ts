import { isPlainObject } from './vocabulary';

/**
 * Merge `override` into `base` the way Helm merges values files: objects merge key by key, anything
 * else (scalars, arrays) in `override` replaces what `base` has. Neither input is modified; keys
 * are sorted so the result is deterministic.
 */
export function deepMerge(base: Record<string, any>, override: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const key of [...new Set([...Object.keys(base), ...Object.keys(override)])].sort()) {
    const b = base[key];
    const o = override[key];
    if (o === undefined) out[key] = clone(b);
    else if (isPlainObject(b) && isPlainObject(o)) out[key] = deepMerge(b, o);
    else out[key] = clone(o);
  }
  return out;
}

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clone(v)) as unknown as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
  return value;
}

/** Does `obj` set the dotted path (`a.b.c`)? */
export function hasPath(obj: unknown, dotted: string): boolean {
  let cursor: any = obj;
  for (const key of dotted.split('.')) {
    if (!isPlainObject(cursor) || !(key in cursor) || cursor[key] === undefined) return false;
    cursor = cursor[key];
  }
  return true;
}

/** The value at the dotted path (`a.b.c`) of `obj`; undefined where a step is not a plain object. */
export function valueAtPath(obj: unknown, dotted: string): any {
  let cursor: any = obj;
  for (const key of dotted.split('.')) {
    if (!isPlainObject(cursor)) return undefined;
    cursor = cursor[key];
  }
  return cursor;
}
