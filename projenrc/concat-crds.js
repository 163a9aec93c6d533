// Join several CRD files into one multi-document YAML (a '---' before each), so that
// `cdk8s import` writes one file per API group from all of them: `node concat-crds.js out in...`.
'use strict';
const fs = require('fs');

const [out, ...inputs] = process.argv.slice(2);
fs.writeFileSync(out, inputs.map((f) => `---\n${fs.readFileSync(f, 'utf8')}\n`).join(''));
