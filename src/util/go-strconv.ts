/**
 * Go's `strconv.ParseBool` (internal), as the controllers and agents whose string settings the
 * constructs, the analyzer and the lint read parse a boolean: `1`, `t`, `T`, `TRUE`, `true`, `True`
 * are true; `0`, `f`, `F`, `FALSE`, `false`, `False` are false; anything else is an error
 * (golang/go src/strconv/atob.go `ParseBool`).
 */

/**
 * `value` as Go's `strconv.ParseBool` reads it; undefined when it is no string or not one of the
 * twelve spellings ParseBool accepts (it returns an error for those).
 */
export function goParseBool(value: unknown): boolean | undefined {
  switch (value) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false;
    default: return undefined;
  }
}
