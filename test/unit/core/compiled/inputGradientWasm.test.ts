import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import type { ConvGeometry } from '../../../../src/core/compiled/convKernels';
import { allowFusedProducts, fusedProducts, registerMemory } from '../../../../src/core/compiled/gemmKernels';
import { inputGradientScratchFloats, phasePlan, wasmInputGradient } from '../../../../src/core/compiled/inputGradientWasm';
import { MemoryPlan } from '../../../../src/core/wasm/loopModule';
import { base, bits, geometryOf, values, type Geometry } from './convGeometries';
import { fusedMultiplyAdd32 } from './fusedMultiplyAdd';

// As the runner's entry points do (src/runner/wasmFlags.ts): Node 20 has relaxed SIMD behind this flag.
setFlagsFromString('--experimental-wasm-relaxed-simd');

/**
 * Conv2DBackpropInput phase by phase (inputGradientWasm.ts) against dx summed in JS in the kernel's order: for
 * each element, the taps that reach it (fy, then fx) and for each dy's channels in order, every term added to one
 * float32 accumulator as the kernel adds it (fused or mul + add). Bit for bit, so a wrong tap, offset, phase or
 * border shows; dx is filled with NaN first, so an element no phase writes shows too.
 */
const GEOMETRIES: Record<string, Geometry> = {
  'cnn conv2: 16 channels, stride 2 same (pads the bottom and right)': { ...base, inH: 16, inW: 16, inC: 16, outC: 32, fh: 3, fw: 3, sh: 2, sw: 2, bottom: 1, right: 1 },
  '8 channels, 3×3 same, stride 1 (one phase, a border on every side)': { ...base, inH: 7, inW: 9, inC: 8, outC: 5, fh: 3, fw: 3, top: 1, bottom: 1, left: 1, right: 1 },
  '4 channels, 5×5 stride 2, odd rows per phase': { ...base, batch: 3, inH: 9, inW: 8, inC: 4, outC: 6, fh: 5, fw: 5, sh: 2, sw: 2, top: 2, bottom: 1, left: 1, right: 2 },
  '20 channels (a block of 16, then 4), 3×2 filter, strides 2 × 3, valid': { ...base, inH: 10, inW: 11, inC: 20, outC: 7, fh: 3, fw: 2, sh: 2, sw: 3 },
  '36 channels (16, 16, 4), 1×1 stride 2: phases no tap reaches are 0': { ...base, batch: 1, inH: 6, inW: 5, inC: 36, outC: 3, fh: 1, fw: 1, sh: 2, sw: 2 },
  '12 channels, 4×4 stride 3 same': { ...base, inH: 8, inW: 8, inC: 12, outC: 9, fh: 4, fw: 4, sh: 3, sw: 3, top: 1, bottom: 2, left: 1, right: 2 },
  '24 channels (16, then 8), padding above the filter size': { ...base, inH: 5, inW: 6, inC: 24, outC: 2, fh: 2, fw: 2, sh: 2, sw: 2, top: 3, bottom: 2, left: 2, right: 3 },
};

type AddTerm = (x: number, y: number, acc: number) => number;

/** dx in the kernel's order of additions: taps that reach the element (fy, fx), each over dy's channels. */
function reference(g: readonly number[], dy: Float32Array, filter: Float32Array, addTerm: AddTerm): Float32Array {
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, , , top, left] = g;
  const dx = new Float32Array(batch * inH * inW * inC);
  for (let b = 0; b < batch; b++) for (let y = 0; y < inH; y++) for (let x = 0; x < inW; x++) for (let c = 0; c < inC; c++) {
    let acc = 0;
    for (let fy = 0; fy < fh; fy++) for (let fx = 0; fx < fw; fx++) {
      const [ty, tx] = [y + top - fy, x + left - fx];
      if (ty % sh !== 0 || tx % sw !== 0) continue;
      const [oy, ox] = [ty / sh, tx / sw];
      if (oy < 0 || oy >= outH || ox < 0 || ox >= outW) continue;
      for (let o = 0; o < outC; o++) acc = addTerm(dy[((b * outH + oy) * outW + ox) * outC + o], filter[((fy * fw + fx) * inC + c) * outC + o], acc);
    }
    dx[((b * inH + y) * inW + x) * inC + c] = acc;
  }
  return dx;
}


/** dy, the filter, filterT, dx and the scratch buffer in one registered memory. */
function allocate(g: readonly number[]) {
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw] = g;
  const sizes = [batch * outH * outW * outC, fh * fw * inC * outC, fh * fw * inC * outC, batch * inH * inW * inC, inputGradientScratchFloats(g)];
  const plan = new MemoryPlan();
  sizes.forEach((n) => plan.reserve(n));
  const { memory, f32 } = plan.allocate();
  registerMemory(memory);
  return { memory, f32 };
}

/** filterT[o, t] = filter[t, o] for the [taps·inC, outC] filter. */
function transposed(filter: Float32Array, rows: number, cols: number, into: Float32Array): void {
  for (let t = 0; t < rows; t++) for (let o = 0; o < cols; o++) into[o * rows + t] = filter[t * cols + o];
}

describe('Conv2DBackpropInput phase by phase in WebAssembly (no patches)', () => {
  afterEach(() => allowFusedProducts(true));

  for (const [what, geometry] of Object.entries(GEOMETRIES)) {
    for (const fusedKernel of [false, true]) {
      it(`${what}, ${fusedKernel ? 'fused multiply-adds' : 'mul + add'}: the sums in the kernel's order, bit for bit, every element written`, function () {
        allowFusedProducts(fusedKernel);
        if (fusedKernel && !fusedProducts()) this.skip(); // no fused relaxed_madd on this machine
        const g = geometryOf(geometry);
        assert.ok(phasePlan(g), 'the geometry has a plan');
        const { f32: [dy, filter, filterT, dx, scratch] } = allocate(g);
        dy.set(values(dy.length, 1));
        filter.set(values(filter.length, 2));
        transposed(filter, g[7] * g[8] * g[3], g[6], filterT);
        dx.fill(NaN);
        assert.ok(wasmInputGradient(dy, filterT, dx, scratch, g), 'ran in WebAssembly');
        const addTerm: AddTerm = fusedKernel ? fusedMultiplyAdd32 : (x, y, acc) => Math.fround(acc + Math.fround(x * y));
        const expected = reference(g, dy, filter, addTerm);
        assert.deepEqual(bits(dx), bits(expected));
      });
    }
  }

  it('the order of additions is what is checked: the float64 sums rounded once differ from the kernel\'s', () => {
    const g = geometryOf(GEOMETRIES['cnn conv2: 16 channels, stride 2 same (pads the bottom and right)']);
    const { f32: [dy, filter, filterT, dx, scratch] } = allocate(g);
    dy.set(values(dy.length, 3));
    filter.set(values(filter.length, 4));
    transposed(filter, g[7] * g[8] * g[3], g[6], filterT);
    assert.ok(wasmInputGradient(dy, filterT, dx, scratch, g));
    const once = reference(g, dy, filter, (x, y, acc) => acc + x * y);
    assert.notDeepEqual(bits(dx), bits(once));
  });

  it('declines (nothing written) without a plan or outside a registered memory: dilation 2, 6 channels, plain arrays', () => {
    const dilated = [...geometryOf(GEOMETRIES['8 channels, 3×3 same, stride 1 (one phase, a border on every side)'])];
    dilated[11] = 2;
    assert.equal(phasePlan(dilated), undefined);
    const sixChannels = geometryOf({ ...GEOMETRIES['8 channels, 3×3 same, stride 1 (one phase, a border on every side)'], inC: 6 });
    assert.equal(phasePlan(sixChannels), undefined);
    const { f32: [dy, , filterT, dx, scratch] } = allocate(sixChannels);
    dx.fill(7);
    assert.equal(wasmInputGradient(dy, filterT, dx, scratch, sixChannels as ConvGeometry), false);
    assert.ok(dx.every((v) => v === 7));
    const g = geometryOf(GEOMETRIES['8 channels, 3×3 same, stride 1 (one phase, a border on every side)']);
    const [batch, inH, inW, inC, outH, outW, outC, fh, fw] = g;
    const plain = new Float32Array(batch * inH * inW * inC).fill(7);
    const declined = wasmInputGradient(new Float32Array(batch * outH * outW * outC), new Float32Array(fh * fw * inC * outC), plain, new Float32Array(inputGradientScratchFloats(g)), g);
    assert.equal(declined, false);
    assert.ok(plain.every((v) => v === 7));
  });
});
