/**
 * The documents the analyzer accepts (internal): several rules read only the objects the API server
 * and the CNI would accept, so the check runs once per lint run's document list, not once per rule.
 */
import { isObject, LintDocument } from './document';
import { validateManifest } from '../analysis/validation';

const cache = new WeakMap<readonly LintDocument[], readonly LintDocument[]>();

/** The documents whose object {@link validateManifest} accepts, in document order (computed once per list). */
export function validDocuments(documents: readonly LintDocument[]): readonly LintDocument[] {
  let valid = cache.get(documents);
  if (valid === undefined) {
    valid = documents.filter((d) => isObject(d.obj) && validateManifest(d.obj) === undefined);
    cache.set(documents, valid);
  }
  return valid;
}
