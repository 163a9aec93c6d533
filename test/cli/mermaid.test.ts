import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { cli } from './support';
import { mermaidEdgeWarning } from '../../src/cli/run';
import { expectValidManifests } from '../support/schema';

// Mermaid's `maxEdges` defaults to 500 (https://mermaid.js.org/config/schema-docs/config-properties-maxedges.html);
// a flowchart with more edges fails to render with "Too many edges".

function deployment(name: string): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'big' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'nginx', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

describe('mermaid edge limit', () => {
  test('500 edges are fine; 501 warn', () => {
    expect(mermaidEdgeWarning(500)).toBeUndefined();
    expect(mermaidEdgeWarning(501)).toBe("the flowchart has 501 edges, more than Mermaid's default maxEdges (500): "
      + 'it may not render; analyze fewer files or directories, or use --format table or json');
  });

  test('analyze --format mermaid warns on stderr above 500 edges, and not below', () => {
    // 23 workloads, nothing enforced (flannel): 23 x 23 = 529 source/destination pairs, each an edge.
    const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } },
      ...Array.from({ length: 23 }, (_, i) => deployment(`w${i}`))];
    expectValidManifests(objects);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-mermaid-'));
    try {
      fs.writeFileSync(path.join(dir, 'all.yaml'), objects.map((o) => stringify(o)).join('---\n'));
      fs.writeFileSync(path.join(dir, 'few.yaml'), objects.slice(0, 23).map((o) => stringify(o)).join('---\n'));
      const big = cli('analyze', path.join(dir, 'all.yaml'), '--cni', 'flannel', '--format', 'mermaid');
      expect(big.code).toBe(0);
      expect(big.stdout.split('\n').filter((l) => l.includes('-->'))).toHaveLength(529);
      expect(big.stderr).toBe(`warning: ${mermaidEdgeWarning(529)}\n`);
      // 22 workloads: 484 edges.
      const small = cli('analyze', path.join(dir, 'few.yaml'), '--cni', 'flannel', '--format', 'mermaid');
      expect(small.stdout.split('\n').filter((l) => l.includes('-->'))).toHaveLength(484);
      expect(small.stderr).toBe('');
      // The table has no such limit.
      expect(cli('analyze', path.join(dir, 'all.yaml'), '--cni', 'flannel').stderr).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
