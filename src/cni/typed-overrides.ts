import { IConstruct } from 'constructs';
import { propError } from '../util/errors';
import { describeValue, isPlainObject } from '../util/guards';
import { JsonShape, JsonShapeError, toWireByShape } from '../util/json-shape';

/**
 * A typed escape hatch (a struct of the generated imports/ classes) as wire JSON, checked against the
 * pinned CRD schema's shape: the generated `toJson_*` converters would silently drop misspelled
 * fields, copy wrongly typed values through (`registry: 5`) and crash on others (`ipPools: 'x'`),
 * and callers without TypeScript (Python, Java, plain JavaScript, JSON) can pass any of these. Struct
 * names map to the schema's (`containerIpForwarding` -> `containerIPForwarding`); the generated
 * int-or-string classes become their value. Errors name the field: `installationOverrides.calicoNetwork.mtu`.
 */
export function typedOverridesToWire(
  scope: IConstruct, prop: string, value: unknown, shape: JsonShape, defs: readonly JsonShape[],
): Record<string, any> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw propError(scope, prop, `must be an object of spec fields, got ${describeValue(value)}`);
  try {
    return toWireByShape(value, shape, defs, prop) as Record<string, any>;
  } catch (e) {
    if (e instanceof JsonShapeError) throw propError(scope, e.path, e.reason);
    throw e;
  }
}
