/**
 * Runtime checks of the rendering arguments of {@link FlowMatrix} and {@link ReachabilityDiff}
 * (public entry points: jsii and plain-JavaScript callers pass strings, null or negative numbers,
 * which would silently mean "no limit" or "nothing").
 */
import { ITextSink, RenderOptions } from './flow-types';
import { propError } from '../util/errors';
import { describeValue, requireProps } from '../util/guards';

/** A count argument: an integer of at least 0 (`Infinity` too where `unbounded`). */
export function requireCount(site: string, prop: string, value: unknown, unbounded = false): number {
  const ok = typeof value === 'number' && value >= 0 && (Number.isSafeInteger(value) || (unbounded && value === Number.POSITIVE_INFINITY));
  if (!ok) {
    throw propError(site, prop, `must be an integer of at least 0${unbounded ? ' (or Infinity for no limit)' : ''}, got ${describeValue(value)}`);
  }
  return value;
}

/** `options[key]` of a rendering (`maxRows`, `maxEdges`), or `defaultValue` when omitted. */
export function renderLimit(site: string, options: RenderOptions | undefined, key: keyof RenderOptions, defaultValue: number): number {
  const o = requireProps(site, options, true, 'options');
  const value = o[key];
  return value === undefined ? defaultValue : requireCount(site, `options.${key}`, value, true);
}

/** A sink the streaming renderings write to: an object with a `write(chunk)` method. */
export function requireSink(site: string, sink: ITextSink): ITextSink {
  if (sink === null || typeof sink !== 'object' || typeof (sink as { write?: unknown }).write !== 'function') {
    throw propError(site, 'sink', `must be an ITextSink (an object with a write(chunk) method), got ${describeValue(sink)}`);
  }
  return sink;
}
