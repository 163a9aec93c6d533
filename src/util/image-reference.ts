import { IConstruct } from 'constructs';
import { propError } from './errors';
import { requireString } from './guards';

// The distribution reference grammar
// (https://github.com/distribution/reference/blob/main/reference.go, docs of `docker pull`):
// [domain[:port]/]path-component(/path-component)*[:tag][@digest], path components lower-case.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** The repository name (domain and path) is at most 255 characters. */
const MAX_NAME_LENGTH = 255;

/**
 * A container image reference, `[registry[:port]/]path[:tag][@sha256:<64 hex>]` with lower-case
 * path components. The first component is a registry when it contains '.' or ':' or is 'localhost'
 * (as in the distribution grammar); otherwise it belongs to the path (Docker Hub).
 */
export function validateImage(scope: IConstruct, prop: string, image: string): string {
  requireString(scope, prop, image);
  if (image.trim().length === 0) throw propError(scope, prop, 'the container image must not be empty');
  const invalid = () => propError(scope, prop, `'${image}' is not a valid image reference: [registry[:port]/]path[:tag][@sha256:<64 hex digits>], `
    + "path in lower case (e.g. 'registry.example.com/shop/web:1.2.3')");
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  if (at >= 0 && !DIGEST.test(image.slice(at + 1))) throw invalid();
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tagged = colon > lastSlash;
  const name = tagged ? named.slice(0, colon) : named;
  if (tagged && !TAG.test(named.slice(colon + 1))) throw invalid();
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw invalid();
  const parts = name.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain && !DOMAIN.test(first)) throw invalid();
  if (!(hasDomain ? parts.slice(1) : parts).every((c) => PATH_COMPONENT.test(c))) throw invalid();
  return image;
}
