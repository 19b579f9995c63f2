import { strict as assert } from 'node:assert';
import { PATCH_KERNELS, type ConvGeometry } from '../../../../src/core/compiled/convKernels';
import { registerMemory } from '../../../../src/core/compiled/gemmKernels';

/**
 * im2col and col2im over a compiled program's memory, a row of the image's runs per WebAssembly call
 * (stridedRuns.ts), against the same functions on plain arrays (the JS loops), bit for bit: edges on
 * both sides, strides below and above the filter width (overlapping windows add into one element in
 * the loops' order), padding rows, run tails of 4-byte steps, a dilated height.
 */
interface Geometry { batch: number; inH: number; inW: number; inC: number; fh: number; fw: number; sh: number; sw: number; dh: number; top: number; bottom: number; left: number; right: number }

const GEOMETRIES: Geometry[] = [
  { batch: 2, inH: 16, inW: 16, inC: 16, fh: 3, fw: 3, sh: 2, sw: 2, dh: 1, top: 0, bottom: 1, left: 0, right: 1 },
  { batch: 2, inH: 7, inW: 9, inC: 6, fh: 3, fw: 3, sh: 1, sw: 1, dh: 1, top: 1, bottom: 1, left: 1, right: 1 },
  { batch: 1, inH: 8, inW: 10, inC: 5, fh: 2, fw: 4, sh: 1, sw: 3, dh: 2, top: 2, bottom: 0, left: 2, right: 3 },
  { batch: 3, inH: 6, inW: 6, inC: 9, fh: 3, fw: 2, sh: 2, sw: 1, dh: 1, top: 0, bottom: 0, left: 0, right: 0 },
];

function geometryOf(g: Geometry): ConvGeometry {
  const outH = Math.floor((g.inH + g.top + g.bottom - ((g.fh - 1) * g.dh + 1)) / g.sh) + 1;
  const outW = Math.floor((g.inW + g.left + g.right - g.fw) / g.sw) + 1;
  return [g.batch, g.inH, g.inW, g.inC, outH, outW, 1, g.fh, g.fw, g.sh, g.sw, g.dh, 1, g.top, g.left];
}

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37) * 3 + 1e-3 * Math.cos(i));

describe('im2col and col2im with a row of runs per WebAssembly call', () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  registerMemory(memory);
  let at = 0;
  const take = (n: number) => {
    const view = new Float32Array(memory.buffer, at, n);
    at += Math.ceil((4 * n) / 16) * 16 + 16;
    return view;
  };

  GEOMETRIES.forEach((geometry, k) => {
    it(`geometry ${k}: the same patches and the same sums as the JS loops`, () => {
      at = 0;
      const g = geometryOf(geometry);
      const imageSize = g[0] * g[1] * g[2] * g[3];
      const patchSize = g[0] * g[4] * g[5] * g[7] * g[8] * g[3];
      const image = values(imageSize, k);
      const patches = values(patchSize, k + 10);
      const [inMemory, patchesInMemory, dxInMemory] = [take(imageSize), take(patchSize), take(imageSize)];
      inMemory.set(image);
      patchesInMemory.fill(7);
      const expected = new Float32Array(patchSize).fill(7);
      PATCH_KERNELS.im2col(image, expected, g);
      PATCH_KERNELS.im2col(inMemory, patchesInMemory, g);
      assert.deepEqual(new Int32Array(patchesInMemory.slice().buffer), new Int32Array(expected.buffer), 'im2col');
      const expectedDx = new Float32Array(imageSize);
      PATCH_KERNELS.col2im(patches, expectedDx, g);
      patchesInMemory.set(patches);
      dxInMemory.fill(5);
      PATCH_KERNELS.col2im(patchesInMemory, dxInMemory, g);
      assert.deepEqual(new Int32Array(dxInMemory.slice().buffer), new Int32Array(expectedDx.buffer), 'col2im');
    });
  });
});
