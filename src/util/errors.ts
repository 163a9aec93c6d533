import { IConstruct } from 'constructs';

const VALIDATION_ERROR = Symbol.for('cdk8s-networking.ValidationError');

/**
 * Bad input: a prop, argument or combination the library refuses, as opposed to a bug of the
 * library (a plain `Error`, its message starting with `internal:`). The message always reads
 * `[where] prop: reason`, where `where` is the construct path (`platform/shop`) or, for static
 * factories that have no construct, the factory (`Peer.namespaces`).
 *
 * jsii cannot model subclasses of the built-in `Error` for other languages, so the class is
 * TypeScript/JavaScript only; every language can test an error with {@link Errors.isValidationError}.
 *
 * @jsii ignore
 */
export class ValidationError extends Error {
  /** Is `x` a ValidationError (also one thrown by another copy of this library)? */
  public static isValidationError(x: unknown): x is ValidationError {
    return x !== null && typeof x === 'object' && VALIDATION_ERROR in x;
  }

  /** The construct path (`platform/shop`) or the static factory (`Peer.namespaces`) that refused the input. */
  public readonly path: string;
  /** The prop or argument at fault, e.g. `frontend.port` or `egress[0].peers[1]`. */
  public readonly prop: string;
  /** What is wrong, and what to do, without the `[path] prop:` prefix. */
  public readonly reason: string;

  constructor(path: string, prop: string, reason: string) {
    super(`[${path}] ${prop}: ${reason}`);
    this.name = 'ValidationError';
    this.path = path;
    this.prop = prop;
    this.reason = reason;
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
  }
}

/** Questions about errors thrown by this library, for every jsii language. */
export class Errors {
  /**
   * Did the library refuse bad input (a ValidationError: `[path] prop: reason`), as opposed to
   * failing on a bug?
   */
  public static isValidationError(x: any): boolean {
    return ValidationError.isValidationError(x);
  }

  private constructor() {}
}

/**
 * Where a bad input was given: a construct (errors name its path) or, for static factories without
 * a construct, the factory's name (`'Peer.namespaces'`). Internal.
 */
export type InputSite = IConstruct | string;

/** The path of an input site: the construct path, or the factory name. */
function siteName(site: InputSite): string {
  return typeof site === 'string' ? site : site.node.path;
}

/**
 * Build a synth-time error that names the construct path and the offending prop, so a platform
 * engineer reading CI output knows exactly which line of their program to fix.
 */
export function propError(site: InputSite, prop: string, message: string): ValidationError {
  return new ValidationError(siteName(site), prop, message);
}

/** A bug of this library (never bad input): a plain Error whose message starts with `internal:`. */
export function internalError(message: string): Error {
  return new Error(`internal: ${message}`);
}

/** Exhaustiveness check for switches over unions and enums: adding a variant fails compilation here. */
export function assertNever(value: never, what = 'value'): never {
  throw internalError(`unhandled ${what} ${JSON.stringify(value)}`);
}
