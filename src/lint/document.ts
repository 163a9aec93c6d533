import { isPlainObject } from '../util/vocabulary';

/**
 * One manifest under lint, with where it came from. Internal to the linter.
 */
export interface LintDocument {
  /** The parsed object (any JSON value; rules check shapes defensively). */
  readonly obj: any;
  /** 1-based position of the document in its input. */
  readonly index: number;
  /** File name, when known. */
  readonly source?: string;
  /** 1-based line where the document starts in `source`, when known. */
  readonly line?: number;
  /** Overrides the derived object label (used for values lifted out of shell commands). */
  readonly label?: string;
  /** The object is a Cilium Helm values tree (lifted out of a `--set` command line). */
  readonly ciliumValues?: boolean;
}

/** Is `value` a plain (non-array) object? The one in util/vocabulary, by the name the lint rules use. */
export const isObject: (value: unknown) => value is Record<string, any> = isPlainObject;

/** `value` as an array (empty when it is not one), so rules can iterate foreign shapes safely. */
export function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The API group of an object (`''` for the core group). */
export function apiGroup(obj: any): string {
  const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** Does the object have this group (any version) and kind? */
export function isKind(obj: any, group: string, kind: string): boolean {
  return isObject(obj) && obj.kind === kind && apiGroup(obj) === group;
}

/** The human label of a document: `Kind ns/name`, `Kind name`, or `document N of source`. */
export function documentLabel(doc: LintDocument): string {
  if (doc.label) return doc.label;
  const obj = doc.obj;
  const name = isObject(obj) && isObject(obj.metadata) ? obj.metadata.name : undefined;
  if (isObject(obj) && typeof obj.kind === 'string' && typeof name === 'string') {
    const ns = obj.metadata.namespace;
    return typeof ns === 'string' && ns !== '' ? `${obj.kind} ${ns}/${name}` : `${obj.kind} ${name}`;
  }
  return `document ${doc.index} of ${doc.source ?? 'input'}`;
}

/** Build a JSON path like `spec.egress[0].to[1]` from segments (numbers become indices). */
export function jsonPath(...segments: Array<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Path segment for an object key: `.key`, or `["key"]` when the key is not a plain identifier. */
export function jsonKey(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
