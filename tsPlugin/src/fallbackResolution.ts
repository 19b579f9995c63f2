/**
 * Wraps a language service host's module resolution: an import the normal
 * resolution cannot find, and that has a fallback, resolves to the fallback
 * declaration file. Whatever resolves normally (an installed TensorFlow.js,
 * tsconfig `paths`) is left alone, so the real package wins when present.
 * Imports made by the shipped declarations themselves always stay inside them
 * (a tfjs-core found further up must not mix its classes with the shipped ones).
 */
import type ts from 'typescript';
import { isInside, toServerPath, type PathApi } from './serverPaths';
import type { FallbackLookup } from './shippedTypes';

type Resolved = ts.ResolvedModuleFull;

function fallbackModule(typescript: typeof ts, file: string, pathApi: PathApi | undefined): Resolved {
  // External: treated like a declaration found in node_modules (never a root, never emitted).
  return { resolvedFileName: toServerPath(file, pathApi), extension: typescript.Extension.Dts, isExternalLibraryImport: true };
}

/**
 * Installs the fallback on `host`; returns which resolution hooks it wrapped. `pathApi`: the
 * server's platform's path module (tests pass path.win32 or path.posix).
 */
export function wrapModuleResolution(typescript: typeof ts, host: ts.LanguageServiceHost, fallback: FallbackLookup, typesDir: string, pathApi?: PathApi): string[] {
  const shipped = (file: string): boolean => isInside(file, typesDir, pathApi);
  const wrapped: string[] = [];
  // TypeScript 5.0+.
  const literals = host.resolveModuleNameLiterals?.bind(host);
  if (literals) {
    host.resolveModuleNameLiterals = (names, containingFile, redirected, options, sourceFile, reused) =>
      literals(names, containingFile, redirected, options, sourceFile, reused).map((result, i) => {
        const target = result.resolvedModule && !shipped(containingFile) ? undefined : fallback(names[i].text);
        // Keep the failed lookups: the server watches them and re-resolves when the package gets installed.
        return target === undefined ? result : { ...result, resolvedModule: fallbackModule(typescript, target, pathApi) };
      });
    wrapped.push('resolveModuleNameLiterals');
  }
  // Older servers (TypeScript 4.x) call this one instead.
  const names = host.resolveModuleNames?.bind(host);
  if (names) {
    host.resolveModuleNames = (moduleNames, containingFile, reused, redirected, options, sourceFile) =>
      names(moduleNames, containingFile, reused, redirected, options, sourceFile).map((result, i) => {
        const target = result && !shipped(containingFile) ? undefined : fallback(moduleNames[i]);
        return target === undefined ? result : fallbackModule(typescript, target, pathApi);
      });
    wrapped.push('resolveModuleNames');
  }
  return wrapped;
}
