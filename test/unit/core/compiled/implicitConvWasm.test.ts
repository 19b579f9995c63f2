import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { PATCH_KERNELS, patchesFloats, type ConvGeometry } from '../../../../src/core/compiled/convKernels';
import { allowFusedProducts, fusedProducts, gemm, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { implicitPlan, implicitScratchFloats, wasmImplicitConv, wasmImplicitFilterGradient } from '../../../../src/core/compiled/implicitConvWasm';
import { MemoryPlan } from '../../../../src/core/wasm/loopModule';
import { base, bits, geometryOf, values, type Geometry } from './convGeometries';

// As the runner's entry points do (src/runner/wasmFlags.ts): Node 20 has relaxed SIMD behind this flag.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/**
 * A convolution and its filter gradient reading the image in place (implicitConvWasm.ts) against im2col's patches
 * and the product over them (what runs where the implicit kernels do not), bit for bit: the same terms added in the
 * same order (the padding's 0·w left out, which changes no finite sum), the bias and relu as gemm's epilogue applies
 * them. Windows inside the image, windows reaching into padding on every side or wholly in it, odd channel counts
 * (the filter gradient over a zero-bordered copy), pixel pairs and a last single pixel, channel blocks of 16 and
 * their tails, fused multiply-adds and mul + add.
 */
const GEOMETRIES: Record<string, Geometry> = {
  'cnn conv2: 16 → 32 channels, stride 2 same (pads the bottom and right)': { ...base, inH: 16, inW: 16, inC: 16, outC: 32, fh: 3, fw: 3, sh: 2, sw: 2, bottom: 1, right: 1 },
  '8 → 4 channels, 3×3 same, stride 1, odd output width (a last single pixel)': { ...base, inH: 7, inW: 9, inC: 8, outC: 4, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  '4 → 12 channels, 5×5 stride 2, uneven padding': { ...base, batch: 3, inH: 9, inW: 8, inC: 4, outC: 12, fh: 5, fw: 5, sh: 2, sw: 2, top: 2, bottom: 1, left: 1, right: 2 },
  '20 → 8 channels, 3×2 filter, strides 2 × 3, valid (read in place, last rows unread)': { ...base, inH: 10, inW: 11, inC: 20, outC: 8, fh: 3, fw: 2, sh: 2, sw: 3 },
  '12 → 36 channels (16, 16, 4), 4×4 stride 3 same': { ...base, inH: 8, inW: 8, inC: 12, outC: 36, fh: 4, fw: 4, sh: 3, sw: 3, top: 1, bottom: 2, left: 1, right: 2 },
  '32 → 4 channels, 1×1 stride 2, valid': { ...base, batch: 1, inH: 6, inW: 5, inC: 32, outC: 4, fh: 1, fw: 1, sh: 2, sw: 2 },
  '8 → 4 channels, 2×2 stride 2, padding above the filter size (windows wholly in the padding)': { ...base, inH: 5, inW: 6, inC: 8, outC: 4, fh: 2, fw: 2, sh: 2, sw: 2, top: 3, bottom: 2, left: 2, right: 3 },
  '5 → 4 channels, 3×3 same (odd channels over padding: the gradient reads a zero-bordered copy)': { ...base, inH: 6, inW: 7, inC: 5, outC: 4, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  'cnn conv1: 1 → 16 channels, 3×3 same (runs of 3: tap pairs across filter rows, a last single tap)': { ...base, inH: 16, inW: 16, inC: 1, outC: 16, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  '3 → 8 channels, 2×3 filter, stride 2 (runs of 9, 18 taps: pairs across rows)': { ...base, inH: 7, inW: 8, inC: 3, outC: 8, fh: 2, fw: 3, sh: 2, sw: 2, left: 1, right: 1 },
};


function allocate(g: readonly number[]) {
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw] = g;
  const [pixels, taps] = [batch * outH * outW, fh * fw * inC];
  const sizes = [batch * inH * inW * inC, taps * outC, outC, pixels * outC, pixels * outC, pixels * outC, taps * outC, taps * outC, patchesFloats(g), implicitScratchFloats(g) + 4];
  const plan = new MemoryPlan();
  sizes.forEach((n) => plan.reserve(n));
  const { memory, f32 } = plan.allocate();
  registerMemory(memory);
  const [x, filter, bias, dy, expectedOut, out, expectedGradient, gradient, patches, scratch] = f32;
  return { x, filter, bias, dy, expectedOut, out, expectedGradient, gradient, patches, scratch };
}

describe('convolutions reading the image in place (implicit im2col) in WebAssembly', () => {
  afterEach(() => allowFusedProducts(true));

  for (const [what, geometry] of Object.entries(GEOMETRIES)) {
    for (const fusedKernel of [false, true]) {
      it(`${what}, ${fusedKernel ? 'fused multiply-adds' : 'mul + add'}: im2col + the product's bits, forward (bias and relu, neither) and filter gradient`, function () {
        allowFusedProducts(fusedKernel);
        if (fusedKernel && !fusedProducts()) this.skip(); // no fused relaxed_madd on this machine
        const g = geometryOf(geometry);
        assert.ok(implicitPlan(g), 'the geometry has a plan');
        const [batch, , , , outH, outW, outC, fh, fw] = g;
        const [pixels, taps] = [batch * outH * outW, fh * fw * g[3]];
        const a = allocate(g);
        a.x.set(values(a.x.length, 1));
        a.filter.set(values(a.filter.length, 2).map((v) => 0.3 * v));
        a.bias.set(values(a.bias.length, 3));
        a.dy.set(values(a.dy.length, 4));
        PATCH_KERNELS.im2col(a.x, a.patches, g);
        for (const [bias, relu] of [[a.bias, true], [undefined, false]] as const) {
          gemm(a.patches, a.filter, a.expectedOut, pixels, taps, outC, false, false, bias || relu ? { bias, relu } : undefined);
          a.out.fill(NaN);
          assert.ok(wasmImplicitConv(a.x, a.filter, a.out, g, bias, relu), 'the forward ran in WebAssembly');
          assert.deepEqual(bits(a.out), bits(a.expectedOut), `forward, ${bias ? 'bias and relu' : 'no epilogue'}`);
          if (relu) assert.ok(a.out.some((v) => v === 0), 'the relu clips something');
        }
        gemm(a.patches, a.dy, a.expectedGradient, taps, pixels, outC, true, false);
        a.gradient.fill(NaN);
        // With an odd inC over padding the gradient makes its zero-bordered images in scratch itself.
        a.scratch.fill(NaN);
        assert.ok(wasmImplicitFilterGradient(a.x, a.dy, a.gradient, a.scratch, g), 'the filter gradient ran in WebAssembly');
        assert.deepEqual(bits(a.gradient), bits(a.expectedGradient), 'filter gradient');
      });
    }
  }

  it('declines (nothing written) without a plan or outside a registered memory: 6 outputs, dilation 2, plain arrays', () => {
    const g = geometryOf(GEOMETRIES['8 → 4 channels, 3×3 same, stride 1, odd output width (a last single pixel)']);
    for (const [index, value] of [[6, 6], [11, 2]] as const) {
      const changed = [...g];
      changed[index] = value;
      assert.equal(implicitPlan(changed), undefined, `geometry entry ${index} = ${value}`);
    }
    const sixOutputs = [...g];
    sixOutputs[6] = 6;
    const a = allocate(sixOutputs);
    a.out.fill(7);
    assert.equal(wasmImplicitConv(a.x, a.filter, a.out, sixOutputs as ConvGeometry), false);
    assert.ok(a.out.every((v) => v === 7));
    const [batch, inH, inW, inC, outH, outW, outC, fh, fw] = g;
    const plain = new Float32Array(batch * outH * outW * outC).fill(7);
    const declined = wasmImplicitConv(new Float32Array(batch * inH * inW * inC), new Float32Array(fh * fw * inC * outC), plain, g);
    assert.equal(declined, false);
    assert.ok(plain.every((v) => v === 7));
  });
});
