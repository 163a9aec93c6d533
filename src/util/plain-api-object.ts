import {
  ApiObject,
  ApiObjectMetadataDefinition,
  ApiObjectProps,
  App,
  ImplicitTokenResolver,
  JsonPatch,
  LazyResolver,
  NumberStringUnionResolver,
} from 'cdk8s';
import { Construct } from 'constructs';

/** Thrown inside {@link plainSorted} when a value is not plain JSON; never escapes this module. */
const NOT_PLAIN = new Error('not plain JSON');

/**
 * An ApiObject for manifests this library builds itself, from plain JSON values (strings, numbers,
 * booleans, arrays and object literals): its `toJson()` gives exactly what cdk8s's gives, with less
 * work per object.
 *
 * cdk8s's `ApiObject.toJson()` runs every value of the manifest through the app's resolvers (for
 * `Lazy` values, objects with a `resolve()` method and number/string unions), allocating a
 * resolution context and a key path per value, then copies the result once more to sort its keys.
 * On a plain-JSON manifest with the app's default resolvers that resolution is a deep copy that
 * changes nothing, so here the manifest is copied once, keys sorted and null/undefined dropped
 * exactly as cdk8s's `sanitizeValue` does; `metadata` is built from the same fields cdk8s's
 * `metadata.toJson()` reads, so `metadata.addLabel()` and friends behave as usual. Measured on the
 * 5,000 objects of 1,000 tenants (Kubernetes CNI): about 135 ms through cdk8s's path, 38 ms here.
 *
 * Anything that could make the two differ takes cdk8s's own path instead, unchanged:
 * - a JSON patch was added (`addJsonPatch`, the escape hatch),
 * - the app has resolvers of its own, or `CDK8S_DISABLE_SORT` is set,
 * - the manifest holds anything but plain JSON (a `Lazy`, a class instance, a function, a `resolve`
 *   method, a prototype that resolvers would consult),
 * - the app's first object rendered differently both ways (checked once per app: a cdk8s release
 *   whose rendering differs from the one replicated here).
 * `test/util/plain-api-object.test.ts` checks byte-identity against cdk8s's path, per object and per
 * synthesized file, on every CNI.
 */
export class PlainApiObject extends ApiObject {
  private readonly manifest: ApiObjectProps;
  private patched = false;

  /**
   * @param manifest the object's own from now on: its `metadata` is dropped once cdk8s has copied it
   * (ApiObject keeps name, namespace and labels in its own ApiObjectMetadataDefinition, and neither
   * toJson() reads the manifest's metadata again). Kept, it was some 50 bytes of heap per object
   * for as long as the app lives. Set to undefined rather than deleted, so the manifest keeps its
   * hidden class.
   */
  constructor(scope: Construct, id: string, manifest: ApiObjectProps) {
    super(scope, id, manifest);
    this.manifest = manifest;
    (manifest as { metadata?: unknown }).metadata = undefined;
  }

  /** As ApiObject's; from now on `toJson()` takes cdk8s's own path. */
  public addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  /** The object's manifest, as cdk8s would render it. */
  public toJson(): any {
    const app = App.of(this) as App;
    const verified = VERIFIED.get(app);
    if (verified === false || this.patched || process.env.CDK8S_DISABLE_SORT || !hasDefaultResolvers(app) || prototypesResolve()) {
      return super.toJson();
    }
    const fast = this.plainJson();
    if (fast === undefined) return super.toJson();
    if (verified === undefined) {
      // The first object of each app is rendered both ways: should a cdk8s release render differently
      // from what is replicated here, this app (and its output) takes cdk8s's own path throughout.
      const own = super.toJson();
      VERIFIED.set(app, JSON.stringify(own) === JSON.stringify(fast));
      return own;
    }
    return fast;
  }

  /** The fast rendering, or undefined when the manifest is not plain JSON (or its metadata throws). */
  private plainJson(): any {
    try {
      const rest = plainSorted({ ...this.manifest, apiVersion: undefined, kind: undefined, metadata: undefined });
      const metadata = plainMetadata(this.metadata);
      // cdk8s puts apiVersion, kind and metadata first, then the other keys sorted.
      const result: any = {};
      if (this.manifest.apiVersion != null) result.apiVersion = this.manifest.apiVersion;
      if (this.manifest.kind != null) result.kind = this.manifest.kind;
      if (metadata !== undefined) result.metadata = metadata;
      return Object.assign(result, rest);
    } catch {
      // cdk8s's own path decides (and reports errors with the object's path, as usual).
      return undefined;
    }
  }
}

/** Per app: did the first object render the same both ways (undefined: not checked yet)? */
const VERIFIED = new WeakMap<App, boolean>();

/** Does the app resolve with cdk8s's three default resolvers only (none of the user's own)? */
function hasDefaultResolvers(app: App): boolean {
  const r = app.resolvers;
  return Array.isArray(r) && r.length === 3
    && r[0] instanceof LazyResolver && r[1] instanceof ImplicitTokenResolver && r[2] instanceof NumberStringUnionResolver;
}

/**
 * cdk8s's ImplicitTokenResolver calls `value.resolve()` whenever it is a function, for strings and
 * numbers too: someone defining `resolve` on a built-in prototype would change every value.
 */
function prototypesResolve(): boolean {
  return BUILT_IN_PROTOTYPES.some((p) => p.resolve !== undefined);
}

const BUILT_IN_PROTOTYPES: any[] = [Object.prototype, Array.prototype, String.prototype, Number.prototype, Boolean.prototype];

/**
 * A copy of plain JSON with the keys of every object sorted and null/undefined object values dropped
 * (array elements that are null become undefined), as cdk8s's `sanitizeValue(..., { sortKeys: true })`;
 * with `filterEmpty`, empty arrays and objects are dropped too (cdk8s's `filterEmptyArrays` and
 * `filterEmptyObjects`, which it uses for metadata). Throws NOT_PLAIN on anything a cdk8s resolver
 * could replace.
 */
function plainSorted(value: any, filterEmpty = false): any {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN;
    if (filterEmpty && value.length === 0) return undefined;
    return value.map((v) => plainSorted(v, filterEmpty));
  }
  if (Object.getPrototypeOf(value) !== Object.prototype || typeof value.resolve === 'function') throw NOT_PLAIN;
  const out: any = {};
  let empty = true;
  for (const key of Object.keys(value).sort()) {
    const v = plainSorted(value[key], filterEmpty);
    if (v !== undefined) {
      out[key] = v;
      empty = false;
    }
  }
  return filterEmpty && empty ? undefined : out;
}

/**
 * What `metadata.toJson()` returns (resolved, empty values dropped, keys sorted), from the same
 * fields it reads. cdk8s keeps the extra metadata fields (`metadata.add()`, and the props' own) in a
 * private `_additionalAttributes`; when that is not a plain object (another cdk8s version), cdk8s's
 * own method is used, and so it is when the definition has fields this code does not know.
 */
function plainMetadata(metadata: ApiObjectMetadataDefinition): any {
  const m = metadata as any;
  const extra = m._additionalAttributes;
  const known = Object.keys(m).every((k) => METADATA_FIELDS.has(k));
  if (!known || extra === null || typeof extra !== 'object' || Object.getPrototypeOf(extra) !== Object.prototype) {
    return plainSorted(metadata.toJson());
  }
  return plainSorted({
    ...extra,
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  }, true);
}

/** The fields of cdk8s 2.70's ApiObjectMetadataDefinition; any other means another cdk8s: its own toJson(). */
const METADATA_FIELDS = new Set(['name', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'apiObject', '_additionalAttributes']);
