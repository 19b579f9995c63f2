import { strict as assert } from 'node:assert';
import { PATCH_KERNELS, patchesFloats, type ConvGeometry } from '../../../../src/core/compiled/convKernels';
import { registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { paddedImageFloats, wasmPatches, wasmPatchesOn } from '../../../../src/core/compiled/wasmPatches';
import type { MemorySharing } from '../../../../src/core/wasm/binary';
import { MemoryPlan, sharedMemory } from '../../../../src/core/wasm/loopModule';

/**
 * im2col and col2im in one WebAssembly call over a compiled program's memory (wasmPatches.ts) against the
 * same functions on plain arrays (the JS loops and the index-map gather), bit for bit: one channel (runs of
 * 1-3 numbers), long runs with tails of 4-byte steps, strides below and above the filter width (overlapping
 * windows add into one element in the loops' order), dilation along both axes, 'same', 'valid' and explicit
 * padding with edges on every side, and windows entirely in the padding. Each on a program's shared memory
 * and on an unshared one (TensorFlow.js wasm backend's heap is one: wasmPatchesOn).
 */
interface Geometry { batch: number; inH: number; inW: number; inC: number; fh: number; fw: number; sh: number; sw: number; dh: number; dw: number; top: number; bottom: number; left: number; right: number }

const base = { batch: 2, sh: 1, sw: 1, dh: 1, dw: 1, top: 0, bottom: 0, left: 0, right: 0 };
const GEOMETRIES: Record<string, Geometry> = {
  'cnn conv1: 1 channel, 3×3 same': { ...base, inH: 16, inW: 16, inC: 1, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  'cnn conv2: 16 channels, stride 2 same (pad bottom and right)': { ...base, inH: 16, inW: 16, inC: 16, fh: 3, fw: 3, sh: 2, sw: 2, bottom: 1, right: 1 },
  '1 channel valid, batch 3': { ...base, batch: 3, inH: 12, inW: 12, inC: 1, fh: 3, fw: 3 },
  '3 channels (9-number runs), stride 2, edges on every side': { ...base, inH: 9, inW: 11, inC: 3, fh: 3, fw: 3, sh: 2, sw: 2, top: 1, bottom: 1, left: 1, right: 1 },
  '6 channels same 1': { ...base, inH: 7, inW: 9, inC: 6, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  'dilated height, stride above the filter width': { ...base, batch: 1, inH: 8, inW: 10, inC: 5, fh: 2, fw: 4, sw: 3, dh: 2, top: 2, left: 2, right: 3 },
  'dilation 2 along both axes, 1 channel, padding on every side': { ...base, inH: 9, inW: 10, inC: 1, fh: 3, fw: 3, dh: 2, dw: 2, top: 2, bottom: 2, left: 2, right: 1 },
  'dilation [1, 3], 4 channels, explicit padding': { ...base, inH: 6, inW: 12, inC: 4, fh: 2, fw: 3, dw: 3, sw: 2, top: 1, left: 3, right: 2 },
  'windows entirely in the padding (pads above the filter size)': { ...base, inH: 5, inW: 6, inC: 2, fh: 2, fw: 2, sh: 2, sw: 2, top: 3, bottom: 4, left: 4, right: 3 },
  'no padding, stride 2 height only': { ...base, batch: 3, inH: 6, inW: 6, inC: 9, fh: 3, fw: 2, sh: 2 },
  '32 channels (runs too long to unroll: a loop per filter row)': { ...base, inH: 6, inW: 7, inC: 32, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  '5 channels, 2×2 filter, valid (unrolled adds with 4-byte tails)': { ...base, inH: 5, inW: 6, inC: 5, fh: 2, fw: 2 },
  'filter wider than the image': { ...base, batch: 1, inH: 3, inW: 2, inC: 7, fh: 1, fw: 5, top: 0, left: 2, right: 2 },
  '1 channel, 5×5 same (padded first when there is room)': { ...base, inH: 7, inW: 6, inC: 1, fh: 5, fw: 5, top: 2, bottom: 2, left: 2, right: 2 },
  '2 channels, stride 3 × 2, pads only the bottom and right, last rows unread': { ...base, inH: 9, inW: 8, inC: 2, fh: 3, fw: 3, sh: 3, sw: 2, bottom: 1, right: 1 },
  '1 channel, dilation 2 along the height, padding on the left only': { ...base, batch: 3, inH: 8, inW: 6, inC: 1, fh: 3, fw: 4, dh: 2, left: 3 },
};

function geometryOf(g: Geometry): ConvGeometry {
  const outH = Math.floor((g.inH + g.top + g.bottom - ((g.fh - 1) * g.dh + 1)) / g.sh) + 1;
  const outW = Math.floor((g.inW + g.left + g.right - ((g.fw - 1) * g.dw + 1)) / g.sw) + 1;
  return [g.batch, g.inH, g.inW, g.inC, outH, outW, 1, g.fh, g.fw, g.sh, g.sw, g.dh, g.dw, g.top, g.left];
}

/**
 * Buffers of these sizes in one memory of this sharing, and im2col/col2im through the path that memory takes:
 * a registered program memory through PATCH_KERNELS (wasmPatches first), an unshared one through wasmPatchesOn.
 */
function allocate(sizes: readonly number[], sharing: MemorySharing): { memory: WebAssembly.Memory; f32: Float32Array[]; kernels: typeof PATCH_KERNELS } {
  const plan = new MemoryPlan();
  const buffers = sizes.map((n) => plan.reserve(n));
  if (sharing === 'shared') {
    const { memory, f32 } = plan.allocate();
    registerMemory(memory);
    return { memory, f32, kernels: PATCH_KERNELS };
  }
  const memory = new WebAssembly.Memory({ initial: plan.pages });
  const f32 = buffers.map((k) => new Float32Array(memory.buffer, plan.address(k), sizes[k]));
  const onMemory = (kind: 'im2col' | 'col2im') => (x: Float32Array, y: Float32Array, g: ConvGeometry) =>
    assert.ok(kind === 'im2col' ? wasmPatchesOn(memory, kind, x, y, g) : wasmPatchesOn(memory, kind, y, x, g), `${kind} on the unshared memory`);
  return { memory, f32, kernels: { im2col: onMemory('im2col'), col2im: onMemory('col2im') } };
}

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37) * 3 + 1e-3 * Math.cos(i));
const bits = (a: Float32Array) => new Int32Array(a.slice().buffer);

describe('im2col and col2im in one WebAssembly call per convolution', () => {
  for (const sharing of ['shared', 'unshared'] as const) {
    Object.entries(GEOMETRIES).forEach(([what, geometry], k) => {
      it(`${what}, ${sharing} memory: the same patches and the same sums as the JS loops`, () => {
        const g = geometryOf(geometry);
        const imageSize = g[0] * g[1] * g[2] * g[3];
        const patchSize = g[0] * g[4] * g[5] * g[7] * g[8] * g[3];
        const [image, patches, dx] = [0, 1, 2];
        const { memory, f32, kernels } = allocate([imageSize, patchSize, imageSize], sharing);
        // Every number of the memory outside the three buffers stays −9 (a 16-byte step past a buffer's end changes one).
        const whole = new Float32Array(memory.buffer);
        whole.fill(-9);
        const input = values(imageSize, k);
        const patchValues = values(patchSize, k + 10);

        const expected = new Float32Array(patchSize).fill(7);
        PATCH_KERNELS.im2col(input, expected, g);
        f32[image].set(input);
        f32[patches].fill(7);
        if (sharing === 'shared') assert.ok(wasmPatches('im2col', f32[image], f32[patches], g), 'the WebAssembly path applies');
        kernels.im2col(f32[image], f32[patches], g);
        assert.deepEqual(bits(f32[patches]), bits(expected), 'im2col');

        const expectedDx = new Float32Array(imageSize).fill(5);
        PATCH_KERNELS.col2im(patchValues, expectedDx, g);
        f32[patches].set(patchValues);
        f32[dx].fill(5);
        kernels.col2im(f32[patches], f32[dx], g);
        assert.deepEqual(bits(f32[dx]), bits(expectedDx), 'col2im');
        const inside = (i: number) => f32.some((view) => i >= view.byteOffset / 4 && i < view.byteOffset / 4 + view.length);
        assert.equal(whole.findIndex((v, i) => v !== -9 && !inside(i)), -1, 'nothing written outside the buffers');
      });
    });
  }

  const paddedFirst = Object.entries(GEOMETRIES).filter(([, geometry]) => paddedImageFloats(geometryOf(geometry)) > 0);
  it('pads first where its windows read padding and the padded copy is at most a quarter of the patches (stride 1), not elsewhere', () => {
    assert.deepEqual(paddedFirst.map(([what]) => what).sort(), [
      '1 channel, 5×5 same (padded first when there is room)', '1 channel, dilation 2 along the height, padding on the left only', 'cnn conv1: 1 channel, 3×3 same',
      '32 channels (runs too long to unroll: a loop per filter row)', '6 channels same 1',
    ].sort());
  });
  for (const sharing of ['shared', 'unshared'] as const) {
    paddedFirst.forEach(([what, geometry], k) => {
      it(`${what}, ${sharing} memory, with room for the padded image: the same patches, the padded image after them`, () => {
        const g = geometryOf(geometry);
        const imageSize = g[0] * g[1] * g[2] * g[3];
        const patchSize = g[0] * g[4] * g[5] * g[7] * g[8] * g[3];
        const [image, patches] = [0, 1];
        const { memory, f32, kernels } = allocate([imageSize, patchesFloats(g)], sharing);
        const whole = new Float32Array(memory.buffer);
        whole.fill(-9);
        const input = values(imageSize, k + 20);
        const expected = new Float32Array(patchSize);
        PATCH_KERNELS.im2col(input, expected, g);
        f32[image].set(input);
        kernels.im2col(f32[image], f32[patches], g);
        assert.deepEqual(bits(f32[patches].subarray(0, patchSize)), bits(expected), 'im2col');
        // The padded image: rows from −top, columns from −left, as many as the windows span; zeros outside the image.
        const [batch, inH, inW, inC, outH, outW, , fh, fw, sh, sw, dh, dw, top, left] = g as number[];
        const [height, width] = [(outH - 1) * sh + (fh - 1) * dh + 1, (outW - 1) * sw + (fw - 1) * dw + 1];
        const padded = Array.from({ length: batch * height * width * inC }, (_, i) => {
          const [c, x, y, b] = [i % inC, Math.floor(i / inC) % width - left, Math.floor(i / (inC * width)) % height - top, Math.floor(i / (inC * width * height))];
          return y >= 0 && y < inH && x >= 0 && x < inW ? input[((b * inH + y) * inW + x) * inC + c] : 0;
        });
        assert.deepEqual(Array.from(f32[patches].subarray(patchSize)), padded, 'the padded image');
        const inside = (i: number) => f32.some((view) => i >= view.byteOffset / 4 && i < view.byteOffset / 4 + view.length);
        assert.equal(whole.findIndex((v, i) => v !== -9 && !inside(i)), -1, 'nothing written outside the buffers');
      });
    });
  }

  it('an unshared memory: views taken before its growth are declined (nothing written), views taken after run on the same memory; the geometry then runs on a shared memory too', () => {
    const g = geometryOf({ ...base, batch: 2, inH: 5, inW: 6, inC: 3, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 });
    const [imageSize, patchSize] = [g[0] * g[1] * g[2] * g[3], g[0] * g[4] * g[5] * g[7] * g[8] * g[3]];
    const expected = new Float32Array(patchSize);
    PATCH_KERNELS.im2col(values(imageSize, 4), expected, g);
    const { memory, f32 } = allocate([imageSize, patchSize], 'unshared');
    f32[0].set(values(imageSize, 4));
    assert.ok(wasmPatchesOn(memory, 'im2col', f32[0], f32[1], g));
    assert.deepEqual(bits(f32[1]), bits(expected));
    const places = f32.map((view) => [view.byteOffset, view.length] as const);
    memory.grow(1);
    // The old views are detached (length 0): declined, not run on the addresses they had.
    assert.equal(wasmPatchesOn(memory, 'im2col', f32[0], f32[1], g), false);
    const [image, patches] = places.map(([at, length]) => new Float32Array(memory.buffer, at, length));
    patches.fill(3);
    assert.ok(wasmPatchesOn(memory, 'im2col', image, patches, g));
    assert.deepEqual(bits(patches), bits(expected));
    // A shared memory of the same geometry (object) takes its own module and instance.
    const shared = allocate([imageSize, patchSize], 'shared');
    shared.f32[0].set(values(imageSize, 4));
    assert.ok(wasmPatches('im2col', shared.f32[0], shared.f32[1], g));
    assert.deepEqual(bits(shared.f32[1]), bits(expected));
    assert.ok(wasmPatchesOn(memory, 'col2im', image, patches, g), 'back on the unshared memory');
  });

  it('views of one memory made on either side of another memory\'s growth (their buffer objects differ) still take the WebAssembly path', () => {
    const g = geometryOf({ ...base, batch: 1, inH: 4, inW: 4, inC: 1, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 });
    const plan = new MemoryPlan();
    const [image, patches] = [16, 144].map((n) => plan.reserve(n));
    const { memory, f32 } = plan.allocate();
    registerMemory(memory);
    sharedMemory(1).grow(1);
    const patchesLater = new Float32Array(memory.buffer, f32[patches].byteOffset, 144);
    f32[image].set(values(16, 3));
    assert.ok(wasmPatches('im2col', f32[image], patchesLater, g));
    const expected = new Float32Array(144);
    PATCH_KERNELS.im2col(values(16, 3), expected, g);
    assert.deepEqual(bits(patchesLater), bits(expected));
  });

  it('a sum of overlapping windows is not the float64 sum rounded once (the order of additions is what is checked)', () => {
    // Stride 1, 3 taps: each element of dx is three float32 additions; with these values their order changes the bits.
    const g = geometryOf({ ...base, batch: 1, inH: 1, inW: 5, inC: 1, fh: 1, fw: 3 });
    const patchValues = Float32Array.from([1, 1e8, -1e8, 3, 1e-3, 7, 0.1, 0.2, 0.3]);
    const dx = new Float32Array(5);
    PATCH_KERNELS.col2im(patchValues, dx, g);
    const plan = new MemoryPlan();
    const [patches, dxAt] = [9, 5].map((n) => plan.reserve(n));
    const { memory, f32 } = plan.allocate();
    registerMemory(memory);
    f32[patches].set(patchValues);
    PATCH_KERNELS.col2im(f32[patches], f32[dxAt], g);
    assert.deepEqual(bits(f32[dxAt]), bits(dx));
    // dx[2] = ((−1e8 + 3) + 0.1): float32 additions in patch order.
    assert.equal(f32[dxAt][2], Math.fround(Math.fround(-1e8 + 3) + Math.fround(0.1)));
  });
});
