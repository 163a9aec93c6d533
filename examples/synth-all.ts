/**
 * Synthesize every example for every CNI: `npm run synth` writes
 * dist/examples/<example>/<cni>/<chart>.k8s.yaml.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { EXAMPLE_CNIS } from './cni';
import { Cni } from '../src';
import { build as gatewayCanary } from './gateway-canary/main';
import { build as istioCanary } from './istio-canary/main';
import { build as secureMultiTier } from './secure-multi-tier/main';
import { build as tenantPlatform } from './tenant-platform/main';

/** Every example's build function, by folder name. */
export const EXAMPLES: Record<string, (app: App, cni: Cni) => Chart> = {
  'secure-multi-tier': secureMultiTier,
  'tenant-platform': tenantPlatform,
  'istio-canary': istioCanary,
  'gateway-canary': gatewayCanary,
};

function main(outRoot: string): void {
  for (const [example, build] of Object.entries(EXAMPLES)) {
    for (const [cniName, cni] of Object.entries(EXAMPLE_CNIS)) {
      const outdir = path.join(outRoot, example, cniName);
      fs.rmSync(outdir, { recursive: true, force: true });
      const app = new App({ outdir });
      build(app, cni());
      app.synth();
      const files = fs.readdirSync(outdir);
      const objects = files.reduce((n, f) => n + fs.readFileSync(path.join(outdir, f), 'utf8').split(/^---$/m).length, 0);
      console.log(`${example} (${cniName}): ${objects} objects -> ${outdir}`);
    }
  }
}

if (require.main === module) main(process.argv[2] ?? 'dist/examples');
