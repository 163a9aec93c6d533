// Copy into src/imports/ exactly the generated imports/ files that some module under src/ imports
// (jsii compiles src/ only), and remove the rest: what nothing uses is neither compiled nor shipped.
// Files are rewritten only when their content changed, so compiler and jest caches stay warm.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const srcDir = path.join(root, 'src');
const importsDir = path.join(root, 'imports');
const targetDir = path.join(srcDir, 'imports');
const SPECIFIER = /from\s+['"](?:\.\.?\/)+imports\/([^'"/]+)['"]/g;

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === targetDir ? [] : sourceFiles(full);
    return entry.isFile() && entry.name.endsWith('.ts') ? [full] : [];
  });
}

const used = new Map();
for (const file of sourceFiles(srcDir)) {
  for (const match of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
    if (!used.has(match[1])) used.set(match[1], path.relative(root, file));
  }
}

fs.mkdirSync(targetDir, { recursive: true });
for (const [name, by] of used) {
  const from = path.join(importsDir, `${name}.ts`);
  if (!fs.existsSync(from)) {
    console.error(`imports:sync: ${by} imports 'imports/${name}', but imports/${name}.ts does not exist (run npm run imports)`);
    process.exit(1);
  }
  const to = path.join(targetDir, `${name}.ts`);
  const content = fs.readFileSync(from);
  if (!fs.existsSync(to) || !content.equals(fs.readFileSync(to))) fs.writeFileSync(to, content);
}
for (const entry of fs.readdirSync(targetDir)) {
  if (!used.has(entry.replace(/\.ts$/, ''))) fs.rmSync(path.join(targetDir, entry), { recursive: true, force: true });
}
