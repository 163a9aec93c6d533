/**
 * Synthesize every example for every CNI: `npm run synth` writes
 * dist/examples/<example>/<cni>/<chart>.k8s.yaml, with FastSynthApp (the same files as cdk8s's App
 * writes, test/synth/fast-synth-app.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { build as calicoCluster } from './calico-cluster/main';
import { build as ciliumCluster } from './cilium-cluster/main';
import { EXAMPLE_CNIS } from './cni';
import { CalicoDataplane, CiliumInstall, Cni, FastSynthApp } from '../src';
import { build as gatewayCanary } from './gateway-canary/main';
import { build as istioCanary } from './istio-canary/main';
import { build as nodeLocalDns } from './node-local-dns/main';
import { build as secureMultiTier } from './secure-multi-tier/main';
import { build as tenantPlatform } from './tenant-platform/main';

/** Every example's build function, by folder name. */
export const EXAMPLES: Record<string, (app: App, cni: Cni) => Chart> = {
  'secure-multi-tier': secureMultiTier,
  'tenant-platform': tenantPlatform,
  'istio-canary': istioCanary,
  'gateway-canary': gatewayCanary,
};

/**
 * Examples that install or configure one CNI, synthesized only for their own setups:
 * folder -> variant -> build. Written to dist/examples/<example>/<variant>/.
 */
export const PLATFORM_EXAMPLES: Record<string, Record<string, (app: App) => Chart>> = {
  'calico-cluster': { iptables: (app) => calicoCluster(app), ebpf: (app) => calicoCluster(app, CalicoDataplane.BPF) },
  'cilium-cluster': { cilium: (app) => ciliumCluster(app) },
  'node-local-dns': { 'iptables': (app) => nodeLocalDns(app, 'iptables'), 'cilium-lrp': (app) => nodeLocalDns(app, 'cilium-lrp') },
};

function countObjects(outdir: string): number {
  return fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))
    .reduce((n, f) => n + fs.readFileSync(path.join(outdir, f), 'utf8').split(/^---$/m).length, 0);
}

function main(outRoot: string): void {
  for (const [example, build] of Object.entries(EXAMPLES)) {
    for (const [cniName, cni] of Object.entries(EXAMPLE_CNIS)) {
      const outdir = path.join(outRoot, example, cniName);
      fs.rmSync(outdir, { recursive: true, force: true });
      const app = new FastSynthApp({ outdir });
      build(app, cni());
      app.synth();
      const files = fs.readdirSync(outdir);
      const objects = files.reduce((n, f) => n + fs.readFileSync(path.join(outdir, f), 'utf8').split(/^---$/m).length, 0);
      console.log(`${example} (${cniName}): ${objects} objects -> ${outdir}`);
    }
  }
  for (const [example, variants] of Object.entries(PLATFORM_EXAMPLES)) {
    for (const [variant, build] of Object.entries(variants)) {
      const outdir = path.join(outRoot, example, variant);
      fs.rmSync(outdir, { recursive: true, force: true });
      const app = new FastSynthApp({ outdir });
      build(app);
      app.synth();
      // The Cilium values as a values.yaml too, for `cilium install --values`.
      for (const install of app.node.findAll().filter((c): c is CiliumInstall => c instanceof CiliumInstall)) {
        install.writeValuesFile(path.join(outdir, 'cilium-values.yaml'));
      }
      console.log(`${example} (${variant}): ${countObjects(outdir)} objects -> ${outdir}`);
    }
  }
}

if (require.main === module) main(process.argv[2] ?? 'dist/examples');
