import { IConstruct } from 'constructs';
import { propError } from './errors';
import { requireString } from './guards';

// The distribution reference grammar as the kubelet applies it (ParseNormalizedNamed of
// github.com/distribution/reference, reference.go / regexp.go / normalize.go; `docker pull` docs):
// [domain[:port]/]path-component(/path-component)*[:tag][@digest], path components lower-case.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
// A domain name (dotted IPv4 included) or an IPv6 address in brackets, then an optional port
// (regexp.go `domainAndPort`; the bracketed IPv6 host is accepted by distribution/reference, which
// the kubelet uses since Kubernetes 1.29; older kubelets used docker/distribution, which refused it).
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// The digest algorithms go-digest validates (algorithm.go `anchoredEncodedRegexps`: lower-case hex of
// the exact length); any other algorithm is ErrDigestUnsupported. The kubelet registers sha384 and
// sha512 too (it imports crypto/sha512 "to work with 384 and 512 sha hashes").
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;
// A bare 64-hex identifier is an image ID, never a name (normalize.go: "cannot specify 64-byte hexadecimal strings").
const IDENTIFIER = /^[a-f0-9]{64}$/;
/** The repository name (domain and path) is at most 255 characters. */
const MAX_NAME_LENGTH = 255;

/**
 * A container image reference, `[registry[:port]/]path[:tag][@<sha256|sha384|sha512>:<hex>]` with
 * lower-case path components. The first component is a registry when it contains '.' or ':' or is
 * 'localhost' (as in the distribution grammar); otherwise it belongs to the path (Docker Hub). The
 * registry may be an IPv6 address in brackets (`[fd00::1]:5000/app`). Stricter than the kubelet in
 * one place, on purpose: a first component with upper-case letters and no '.' or ':' (`MyOrg/app`)
 * is read as a mistyped Docker Hub organisation, not as the single-label registry host the kubelet
 * would try to pull from.
 */
export function validateImage(scope: IConstruct, prop: string, image: string): string {
  requireString(scope, prop, image);
  if (image.trim().length === 0) throw propError(scope, prop, 'the container image must not be empty');
  const invalid = () => propError(scope, prop, `'${image}' is not a valid image reference: [registry[:port]/]path[:tag][@sha256:<64 hex digits>], `
    + "path in lower case (e.g. 'registry.example.com/shop/web:1.2.3'; sha384 and sha512 digests also work)");
  if (IDENTIFIER.test(image)) throw invalid();
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
