// The VS Code targets a .vsix is made for, and which of esbuild's per-platform npm packages
// carries each one's binary. The only list of targets: scripts/packageAll.mjs, the build's
// runtime lookup (esbuildBanner) and the package tests all read it.

/** VS Code target → the npm package holding esbuild's binary for it. */
export const TARGETS = Object.freeze({
  'linux-x64': '@esbuild/linux-x64',
  'linux-arm64': '@esbuild/linux-arm64',
  'darwin-x64': '@esbuild/darwin-x64',
  'darwin-arm64': '@esbuild/darwin-arm64',
  'win32-x64': '@esbuild/win32-x64',
  'win32-arm64': '@esbuild/win32-arm64',
  // Alpine is linux on musl: esbuild's linux binaries are static Go programs, so linux-x64's runs there.
  'alpine-x64': '@esbuild/linux-x64',
});

/** The file names esbuild's binary can have in dist/ (every other one is left out of a package). */
export const ESBUILD_BINARY_FILES = Object.freeze(['esbuild', 'esbuild.exe']);

/** The binary's file name on a Node platform (process.platform, or a target's first part). */
export function esbuildBinaryFile(platform) {
  return platform === 'win32' ? 'esbuild.exe' : 'esbuild';
}

/** A target's parts: its Node platform and arch, and the binary format and machine its esbuild must have. */
export function targetInfo(target) {
  const npmPackage = TARGETS[target];
  if (npmPackage === undefined) throw new Error(`unknown target '${target}' (known: ${Object.keys(TARGETS).join(', ')})`);
  const [os, arch] = target.split('-');
  const platform = os === 'alpine' ? 'linux' : os;
  const format = { linux: 'elf', darwin: 'macho', win32: 'pe' }[platform];
  return {
    target,
    platform,
    arch,
    format,
    npmPackage,
    /** Where the binary sits inside the npm package's tarball (npm pack puts everything under package/). */
    fileInTarball: platform === 'win32' ? 'package/esbuild.exe' : 'package/bin/esbuild',
    /** Its name in dist/ and in the .vsix (extension/dist/<distFile>). */
    distFile: esbuildBinaryFile(platform),
  };
}

/** The target of the machine running this (VS Code's names are Node's platform-arch pairs). */
export function hostTarget(platform = process.platform, arch = process.arch) {
  const target = `${platform}-${arch}`;
  targetInfo(target);
  return target;
}

/**
 * The runner bundle's first lines: esbuild's JS API is bundled (no node_modules ship) and runs the
 * binary next to the bundle, chosen when the runner starts (the same bundle ships for every target).
 * esbuild allows a bundled API only when ESBUILD_BINARY_PATH names its binary.
 */
export function esbuildBanner() {
  return [
    // First, so the bundle stays in strict mode (esbuild's own "use strict" follows the banner).
    `'use strict';`,
    `if (!process.env.ESBUILD_BINARY_PATH) process.env.ESBUILD_BINARY_PATH = require('path').join(__dirname, (${esbuildBinaryFile.toString()})(process.platform));`,
  ].join('\n');
}
