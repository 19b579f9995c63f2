import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { geometryOfInfo, PATCH_KERNELS } from '../../../../src/core/compiled/convKernels';
import { im2colTransposed } from '../../../../src/core/tfjs/patchesTransposed';

/**
 * im2col written transposed (src/core/tfjs/patchesTransposed.ts) against convKernels.ts' im2col, bit for bit:
 * channel counts below, at and past the four gathered together, strides, dilations, paddings that clip
 * whole rows and columns, and a filter wider than the image.
 */
type Case = { x: [number, number, number, number]; f: [number, number, number, number]; strides: [number, number]; pad: 'same' | 'valid' | number; dilations?: [number, number] };

const CASES: Case[] = [
  { x: [2, 7, 6, 1], f: [3, 3, 1, 4], strides: [1, 1], pad: 'same' },
  { x: [3, 8, 8, 16], f: [3, 3, 16, 6], strides: [2, 2], pad: 1 },
  { x: [2, 9, 7, 3], f: [2, 3, 3, 2], strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 4], f: [3, 3, 4, 8], strides: [1, 1], pad: 1 },
  { x: [2, 5, 5, 5], f: [5, 5, 5, 3], strides: [1, 1], pad: 'same' },
  { x: [1, 8, 7, 7], f: [3, 2, 7, 5], strides: [3, 2], pad: 'valid' },
  { x: [2, 6, 6, 9], f: [2, 2, 9, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 9, 9, 2], f: [3, 3, 2, 1], strides: [1, 2], pad: 2, dilations: [2, 3] },
  { x: [2, 3, 2, 8], f: [5, 5, 8, 2], strides: [1, 1], pad: 2 },
];

describe('im2col written transposed', () => {
  it("gives convKernels.ts' im2col transposed, bit for bit, writing every number", () => {
    CASES.forEach((c, k) => {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, c.dilations ?? 1, c.pad, undefined, false, 'channelsLast');
      const g = geometryOfInfo(info);
      const x = Float32Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + k) * 3);
      const pixels = info.batchSize * info.outHeight * info.outWidth;
      const taps = c.f[0] * c.f[1] * c.f[2];
      const patches = new Float32Array(pixels * taps);
      PATCH_KERNELS.im2col(x, patches, g);
      // NaN everywhere first: a number left unwritten shows.
      const patchesT = new Float32Array(pixels * taps).fill(NaN);
      im2colTransposed(x, patchesT, g);
      for (let p = 0; p < pixels; p++) {
        for (let t = 0; t < taps; t++) {
          assert.ok(Object.is(patchesT[t * pixels + p], patches[p * taps + t]), `case ${k} [tap ${t}, pixel ${p}]: ${patchesT[t * pixels + p]} vs ${patches[p * taps + t]}`);
        }
      }
    });
  });
});
