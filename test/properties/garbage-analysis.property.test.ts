/**
 * Property: the public entry points of the analyzer and the lint (Target.*, Reachability.from*
 * options, Reachability.addProbe, PolicyLint.check options), given JavaScript-level garbage for one
 * argument or option, either fail with a ValidationError naming the factory or method and the
 * argument (`[Reachability.fromManifests] options.podCidrs: ...`), or accept a value of the declared
 * type only, and then answer exactly what that value asks: the pods a Target selects, the CIDRs and
 * node address the analysis assumes, the CNI and IP families whose rules the lint applies.
 */
import * as fc from 'fast-check';
import { Cni, IpFamily, IstioMode, Mesh, PolicyLint, Port, Reachability, Target, Verdict } from '../../src';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, isStringMap } from './support/garbage';
import { absentOr, isString, maybe, oneOf } from './support/garbage-cases';

const NUM_RUNS = 150;

/** Namespace `a` with probes `web` (app=web) and `db` (app=db), namespace `b` with probe `x` (app=web). */
function probes(): Reachability {
  const reach = Reachability.fromManifests([], { cni: Cni.kubernetes() });
  reach.addProbe('web', 'a', { app: 'web' });
  reach.addProbe('db', 'a', { app: 'db' });
  reach.addProbe('x', 'b', { app: 'web' });
  return reach;
}

/** The endpoint names `target` selects among the probes (the node targets are checked by their own tests). */
function selected(target: Target): string[] {
  const pods = probes()._pods().map((p) => p.endpoint);
  const none = { kind: 'node' as const, labels: {}, namespaceLabels: {}, hostNetwork: true, namedPorts: [] };
  return target._resolve(pods, { local: { ...none, name: 'local-node' }, remote: { ...none, name: 'remote-node' } } as any).map((e) => e.name).sort();
}

const nonEmpty = (v: unknown): v is string => isString(v) && v.trim().length > 0;

describe('Target factories', () => {
  const ns = fc.oneof(garbage, fc.constantFrom('a', 'b', 'c'));
  const labels = fc.oneof(garbage, fc.constantFrom<unknown>({}, { app: 'web' }, { app: 'db' }, { app: 'web', tier: 'x' }, undefined));

  test('Target.pod(namespace, labels): a named error, or exactly the pods of that namespace carrying those labels', () => {
    const probeLabels: Record<string, Record<string, string>> = { 'a/web': { app: 'web' }, 'a/db': { app: 'db' }, 'b/x': { app: 'web' } };
    fc.assert(fc.property(ns, labels, (n, l) => {
      expectNamedOrTyped([n, l], ['Target.pod'], ([a, b]: any) => selected(Target.pod(a, b)),
        ([a, b]: any) => nonEmpty(a) && absentOr(isStringMap)(b),
        (names, [a, b]: any) => expect(names).toEqual(Object.keys(probeLabels)
          .filter((p) => p.startsWith(`${a}/`) && Object.entries(b ?? {}).every(([k, v]) => probeLabels[p][k] === v)).sort()));
    }), runs(NUM_RUNS));
  });

  test('Target.workload(namespace, name): a named error, or exactly that one workload', () => {
    fc.assert(fc.property(ns, fc.oneof(garbage, fc.constantFrom('web', 'db', 'x')), (n, name) => {
      expectNamedOrTyped([n, name], ['Target.workload'], ([a, b]: any) => selected(Target.workload(a, b)),
        ([a, b]: any) => nonEmpty(a) && nonEmpty(b),
        (names, [a, b]: any) => expect(names).toEqual(['a/web', 'a/db', 'b/x'].filter((p) => p === `${a}/${b}`)));
    }), runs(NUM_RUNS));
  });

  test('Target.external(ip, dnsName): a named error, or exactly that address', () => {
    const ip = fc.oneof(garbage, fc.constantFrom('203.0.113.7', '2001:db8::7', '203.0.113', 'example.com'));
    fc.assert(fc.property(ip, fc.oneof(garbage, fc.constantFrom('api.example.com', undefined)), (a, d) => {
      expectNamedOrTyped([a, d], ['Target.external'], ([x, y]: any) => Target.external(x, y).description,
        ([x, y]: any) => ['203.0.113.7', '2001:db8::7'].includes(x) && absentOr(nonEmpty)(y),
        (description, [x, y]: any) => expect(description).toBe(`external ${y ? `${y} (${x})` : x}`));
    }), runs(NUM_RUNS));
  });
});

describe('Reachability options', () => {
  /** A NetworkPolicy letting 10.0.0.0/8 (and nothing else) into app=db of namespace a. */
  const manifests = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'db', namespace: 'a' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] },
    },
  ];
  const withProbes = (r: Reachability) => {
    r.addProbe('web', 'a', { app: 'web' });
    r.addProbe('db', 'a', { app: 'db' });
    return r;
  };
  const verdict = (r: Reachability) => r.check(Target.workload('a', 'web'), Target.workload('a', 'db'), Port.tcp(5432)).verdict;

  test('podCidrs: a named error, or web (somewhere in them) reaches db exactly when they lie inside 10.0.0.0/8', () => {
    const cidrs = maybe(fc.constantFrom<unknown>(['10.244.0.0/16'], ['192.168.0.0/16'], ['10.0.0.0/8', '172.16.0.0/12']));
    fc.assert(fc.property(cidrs, (v) => {
      expectNamedOrTyped(v, ['Reachability.fromManifests'], (c: any) => verdict(withProbes(Reachability.fromManifests(manifests, { cni: Cni.calico(), podCidrs: c }))),
        (c) => c === undefined || (Array.isArray(c) && c.length > 0 && c.every((x) => ['10.244.0.0/16', '192.168.0.0/16', '10.0.0.0/8', '172.16.0.0/12'].includes(x))),
        (result, c: any) => expect(result).toBe(c === undefined ? Verdict.INDETERMINATE
          : c.every((x: string) => x.startsWith('10.')) ? Verdict.ALLOW
            : c.some((x: string) => x.startsWith('10.')) ? Verdict.INDETERMINATE : Verdict.DENY));
    }), runs(NUM_RUNS));
  });

  test('nodeIp, mesh and linkerdDefaultInboundPolicy: a named error, or the value of the declared type', () => {
    const meshes = [Mesh.none(), Mesh.linkerd(), Mesh.istio({ mode: IstioMode.SIDECAR })];
    const option = fc.constantFrom('nodeIp', 'mesh', 'linkerdDefaultInboundPolicy');
    const value = fc.oneof(garbage, fc.constantFrom<unknown>('10.0.0.1', 'fd00::1', 'deny', 'all-authenticated', Object.create(Mesh.prototype), ...meshes));
    fc.assert(fc.property(option, value, (key, v) => {
      expectNamedOrTyped(v, ['Reachability.fromManifests'], (x) => Reachability.fromManifests(manifests, { cni: Cni.cilium(), [key]: x }), (x) => {
        if (x === undefined) return true;
        if (key === 'nodeIp') return x === '10.0.0.1' || x === 'fd00::1';
        if (key === 'mesh') return meshes.includes(x as Mesh);
        return oneOf(['deny', 'all-authenticated'])(x);
      }, (reach, x) => {
        if (key === 'mesh' && x !== undefined) expect(reach.meshName).toBe((x as Mesh).kind === 'none' ? undefined : (x as Mesh).displayName);
      });
    }), runs(NUM_RUNS));
  });

  test('options itself and cni: a named error unless a plain object with a factory-made Cni', () => {
    const copy = Object.assign(Object.create(Cni.prototype), Cni.cilium());
    const cni = fc.oneof(garbage, fc.constantFrom<unknown>(Cni.calico(), Object.create(Cni.prototype), copy));
    fc.assert(fc.property(fc.oneof(garbage, cni.map((c) => ({ cni: c }))), (options) => {
      expectNamedOrTyped(options, ['Reachability.fromManifests'], (o: any) => Reachability.fromManifests(manifests, o),
        // The only factory-made Cni the generator offers is the Cni.calico() above (the copies on its prototype are not).
        (o) => isPlain(o) && Cni._isMade(o.cni),
        (reach, o: any) => expect(reach.cni).toBe(o.cni));
    }), runs(NUM_RUNS));
  });
});

describe('PolicyLint options', () => {
  /** A CiliumNetworkPolicy (Calico does not read it) to the world on 443: `policy-on-unenforcing-cni` and the metadata rule fire on it. */
  const cnp = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { endpointSelector: {}, egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] },
  };

  test('cni and ipFamilies: a named error, or exactly the CNI and family rules those values ask for', () => {
    const cni = fc.oneof(garbage, fc.constantFrom<unknown>(Cni.calico(), Cni.cilium(), 'calico', Object.create(Cni.prototype), undefined));
    const families = fc.oneof(garbage, fc.constantFrom<unknown>([IpFamily.IPV4], [IpFamily.IPV6], ['ipv4'], [], 'IPv4', undefined));
    fc.assert(fc.property(cni, families, (c, f) => {
      const lint = ([x, y]: any) => PolicyLint.check([cnp], { cni: x, ipFamilies: y }).map((finding) => finding.rule);
      expectNamedOrTyped([c, f], ['PolicyLint.check'], lint,
        ([x, y]: any) => (x === undefined || Cni._isMade(x))
          && (y === undefined || (Array.isArray(y) && y.length > 0 && y.every((v) => v === IpFamily.IPV4 || v === IpFamily.IPV6))),
        (rules, [x]: any) => {
          // Calico does not read cilium.io policies; Cilium does. The world entity reaches the
          // metadata service of whichever family the cluster runs (neither is excepted).
          expect(rules.includes('policy-on-unenforcing-cni')).toBe(x !== undefined && (x as Cni).name === 'calico');
          expect(rules.includes('egress-world-includes-metadata')).toBe(true);
        });
    }), runs(NUM_RUNS));
  });
});
