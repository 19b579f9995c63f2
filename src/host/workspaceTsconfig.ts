/**
 * The tsconfig.json that lets objective files type-check in a workspace
 * without TensorFlow.js: `paths` send '@tensorflow/tfjs' (and the contract's
 * 'optimizer-lab' types) to the declarations the extension copied into
 * TYPES_DIR. An existing tsconfig is edited in place (comments kept).
 */
// The ESM build: esbuild cannot follow the UMD build's dynamic requires.
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser/lib/esm/main.js';

/** Where the declarations go, relative to the workspace folder. */
export const TYPES_DIR = '.optimizer-lab/types';

export const TYPE_PATHS: Readonly<Record<string, string[]>> = {
  '@tensorflow/tfjs': [`./${TYPES_DIR}/tfjs/index.d.ts`],
  '@tensorflow/tfjs-core': [`./${TYPES_DIR}/tfjs-core/index.d.ts`],
  '@tensorflow/tfjs-node': [`./${TYPES_DIR}/tfjs/index.d.ts`],
  'optimizer-lab': [`./${TYPES_DIR}/optimizer-lab/index.d.ts`],
};

/** A fresh tsconfig for a workspace of objective files (the runner bundles them with esbuild). */
export function newTsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      paths: TYPE_PATHS,
    },
    exclude: ['node_modules', TYPES_DIR],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export class TsconfigError extends Error {}

/** Adds the paths to an existing tsconfig's text; returns undefined when nothing changes. */
export function patchTsconfig(text: string): string | undefined {
  const errors: ParseError[] = [];
  const config: unknown = parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TsconfigError('tsconfig.json is not a valid JSON object; add the paths by hand');
  }
  const options = (config as { compilerOptions?: { paths?: Record<string, unknown> } }).compilerOptions;
  const format = { insertSpaces: true, tabSize: 2, eol: '\n' };
  let out = text;
  for (const [name, target] of Object.entries(TYPE_PATHS)) {
    if (JSON.stringify(options?.paths?.[name]) === JSON.stringify(target)) continue;
    out = applyEdits(out, modify(out, ['compilerOptions', 'paths', name], target, { formattingOptions: format }));
  }
  if (!(options && 'skipLibCheck' in options)) {
    out = applyEdits(out, modify(out, ['compilerOptions', 'skipLibCheck'], true, { formattingOptions: format }));
  }
  return out === text ? undefined : out;
}
