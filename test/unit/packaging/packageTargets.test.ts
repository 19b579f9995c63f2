// The per-target choices of packaging (no network): which esbuild package and file each
// VS Code target takes, and where the runner bundle looks for its binary on each platform.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { TARGETS, esbuildBanner, hostTarget, targetInfo } from '../../../scripts/packageTargets.mjs';

/** Runs the runner bundle's banner as Node would on `platform`, with that platform's path module. */
function bannerLookup(platform: string, dirname: string, env: Record<string, string> = {}): string | undefined {
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const processLike = { platform, env: { ...env } };
  vm.runInNewContext(esbuildBanner(), { process: processLike, require: (id: string) => (id === 'path' ? pathApi : assert.fail(id)), __dirname: dirname });
  return processLike.env.ESBUILD_BINARY_PATH;
}

describe('packaging: targets', function () {
  it('covers the six desktop targets of VS Code and Alpine', function () {
    assert.deepEqual(Object.keys(TARGETS).sort(), ['alpine-x64', 'darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64']);
  });

  it("takes each target's binary from esbuild's package for the same platform and arch", function () {
    const expected: Record<string, [string, string, string, string]> = {
      'linux-x64': ['@esbuild/linux-x64', 'package/bin/esbuild', 'esbuild', 'elf'],
      'linux-arm64': ['@esbuild/linux-arm64', 'package/bin/esbuild', 'esbuild', 'elf'],
      'alpine-x64': ['@esbuild/linux-x64', 'package/bin/esbuild', 'esbuild', 'elf'],
      'darwin-x64': ['@esbuild/darwin-x64', 'package/bin/esbuild', 'esbuild', 'macho'],
      'darwin-arm64': ['@esbuild/darwin-arm64', 'package/bin/esbuild', 'esbuild', 'macho'],
      'win32-x64': ['@esbuild/win32-x64', 'package/esbuild.exe', 'esbuild.exe', 'pe'],
      'win32-arm64': ['@esbuild/win32-arm64', 'package/esbuild.exe', 'esbuild.exe', 'pe'],
    };
    for (const [target, [pkg, file, dist, format]] of Object.entries(expected)) {
      const info = targetInfo(target);
      assert.deepEqual([info.npmPackage, info.fileInTarball, info.distFile, info.format], [pkg, file, dist, format], target);
      assert.equal(info.arch, target.split('-')[1]);
    }
  });

  it('names an unknown target and the known ones', function () {
    assert.throws(() => targetInfo('linux-armhf'), /unknown target 'linux-armhf' \(known: linux-x64, .*win32-arm64/);
    assert.throws(() => hostTarget('sunos', 'x64'), /unknown target 'sunos-x64'/);
    assert.equal(hostTarget('darwin', 'arm64'), 'darwin-arm64');
  });
});

describe('packaging: the runner finds its esbuild binary', function () {
  it('on Windows: esbuild.exe beside the bundle, drive, UNC and long-path forms', function () {
    assert.equal(bannerLookup('win32', 'C:\\Users\\Ada Lovelace\\.vscode\\extensions\\optimizer-lab.optimizer-lab-0.1.0-win32-x64\\dist'),
      'C:\\Users\\Ada Lovelace\\.vscode\\extensions\\optimizer-lab.optimizer-lab-0.1.0-win32-x64\\dist\\esbuild.exe');
    assert.equal(bannerLookup('win32', '\\\\server\\share\\ext\\dist'), '\\\\server\\share\\ext\\dist\\esbuild.exe');
    assert.equal(bannerLookup('win32', '\\\\?\\D:\\code\\ext\\dist'), '\\\\?\\D:\\code\\ext\\dist\\esbuild.exe');
  });

  it('on macOS and Linux: esbuild (no extension), paths with spaces kept', function () {
    assert.equal(bannerLookup('darwin', '/Users/ada/Library/Application Support/Code/extensions/ol/dist'), '/Users/ada/Library/Application Support/Code/extensions/ol/dist/esbuild');
    assert.equal(bannerLookup('linux', '/home/ada/.vscode-server/extensions/ol-linux-arm64/dist'), '/home/ada/.vscode-server/extensions/ol-linux-arm64/dist/esbuild');
  });

  it('leaves a binary path set by the user alone', function () {
    assert.equal(bannerLookup('win32', 'C:\\ext\\dist', { ESBUILD_BINARY_PATH: 'D:\\tools\\esbuild.exe' }), 'D:\\tools\\esbuild.exe');
  });
});
