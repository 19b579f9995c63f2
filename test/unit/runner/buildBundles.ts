import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(__dirname, '../../..');
let built: Promise<{ dir: string; runner: string; cli: string }> | undefined;

/**
 * Bundles src/runner/main.ts and cli.ts into a fresh folder (as
 * scripts/build.mjs does for dist/), so the child-process tests run on a fresh
 * clone without a prior `npm run build` and never race another build of dist/.
 */
export function buildBundles(): Promise<{ dir: string; runner: string; cli: string }> {
  built ??= (async () => {
    // Inside the repository (git-ignored) so the bundles resolve esbuild and tfjs from its node_modules.
    fs.mkdirSync(path.join(ROOT, '.artifacts'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(ROOT, '.artifacts', 'test-runner-'));
    const common = {
      bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node20', sourcemap: true,
      external: ['@tensorflow/tfjs-node', 'esbuild'], logLevel: 'silent' as const,
    };
    await Promise.all([
      esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/runner/main.ts')], outfile: path.join(dir, 'runner.js') }),
      esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'src/runner/cli.ts')], outfile: path.join(dir, 'cli.js') }),
    ]);
    return { dir, runner: path.join(dir, 'runner.js'), cli: path.join(dir, 'cli.js') };
  })();
  return built;
}
