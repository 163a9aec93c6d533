import { JsonFile, cdk8s, javascript } from 'projen';

/**
 * CRD files (relative to ../shared/crds) that `npm run imports` turns into typed L1 classes in
 * imports/. The output file of each is named by cdk8s after the API group.
 */
const CRD_IMPORTS: Record<string, string> = {
  'projectcalico.org': 'calico/v3.32.1/calico-v3-crds.yaml',
  'cilium.io': 'cilium/1.18.2/cilium-crds.from-schemas.yaml',
};

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-networking',
  description:
    'CNI-aware network security constructs for cdk8s: zero-trust namespaces, tenant isolation and three-tier apps rendered for Kubernetes, Calico and Cilium.',
  author: 'cdk8s-networking founders',
  authorAddress: 'founders@cdk8s-networking.dev',
  repositoryUrl: 'https://github.com/cdk8s-networking/cdk8s-networking.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.4.2',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  keywords: ['cdk8s', 'kubernetes', 'networkpolicy', 'calico', 'cilium', 'zero-trust'],

  // No GitHub workflows, release or mergify: CI is .ci/run on this project's machines.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  // Runtime dependencies are bundled into the jsii package; keep the set small and well-kept.
  bundledDeps: ['ipaddr.js@^2.2.0', 'yaml@^2.8.0'],
  devDeps: [
    'cdk8s-plus-27@^2.9.5',
    'cdk8s-cli@^2.200.0',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'fast-check@^3.23.0',
    'ts-node@^10.9.2',
    '@types/node@^20',
  ],

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc'],
    ignorePatterns: ['imports/', 'src/imports/', '*.d.ts', 'node_modules/', 'dist/', 'lib/'],
    // A lint error fails the test run; CI must never rewrite the sources it checks.
    commandOptions: { fix: false },
  },
  jestOptions: {
    // Snapshots are a safety net only if a mismatch fails the run.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/', '/imports/'],
      testTimeout: 60_000,
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts', '../bench/**/*.ts'],
  },
});

// Generated copies and example output stay out of git (after projen's own `!/src/` rule).
project.gitignore.exclude('/src/imports/', '/examples/*/dist/');

// The analyzer CLI for GitOps pipelines.
project.addBins({ 'cdk8s-networking': 'lib/cli/main.js' });

// `npm ci` fails on the newest unrs-resolver (it names unpublished platform packages).
for (const pattern of ['/imports/', '/examples/', '/bench/', '/.ci/']) {
  project.addPackageIgnore(pattern);
}

project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// ---------------------------------------------------------------------------------------------
// imports/: generated L1 classes. `npm run imports` regenerates them from the pinned CRDs; the
// build copies the committed files into src/imports/ (git-ignored) because jsii compiles src/ only.
// ---------------------------------------------------------------------------------------------
const importsTask = project.addTask('imports', {
  description: 'Regenerate imports/ from the pinned CRDs in ../shared/crds (offline)',
});
for (const crd of Object.values(CRD_IMPORTS)) {
  importsTask.exec(`cdk8s import ../shared/crds/${crd} --language typescript --output imports --no-check-upgrade`);
}

const syncImports = project.addTask('imports:sync', {
  description: 'Copy the committed imports/ into src/imports/ so jsii and jest can compile them',
  steps: [{ exec: 'rm -rf src/imports && mkdir -p src/imports && cp imports/*.ts src/imports/' }],
});
project.preCompileTask.spawn(syncImports);
// ts-jest runs with isolatedModules (transpile only), so it does not type-check tests, examples or
// the bench: a prop misspelled in a test would be silently ignored. Type-check them first.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json', { name: 'typecheck tests, examples and bench' });
project.testTask.prependSpawn(syncImports);

// ---------------------------------------------------------------------------------------------
// Examples: `npm run synth` synthesizes every example for every supported CNI into dist/examples.
// ---------------------------------------------------------------------------------------------
const synth = project.addTask('synth', {
  description: 'Synthesize every example under examples/ for the kubernetes, calico and cilium CNIs into dist/examples/',
});
synth.spawn(syncImports);
synth.exec('ts-node --transpile-only --project test/tsconfig.json examples/synth-all.ts dist/examples');

// The CLI straight from a checkout (no compile): `npm run cli -- analyze dist/examples/... --cni calico`.
const cli = project.addTask('cli', { description: 'Run the cdk8s-networking CLI from the sources (arguments after --)' });
cli.spawn(syncImports);
cli.exec('ts-node --transpile-only --project test/tsconfig.json src/cli/main.ts', { receiveArgs: true });

// examples/ and bench/ are type-checked (and linted) with the test settings.
for (const dir of ['examples', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts', '../src/**/*.ts'] },
  });
}

// Benchmarks print ratios measured in one run.
const bench = project.addTask('bench', { description: 'Run the synthesis and analysis benchmarks' });
bench.spawn(syncImports);
bench.exec('node --expose-gc -r ts-node/register/transpile-only bench/run.ts', {
  env: { TS_NODE_PROJECT: 'test/tsconfig.json' },
});

project.synth();
