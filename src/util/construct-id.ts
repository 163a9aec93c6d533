/**
 * A construct id for a user-given name (tenant, namespace, policy name).
 *
 * constructs keeps the children of a node in a plain object and tests for duplicates with
 * `this._children[id]`, so an id that is a property of `Object.prototype` ('constructor' is a valid
 * DNS label) looks taken and fails with "There is already a Construct with name 'constructor'".
 * Such ids get a trailing '_', which no DNS name contains, so the result never collides with
 * another name's id. Every other id is kept as is (construct paths stay stable).
 */
export function constructIdFor(name: string): string {
  return name in Object.prototype ? `${name}_` : name;
}

/** `record[key]` when `key` is an own property: never an inherited `Object.prototype` member. */
export function ownValue<T>(record: { [key: string]: T } | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
