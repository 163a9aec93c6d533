/**
 * The committed Installation shape (src/cni/calico/installation-shape.ts) is exactly what the generator
 * derives from the pinned operator-crds.yaml: regenerate with `node projenrc/calico-installation-shape.js`.
 */
import * as fs from 'fs';
import { INSTALLATION_SHAPE_DEFS, INSTALLATION_SPEC_SHAPE } from '../../../src/cni/calico/installation-shape';
import { JsonShape } from '../../../src/util/json-shape';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../../projenrc/calico-installation-shape.js');

test('the committed Installation shape matches the pinned CRD', () => {
  expect(fs.readFileSync(generator.target, 'utf8')).toBe(generator.generate(fs.readFileSync(generator.crdFile, 'utf8')));
});

test('the shape knows the fields the construct emits, with the CRD\'s enums and ranges', () => {
  const at = (s: JsonShape | number): JsonShape => (typeof s === 'number' ? INSTALLATION_SHAPE_DEFS[s] : s);
  const network = at(INSTALLATION_SPEC_SHAPE.properties!.calicoNetwork);
  const pool = at(at(network.properties!.ipPools).items!);
  expect(at(network.properties!.ipPools).maxItems).toBe(25);
  expect(pool.required).toEqual(['cidr']);
  expect(at(pool.properties!.natOutgoing).enum).toEqual(['Enabled', 'Disabled']);
  expect(at(pool.properties!.encapsulation).enum).toEqual(['IPIPCrossSubnet', 'IPIP', 'VXLAN', 'VXLANCrossSubnet', 'None']);
  expect(at(network.properties!.linuxDataplane).enum).toEqual(['Iptables', 'BPF', 'VPP', 'Nftables']);
  expect(at(INSTALLATION_SPEC_SHAPE.properties!.registry).type).toBe('string');
});
