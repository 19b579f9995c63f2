/**
 * The checks every platform's .vsix must pass (npm run package's in the e2e suite, every one
 * of npm run package:all's in allTargets.test.ts): small, the target's esbuild binary only
 * (format and machine read from its header, executable), the wasm backend, the icon.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { ESBUILD_BINARY_FILES, targetInfo } from '../../scripts/packageTargets.mjs';
import { zipEntries } from '../e2e/harness/zipEntries';
import { binaryKind } from './binaryFormat';

export const MAX_VSIX_BYTES = 15 * 1024 * 1024;
const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

/** Width and height from a PNG's IHDR chunk (right after the 8-byte signature). */
export function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.toString('latin1', 1, 4), 'PNG', 'not a PNG');
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Asserts that `vsix` is a package for `target`; returns its size in bytes. */
export function checkTargetPackage(vsix: string, target: string): number {
  const info = targetInfo(target);
  const bytes = fs.statSync(vsix).size;
  assert.ok(bytes < MAX_VSIX_BYTES, `${target}: ${bytes} bytes`);
  const entries = zipEntries(vsix);
  const entry = (name: string) => entries.find((e) => e.name === name) ?? assert.fail(`${target}: missing ${name}`);

  const esbuild = entry(`extension/dist/${info.distFile}`);
  assert.equal(esbuild.mode & 0o111, 0o111, `${target}: dist/${info.distFile} is executable (mode ${esbuild.mode.toString(8)})`);
  assert.deepEqual(binaryKind(esbuild.read()), { format: info.format, arch: info.arch }, `${target}: dist/${info.distFile}`);
  // Nothing else native: no other platform's esbuild under any name.
  const otherNames = ESBUILD_BINARY_FILES.filter((f) => f !== info.distFile).map((f) => `extension/dist/${f}`);
  assert.deepEqual(entries.filter((e) => otherNames.includes(e.name)).map((e) => e.name), [], target);
  const natives = entries.filter((e) => e !== esbuild && binaryKind(e.read()) !== undefined).map((e) => e.name);
  assert.deepEqual(natives, [], `${target}: other native binaries`);

  for (const wasm of WASM_FILES) assert.deepEqual(entry(`extension/dist/${wasm}`).read().subarray(0, 4), WASM_MAGIC, `${target}: ${wasm}`);
  const manifest = entry('extension.vsixmanifest').read().toString('utf8');
  assert.match(manifest, new RegExp(`TargetPlatform="${target}"`), `${target}: vsixmanifest's TargetPlatform`);

  const packageJson = JSON.parse(entry('extension/package.json').read().toString('utf8')) as { icon: string };
  assert.deepEqual(pngSize(entry(`extension/${packageJson.icon}`).read()), { width: 128, height: 128 }, `${target}: icon`);
  return bytes;
}
