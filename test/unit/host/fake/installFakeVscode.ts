/** Makes `require('vscode')` return the fake, for tests and the activation benchmark. */
import Module from 'node:module';
import * as fake from './vscode';

type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };

export function installFakeVscode(): typeof fake {
  const original = mod._resolveFilename;
  if (!(original as Resolve & { fake?: boolean }).fake) {
    const fakePath = require.resolve('./vscode');
    const patched: Resolve & { fake?: boolean } = (request, ...rest) => (request === 'vscode' ? fakePath : original(request, ...rest));
    patched.fake = true;
    mod._resolveFilename = patched;
  }
  return fake;
}
