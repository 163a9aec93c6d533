import { Errors, ValidationError } from '../../src/util/errors';

/** The error `build` throws, asserted to be a ValidationError (fails the test when it throws none). */
export function validationErrorOf(build: () => unknown): ValidationError {
  try {
    build();
  } catch (e) {
    expect(Errors.isValidationError(e)).toBe(true);
    return e as ValidationError;
  }
  throw new Error('no error thrown');
}
