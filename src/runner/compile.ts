/**
 * Compiles an objective file (from disk or unsaved editor text) into one
 * CommonJS bundle in memory. TensorFlow.js imports stay external and are
 * answered with the runner's own instance at load time (one engine, so
 * gradients flow through the user's ops); relative imports are bundled.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { RunFailure } from './runFailure';

/** Every import that must resolve to the runner's TensorFlow.js instance. */
export const TF_IMPORT = /^@tensorflow\/tfjs(-core|-node)?$/;
/** The extension's own module (optimizerLabModule.ts), answered by the runner as TensorFlow.js is. */
export const OPTIMIZER_LAB_IMPORT = /^optimizer-lab$/;

export interface CompiledObjective {
  readonly file: string;
  readonly code: string;
  /** sha256 of the bundled code (replays are exact when it matches). */
  readonly sourceHash: string;
  /** The user's source files in the bundle (absolute paths). */
  readonly sources: readonly string[];
  readonly compileMs: number;
}

const tfExternal: esbuild.Plugin = {
  name: 'optlab-tfjs',
  setup(build) {
    build.onResolve({ filter: TF_IMPORT }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: OPTIMIZER_LAB_IMPORT }, (args) => ({ path: args.path, external: true }));
  },
};

/** esbuild's column is 0-based and counts UTF-8 bytes; editors count UTF-16 characters from 1. */
export function byteColumnToCharColumn(lineText: string, byteColumn: number): number {
  return Buffer.from(lineText, 'utf8').subarray(0, byteColumn).toString('utf8').length + 1;
}

export async function compileObjective(file: string, text?: string): Promise<CompiledObjective> {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const started = Date.now();
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[] };
  try {
    result = await esbuild.build({
      ...(text === undefined
        ? { entryPoints: [abs] }
        : { stdin: { contents: text, sourcefile: abs, resolveDir: dir, loader: path.extname(abs) === '.js' ? 'js' : 'ts' } }),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      sourcemap: 'inline',
      sourcesContent: false,
      metafile: true,
      absWorkingDir: dir,
      // Source-map paths are relative to the (never written) output file: keep it beside the input.
      outfile: path.join(dir, `${path.basename(abs)}.optlab.js`),
      logLevel: 'silent',
      plugins: [tfExternal],
    });
  } catch (e) {
    throw compileFailure(e, abs);
  }
  const code = result.outputFiles[0].text;
  const sources = Object.keys(result.metafile?.inputs ?? {})
    .map((p) => (p === '<stdin>' ? abs : path.resolve(dir, p)))
    .filter((p) => !p.includes(`${path.sep}node_modules${path.sep}`));
  return {
    file: abs,
    code,
    sourceHash: createHash('sha256').update(code).digest('hex'),
    sources: sources.length > 0 ? sources : [abs],
    compileMs: Date.now() - started,
  };
}

function compileFailure(e: unknown, abs: string): RunFailure {
  const errors = (e as Partial<esbuild.BuildFailure>).errors;
  const first = errors?.[0];
  if (!first) return new RunFailure({ kind: 'compile', message: (e as Error).message, file: abs });
  const loc = first.location;
  const file = loc ? (loc.file === '<stdin>' ? abs : path.resolve(path.dirname(abs), loc.file)) : abs;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return new RunFailure({
    kind: 'compile',
    message: `${first.text}${more}`,
    file,
    ...(loc ? { line: loc.line, column: byteColumnToCharColumn(loc.lineText, loc.column) } : {}),
  });
}
