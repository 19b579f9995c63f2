// Ships the type declarations objective files need (dist/types): the
// tfjs-core declarations reachable from its index (no tests, no sources),
// the '@tensorflow/tfjs' shim and the objective contract from types/.
// The extension copies this folder into a user's workspace (see src/host/typesSetup.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

export function buildTypes() {
  const coreDist = path.join(root, 'node_modules/@tensorflow/tfjs-core/dist');
  const out = path.join(root, 'dist/types');
  fs.rmSync(out, { recursive: true, force: true });
  const program = ts.createProgram(['index.d.ts', 'public/chained_ops/register_all_chained_ops.d.ts'].map((f) => path.join(coreDist, f)), { noEmit: true, types: [], noResolve: false });
  let count = 0;
  for (const file of program.getSourceFiles()) {
    const rel = path.relative(coreDist, file.fileName);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue; // lib.d.ts, @webgpu/types: not shipped
    const dest = path.join(out, 'tfjs-core', rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // '/// <reference types="@webgpu/types" />' cannot resolve in a user's workspace: drop it.
    fs.writeFileSync(dest, file.text.replace(/^\/\/\/\s*<reference types="[^"]*"\s*\/>\s*$/gm, ''));
    count += 1;
  }
  const version = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version;
  fs.cpSync(path.join(root, 'types'), out, { recursive: true });
  fs.writeFileSync(path.join(out, 'version.json'), `${JSON.stringify({ tfjsCore: version, files: count + 2 })}\n`);
  return count;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(`types: ${buildTypes()} tfjs-core declaration files`);
