// The plugin's path handling with Windows and macOS file names, whatever the host OS:
// path.win32 / path.posix are passed in as the server's platform.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import ts from 'typescript';
import { wrapModuleResolution } from '../../../tsPlugin/src/fallbackResolution';
import { isInside, toServerPath } from '../../../tsPlugin/src/serverPaths';

const WIN_TYPES = 'C:\\Users\\Ada Lovelace\\.vscode\\extensions\\optimizer-lab.optimizer-lab-0.1.0-win32-x64\\dist\\types';
const MAC_TYPES = '/Users/ada/.vscode/extensions/optimizer-lab.optimizer-lab-0.1.0-darwin-arm64/dist/types';

/** A host whose own resolution finds `found` for every name (or nothing), wrapped by the plugin. */
function wrappedHost(typesDir: string, pathApi: typeof path, found: string | undefined): ts.LanguageServiceHost {
  const host = {
    resolveModuleNameLiterals: (names: readonly ts.StringLiteralLike[]) =>
      names.map(() => ({ resolvedModule: found === undefined ? undefined : { resolvedFileName: found, extension: ts.Extension.Dts } })),
  } as unknown as ts.LanguageServiceHost;
  const fallback = (name: string): string | undefined => (name === '@tensorflow/tfjs-core' ? pathApi.join(typesDir, 'tfjs-core', 'index.d.ts') : undefined);
  wrapModuleResolution(ts, host, fallback, typesDir, pathApi);
  return host;
}

function resolve(host: ts.LanguageServiceHost, name: string, containingFile: string): string | undefined {
  const sourceFile = ts.createSourceFile('x.ts', '', ts.ScriptTarget.ES2022);
  const [result] = host.resolveModuleNameLiterals!([ts.factory.createStringLiteral(name)], containingFile, undefined, {}, sourceFile, undefined);
  return result.resolvedModule?.resolvedFileName;
}

describe('tsPlugin: Windows and macOS paths', function () {
  it('writes Windows paths with forward slashes as the server does; leaves POSIX paths alone', function () {
    assert.equal(toServerPath('C:\\a b\\dist\\types\\x.d.ts', path.win32), 'C:/a b/dist/types/x.d.ts');
    assert.equal(toServerPath('\\\\wsl$\\Ubuntu\\home\\ada\\x.d.ts', path.win32), '//wsl$/Ubuntu/home/ada/x.d.ts');
    assert.equal(toServerPath('/Users/ada/a\\b.d.ts', path.posix), '/Users/ada/a\\b.d.ts'); // a backslash is a name character there
  });

  it('knows a server file name inside the shipped types: either slash, any drive-letter case on Windows', function () {
    assert.ok(isInside('c:/Users/Ada Lovelace/.vscode/extensions/optimizer-lab.optimizer-lab-0.1.0-win32-x64/dist/types/tfjs-core/ops.d.ts', WIN_TYPES, path.win32));
    assert.ok(isInside(`${WIN_TYPES}\\tfjs\\index.d.ts`, WIN_TYPES, path.win32));
    assert.ok(!isInside('C:/Users/Ada Lovelace/.vscode/extensions/optimizer-lab.optimizer-lab-0.1.0-win32-x64/dist/typesX/a.d.ts', WIN_TYPES, path.win32));
    assert.ok(isInside(`${MAC_TYPES}/tfjs/index.d.ts`, MAC_TYPES, path.posix));
    // macOS file systems are usually case-insensitive too, but the server keeps names as given there: exact match.
    assert.ok(!isInside(`${MAC_TYPES.toUpperCase()}/tfjs/index.d.ts`, MAC_TYPES, path.posix));
  });

  it('on Windows: a shipped declaration importing tfjs-core stays inside the shipped types, named with forward slashes', function () {
    const elsewhere = 'c:/Users/Ada Lovelace/project/node_modules/@tensorflow/tfjs-core/dist/index.d.ts';
    const host = wrappedHost(WIN_TYPES, path.win32, elsewhere);
    const fromShipped = 'c:/Users/Ada Lovelace/.vscode/extensions/optimizer-lab.optimizer-lab-0.1.0-win32-x64/dist/types/tfjs/index.d.ts';
    assert.equal(resolve(host, '@tensorflow/tfjs-core', fromShipped), `${toServerPath(WIN_TYPES, path.win32)}/tfjs-core/index.d.ts`);
    // The user's own file keeps what the normal resolution found (an installed TensorFlow.js wins).
    assert.equal(resolve(host, '@tensorflow/tfjs-core', 'c:/Users/Ada Lovelace/project/objective.ts'), elsewhere);
  });

  it('on Windows and macOS: an import nothing resolves falls back to the shipped declaration', function () {
    assert.equal(resolve(wrappedHost(WIN_TYPES, path.win32, undefined), '@tensorflow/tfjs-core', 'D:/work/objective.ts'), `${toServerPath(WIN_TYPES, path.win32)}/tfjs-core/index.d.ts`);
    assert.equal(resolve(wrappedHost(MAC_TYPES, path.posix, undefined), '@tensorflow/tfjs-core', '/Users/ada/work/objective.ts'), `${MAC_TYPES}/tfjs-core/index.d.ts`);
    assert.equal(resolve(wrappedHost(MAC_TYPES, path.posix, undefined), 'left-pad', '/Users/ada/work/objective.ts'), undefined);
  });
});
