import * as fs from 'fs';
import * as path from 'path';
import { celRuleInventory, checkCelRules, escapeCelProperty } from './cel';
import { isKubernetesCidr, parseRequestUriScheme } from './cel-k8s-library';
import { celSchemasOf, validateManifests } from './schema';

/** A schema with one rule at its root. */
function ruled(schema: any, rule: string, message?: string): any {
  return { ...schema, 'x-kubernetes-validations': [{ rule, ...(message ? { message } : {}) }] };
}

describe('CEL checker', () => {
  test('a true rule passes; a false one is a finding with its message, else "failed rule: <rule>"', () => {
    const schema = { type: 'object', properties: { a: ruled({ type: 'string' }, 'self.startsWith("x")', 'must start with x'), b: ruled({ type: 'string' }, 'self != "bad"') } };
    expect(checkCelRules(schema, { a: 'xy', b: 'ok' })).toEqual([]);
    expect(checkCelRules(schema, { a: 'yy', b: 'bad' })).toEqual([
      { path: 'a', message: 'must start with x' },
      { path: 'b', message: 'failed rule: self != "bad"' },
    ]);
  });

  test('integers are CEL int where the schema says integer (int arithmetic and size() comparisons work)', () => {
    const schema = ruled({
      type: 'object',
      properties: { port: { type: 'integer' }, names: { type: 'array', items: { type: 'string' } }, weight: { type: 'number' } },
    }, 'self.port + 1 > 80 && size(self.names) == self.port - 79 && type(self.port) == int && type(self.weight) == double');
    expect(checkCelRules(schema, { port: 80, names: ['a'], weight: 1 })).toEqual([]);
    expect(checkCelRules(schema, { port: 79, names: ['a'], weight: 1 })).toEqual([{ path: '', message: `failed rule: ${schema['x-kubernetes-validations'][0].rule}` }]);
  });

  test('int-or-string values: a number is an int, a string stays a string', () => {
    const schema = { type: 'object', properties: { port: ruled({ 'x-kubernetes-int-or-string': true, 'type': ['integer', 'string'] }, 'type(self) == int ? self > 0 : self.size() > 0') } };
    expect(checkCelRules(schema, { port: 8080 })).toEqual([]);
    expect(checkCelRules(schema, { port: 'http' })).toEqual([]);
    expect(checkCelRules(schema, { port: 0 })).toHaveLength(1);
  });

  test('rules on a list see the list; rules on its items see each item, at the item path', () => {
    const item = ruled({ type: 'object', properties: { port: { type: 'integer' } } }, 'self.port > 0', 'port must be positive');
    const schema = { type: 'object', properties: { ports: ruled({ type: 'array', items: item }, 'self.size() <= 2', 'at most 2 ports') } };
    expect(checkCelRules(schema, { ports: [{ port: 1 }, { port: 2 }] })).toEqual([]);
    expect(checkCelRules(schema, { ports: [{ port: 1 }, { port: 0 }, { port: 3 }] })).toEqual([
      { path: 'ports', message: 'at most 2 ports' },
      { path: 'ports[1]', message: 'port must be positive' },
    ]);
  });

  test('rules on additionalProperties see each map value, at its key', () => {
    const schema = { type: 'object', properties: { m: { type: 'object', additionalProperties: ruled({ type: 'integer' }, 'self < 10', 'small') } } };
    expect(checkCelRules(schema, { m: { 'a': 1, 'b/c': 12 } })).toEqual([{ path: 'm["b/c"]', message: 'small' }]);
  });

  test('a rule on an absent or null optional field is not evaluated', () => {
    const schema = { type: 'object', properties: { a: ruled({ type: 'string' }, 'false', 'never') } };
    expect(checkCelRules(schema, {})).toEqual([]);
    expect(checkCelRules(schema, { a: null })).toEqual([]);
  });

  test('transition rules (oldSelf) are skipped and listed as such, not as checked', () => {
    const schema = { type: 'object', properties: { a: ruled({ type: 'integer' }, 'self == oldSelf', 'immutable') } };
    expect(checkCelRules(schema, { a: 1 })).toEqual([]);
    expect(celRuleInventory(schema)).toEqual({ checked: [], transition: ['self == oldSelf'], notChecked: [] });
  });

  test('schema defaults are applied before evaluation, as the API server defaults on decode', () => {
    const schema = ruled({ type: 'object', properties: { kind: { type: 'string', default: 'Service' }, port: { type: 'integer' } } },
      "self.kind == 'Service' ? has(self.port) : true", 'Must have port for Service reference');
    expect(checkCelRules(schema, {})).toEqual([{ path: '', message: 'Must have port for Service reference' }]);
    expect(checkCelRules(schema, { kind: 'Other' })).toEqual([]);
  });

  test('property names are escaped as Kubernetes escapes them (namespace, dashes, dots, slashes, double underscores)', () => {
    expect(['namespace', 'a-b', 'a.b', 'a/b', 'a__b', 'plain', '1a', 'a b'].map(escapeCelProperty))
      .toEqual(['__namespace__', 'a__dash__b', 'a__dot__b', 'a__slash__b', 'a__underscores__b', 'plain', undefined, undefined]);
    const schema = ruled({ type: 'object', properties: { 'namespace': { type: 'string' }, 'x-y': { type: 'string' } } }, "self.__namespace__ == 'ns' && self.x__dash__y == 'v'");
    expect(checkCelRules(schema, { 'namespace': 'ns', 'x-y': 'v' })).toEqual([]);
  });

  test('an evaluation error is a finding (the API server rejects then too)', () => {
    const schema = ruled({ type: 'object', properties: { a: { type: 'string' } } }, "self.a == 'x'");
    expect(checkCelRules(schema, {})).toEqual([{ path: '', message: expect.stringMatching(/^CEL rule evaluation error \(.*\): self\.a == 'x'$/) }]);
  });

  test('an unknown function is not checked (listed with its reason), never passed as checked', () => {
    const schema = { type: 'object', properties: { a: ruled({ type: 'string' }, 'isIP(self)'), b: ruled({ type: 'string' }, 'self.size() > 0') } };
    expect(checkCelRules(schema, { a: 'not an ip', b: 'x' })).toEqual([]);
    expect(celRuleInventory(schema)).toEqual({
      checked: ['self.size() > 0'],
      transition: [],
      notChecked: [{ rule: 'isIP(self)', reason: 'function(s) not provided by the test CEL environment: isIP' }],
    });
  });

  test('extension functions in rules: isCIDR, isURL / url().getScheme(), strings ext split', () => {
    const schema = {
      type: 'object',
      properties: {
        cidr: ruled({ type: 'string' }, 'isCIDR(self)', 'Invalid CIDR format provided'),
        url: ruled({ type: 'string' }, 'url(self).getScheme() in ["http", "https"]', 'url must have scheme http:// or https://'),
        keys: ruled({ type: 'object', additionalProperties: { type: 'string' } }, 'self.all(key, key.split("/")[0].size() < 5)', 'short prefix'),
      },
    };
    expect(checkCelRules(schema, { cidr: '10.0.0.0/8', url: 'HTTPS://issuer.example/jwks', keys: { 'ab/c': 'v' } })).toEqual([]);
    expect(checkCelRules(schema, { cidr: '10.0.0.0/33', url: 'ftp://x/', keys: { 'abcdef/c': 'v' } })).toEqual([
      { path: 'cidr', message: 'Invalid CIDR format provided' },
      { path: 'url', message: 'url must have scheme http:// or https://' },
      { path: 'keys', message: 'short prefix' },
    ]);
    expect(checkCelRules(schema, { url: 'relative/path' })).toEqual([
      { path: 'url', message: expect.stringMatching(/^CEL rule evaluation error \(.*URL parse error.*\)/) },
    ]);
  });
});

describe('Kubernetes CEL library semantics (library/cidr.go, library/urls.go)', () => {
  test('isCIDR is netip.ParsePrefix without IPv4-mapped IPv6: host bits allowed, leading zeros and zones not', () => {
    const ok = ['192.168.0.0/16', '192.168.0.1/16', '::1/128', '2001:db8::/32', '::/0', '0.0.0.0/0', '::1.2.3.4/128', '1:2:3:4:5:6:7:8/64'];
    const bad = ['192.168.0.0/33', '::1/129', '10.0.0.0', '010.0.0.0/8', '10.0.0.0/08', '10/8', '::ffff:1.2.3.4/120',
      'fe80::1%eth0/64', '1:2:3:4:5:6:7:8:9/64', '1::2::3/64', '256.0.0.0/8', ''];
    expect(ok.filter((c) => !isKubernetesCidr(c))).toEqual([]);
    expect(bad.filter(isKubernetesCidr)).toEqual([]);
  });

  test('isURL / url() is net/url.ParseRequestURI: absolute URI or absolute path; scheme lower-cased, "" when absent', () => {
    expect(parseRequestUriScheme('https://user:pass@example.com:80/path?query=val#fragment')).toBe('https');
    expect(parseRequestUriScheme('/absolute-path')).toBe('');
    expect(parseRequestUriScheme('OCI://ghcr.io/x/y:v1')).toBe('oci');
    expect(parseRequestUriScheme('mailto:a@b')).toBe('mailto'); // opaque
    expect(['https://a:b:c/', '../relative-path', 'ghcr.io/x/y:v1', '', ':x', 'http://a b/', 'http://x/%zz', 'http://x/\n']
      .map(parseRequestUriScheme)).toEqual(new Array(8).fill(undefined));
  });
});

describe('CEL rules of the pinned CRDs', () => {
  const gateway = (spec: any) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'shop' }, spec,
  });

  test('HTTPRoute: a Service backendRef without a port fails (kind and group come from the schema defaults)', () => {
    const route = gateway({ rules: [{ backendRefs: [{ name: 'web' }] }] });
    expect(validateManifests([route])).toEqual([
      { object: 'HTTPRoute/shop/web', path: 'spec.rules[0].backendRefs[0]', message: 'Must have port for Service reference' },
    ]);
    expect(validateManifests([gateway({ rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] })])).toEqual([]);
  });

  test('HTTPRoute: an Exact path match must be an absolute path (rule on the item of matches[])', () => {
    const route = gateway({ rules: [{ matches: [{ path: { type: 'Exact', value: 'api' } }], backendRefs: [{ name: 'web', port: 80 }] }] });
    expect(validateManifests([route])).toEqual([
      { object: 'HTTPRoute/shop/web', path: 'spec.rules[0].matches[0].path', message: 'value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']' },
    ]);
  });

  test('DestinationRule: a connectTimeout under 1ms fails the duration rule', () => {
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { host: 'web', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '500us' } } } },
    };
    expect(validateManifests([dr])).toEqual([{
      object: 'DestinationRule/shop/web', path: 'spec.trafficPolicy.connectionPool.tcp.connectTimeout', message: 'must be a valid duration greater than 1ms',
    }]);
  });

  test('ClusterNetworkPolicy: a port range must have start < end (int comparison), networks must be CIDRs (isCIDR)', () => {
    const cnp = (range: object, network: string) => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'egress' },
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { namespaces: {} },
        egress: [{ action: 'Accept', to: [{ networks: [network] }], protocols: [{ tcp: { destinationPort: { range } } }] }],
      },
    });
    expect(validateManifests([cnp({ start: 8000, end: 8080 }, '10.0.0.0/8')])).toEqual([]);
    expect(validateManifests([cnp({ start: 8080, end: 8080 }, '::ffff:10.0.0.0/104')])).toEqual([
      { object: 'ClusterNetworkPolicy/egress', path: 'spec.egress[0].protocols[0].tcp.destinationPort.range', message: 'Start port must be less than End port' },
      { object: 'ClusterNetworkPolicy/egress', path: 'spec.egress[0].to[0].networks[0]', message: 'Invalid CIDR format provided' },
    ]);
  });

  /** `group/file.json` of every pinned CRD schema with CEL rules, with its apiVersion and kind. */
  function schemasWithRules(): { file: string; apiVersion: string; kind: string }[] {
    const root = path.resolve(__dirname, '../../../shared/schemas');
    const out: { file: string; apiVersion: string; kind: string }[] = [];
    for (const group of fs.readdirSync(root).sort()) {
      if (!fs.statSync(path.join(root, group)).isDirectory()) continue;
      for (const f of fs.readdirSync(path.join(root, group)).sort()) {
        const m = /^(.*)_(v[^_]+)\.json$/.exec(f);
        const text = m ? fs.readFileSync(path.join(root, group, f), 'utf8') : '';
        if (!m || !text.includes('x-kubernetes-validations')) continue;
        out.push({ file: `${group}/${f}`, apiVersion: `${group}/${m[2]}`, kind: JSON.parse(text).properties?.kind?.enum?.[0] ?? m[1] });
      }
    }
    return out;
  }

  test('every rule of every pinned CRD is checked, except the pinned transition rules (a new exception is noticed)', () => {
    const notChecked: Record<string, unknown> = {};
    const transition: Record<string, string[]> = {};
    let checked = 0;
    for (const { file, apiVersion, kind } of schemasWithRules()) {
      for (const schema of celSchemasOf(apiVersion, kind)) {
        const inv = celRuleInventory(schema);
        checked += inv.checked.length;
        if (inv.notChecked.length > 0) notChecked[file] = inv.notChecked;
        if (inv.transition.length > 0) transition[file] = inv.transition;
      }
    }
    expect(notChecked).toEqual({});
    expect(transition).toEqual({
      'crd.projectcalico.org/ippool_v1.json': ['self == oldSelf'],
      'gateway.networking.k8s.io/gatewayclass_v1.json': ['self == oldSelf'],
      'gateway.networking.k8s.io/gatewayclass_v1beta1.json': ['self == oldSelf'],
      'gateway.networking.x-k8s.io/xmesh_v1alpha1.json': ['self == oldSelf'],
      'projectcalico.org/ippool_v3.json': ['self == oldSelf'],
    });
    expect(checked).toBeGreaterThan(500);
  });
});
