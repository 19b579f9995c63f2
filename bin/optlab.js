#!/usr/bin/env node
'use strict';
// The CLI lives in dist/cli.js (built by `npm run build`); this stub keeps the bin path stable.
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('optlab: dist/cli.js is missing; run `npm run build` first\n');
  process.exit(1);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`optlab: internal error: ${e && e.message ? e.message : e}\n`);
      process.exitCode = 1;
    },
  );
