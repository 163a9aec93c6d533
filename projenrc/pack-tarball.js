// `npm pack` the compiled package (lib/ from jsii, bundled dependencies included) into the directory
// given as the only argument, replacing what was there, and print the tarball's path.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dest = path.resolve(root, process.argv[2] || 'dist/tarball');
if (!fs.existsSync(path.join(root, 'lib', 'index.js'))) {
  console.error('pack-tarball: lib/index.js is missing: compile first (npm run pack:tarball does)');
  process.exit(1);
}
fs.rmSync(dest, { recursive: true, force: true });
fs.mkdirSync(dest, { recursive: true });
const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: root, encoding: 'utf8' });
const [{ filename, files }] = JSON.parse(out);
const tarball = path.join(dest, filename);
console.log(`${path.relative(root, tarball)} (${files.length} files, ${(fs.statSync(tarball).size / 1024).toFixed(0)} KiB)`);
