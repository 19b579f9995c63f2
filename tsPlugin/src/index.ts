/**
 * TypeScript server plugin contributed by the Optimizer Lab extension
 * (package.json `contributes.typescriptServerPlugins`): objective files
 * import '@tensorflow/tfjs' without a red squiggle in workspaces where
 * TensorFlow.js is not installed, using the declarations the extension ships,
 * and without touching the user's tsconfig.
 *
 * Plugin config (tsconfig `plugins` entry or the editor's configurePlugin):
 * `{ typesDir?: string }` overrides where the declarations are found.
 */
import type ts from 'typescript';
import { wrapModuleResolution } from './fallbackResolution';
import { FALLBACK_MODULES, fallbackLookup, findTypesDir } from './shippedTypes';

interface PluginConfig {
  typesDir?: unknown;
}

function typesDirOf(config: PluginConfig | undefined): string | undefined {
  return typeof config?.typesDir === 'string' ? config.typesDir : findTypesDir(__dirname);
}

function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  const typescript = modules.typescript;
  return {
    create(info) {
      const log = (m: string): void => info.project.projectService.logger.info(`[optimizer-lab-ts-plugin] ${m}`);
      const typesDir = typesDirOf(info.config as PluginConfig | undefined);
      const fallback = typesDir === undefined ? undefined : fallbackLookup(typesDir);
      const names = Object.keys(FALLBACK_MODULES).filter((n) => fallback?.(n) !== undefined);
      if (typesDir === undefined || fallback === undefined || names.length === 0) {
        log(`no shipped declarations found (${typesDir ?? `nothing above ${__dirname}`}); plugin inactive`);
        return info.languageService;
      }
      const wrapped = wrapModuleResolution(typescript, info.languageServiceHost, fallback, typesDir);
      log(`fallback for ${names.join(', ')} -> ${typesDir} (wrapped ${wrapped.join(', ') || 'nothing'})`);
      return info.languageService;
    },
  };
}

// tsserver loads plugins with require() and calls the module itself.
export = init;
