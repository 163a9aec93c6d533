/**
 * A probe's named port, as the kubelet sends the probe (kubernetes pkg/probe/util.go ResolveContainerPort:
 * exact name, any protocol, the probe's own container, 1-65535) and as linkerd2's policy controller builds
 * its probe route (policy-controller/k8s/index/src/inbound/pod.rs: name ignoring ASCII case, TCP only).
 */
import { kubeletProbePort, linkerdProbeRoutePort } from '../../src/util/probe-port';

const container = {
  name: 'app',
  ports: [
    { name: 'dns', containerPort: 5353, protocol: 'UDP' },
    { name: 'http', containerPort: 8080 },
    { name: 'admin', containerPort: 9090, protocol: 'tcp' },
  ],
};

describe('a probe port of its container', () => {
  test('the kubelet: exact name whatever the protocol, numbers 1-65535 as given', () => {
    expect(['dns', 'http', 'HTTP', 'admin', 'missing', '8080', 8080, 0, 65536, 80.5, undefined].map((p) => kubeletProbePort(container, p)))
      .toEqual([5353, 8080, undefined, 9090, undefined, undefined, 8080, undefined, undefined, undefined, undefined]);
    // The first port of the name counts; one outside 1-65535 is an error, not a reason to look further.
    expect(kubeletProbePort({ ports: [{ name: 'p', containerPort: 70000 }, { name: 'p', containerPort: 81 }] }, 'p')).toBeUndefined();
    expect(kubeletProbePort({}, 'http')).toBeUndefined();
  });

  test('linkerd2\'s probe route: TCP ports only (any case of the protocol), names ignoring ASCII case only', () => {
    expect(['dns', 'http', 'HTTP', 'ADMIN', 'missing', 8080, 0].map((p) => linkerdProbeRoutePort(container, p)))
      .toEqual([undefined, 8080, 8080, 9090, undefined, 8080, undefined]);
    // U+212A KELVIN SIGN lower-cases to `k` in JavaScript, not in Rust's eq_ignore_ascii_case.
    expect(linkerdProbeRoutePort({ ports: [{ name: 'k', containerPort: 81 }] }, '\u212a')).toBeUndefined();
    expect(linkerdProbeRoutePort({ ports: [{ name: 'p', containerPort: 70000 }, { name: 'P', containerPort: 81 }] }, 'p')).toBe(81);
  });
});
