import { IConstruct } from 'constructs';
import { isPlainObject } from '../util/deep-merge';
import { propError } from '../util/errors';

/**
 * Convert a typed escape hatch (a struct of the generated imports/ classes) to its wire JSON with the
 * generated `toJson_*` function, and refuse fields it dropped: the generated converters silently
 * ignore keys they do not know, so a misspelled field from a plain-JS or Python caller would vanish.
 * Wire names differ from the struct names only in case (`containerIpForwarding` ->
 * `containerIPForwarding`), which the comparison allows.
 */
export function typedOverridesToWire(
  scope: IConstruct, prop: string, value: unknown, toJson: (v: any) => Record<string, any> | undefined,
): Record<string, any> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw propError(scope, prop, `${JSON.stringify(value)} is not an object`);
  const wire = toJson(value) ?? {};
  compare(scope, prop, value, wire);
  return wire;
}

function compare(scope: IConstruct, path: string, given: unknown, wire: unknown): void {
  if (Array.isArray(given) && Array.isArray(wire)) {
    given.forEach((g, i) => compare(scope, `${path}[${i}]`, g, wire[i]));
    return;
  }
  if (!isPlainObject(given) || !isPlainObject(wire)) return;
  const wireKeys = Object.keys(wire);
  for (const [key, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const match = wireKeys.find((w) => w === key) ?? wireKeys.find((w) => w.toLowerCase() === key.toLowerCase());
    if (match === undefined) throw propError(scope, `${path}.${key}`, 'is not a field of the pinned CRD schema (misspelled, or from another version?)');
    compare(scope, `${path}.${key}`, v, wire[match]);
  }
}
