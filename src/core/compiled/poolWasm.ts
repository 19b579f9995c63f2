/**
 * Max pooling as WebAssembly SIMD over a compiled program's memory (poolKernels.ts calls it when
 * the image and the output are views of one registered memory and the channels come in fours):
 * four channels per vector, each window's elements compared with f32x4.gt and kept by bitselect,
 * so a window's maximum is its first strictly largest element (NaN never is; −∞ when none is
 * above it), as the JS loops and TensorFlow.js's cpu kernel find it. The gradient, for windows
 * that never overlap, tracks the winning element's address the same way and stores the upstream
 * gradient there (one term per input element: nothing to round).
 */
import { Code, encodeModule, Op, Simd } from '../wasm/binary';
import { wasmSimdSupported } from '../wasm/loopModule';
import { memoryOf } from './gemmKernels';

/** (x, out, dy) byte addresses: the geometry is in the module. */
type PoolFunction = (x: number, out: number, dy: number) => void;
interface PoolFunctions {
  readonly maxPool: PoolFunction;
  readonly maxPoolGrad: PoolFunction;
}

const BLOCK_EMPTY = 0x40;
const I32X4 = { splat: 0x11, extractLane: 0x1b, add: 0xae } as const;
const NEG_INFINITY = [0x00, 0x00, 0x80, 0xff];

/**
 * Parameters: x, out, dy (byte addresses); then locals set from the geometry's constants on entry (a module per
 * geometry: TurboFan folds them): batch, inH, inW, channels, outH, outW, fh, fw, sh, sw, top, left. The
 * gradient's `out` is dx (same layout as x); its dy is read at the output offsets.
 */
const PARAMS = ['x', 'out', 'dy', 'batch', 'inH', 'inW', 'ch', 'outH', 'outW', 'fh', 'fw', 'sh', 'sw', 'top', 'left'] as const;
type Param = (typeof PARAMS)[number];

/** counter from lo up to (not including) hi, body inside; lo and hi push an i32. */
function forRange(c: Code, counter: number, lo: () => void, hi: () => void, body: () => void): void {
  lo();
  c.set(counter).op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(counter);
  hi();
  c.op(Op.i32GeS, Op.brIf, 1);
  body();
  c.get(counter).i32(1).op(Op.i32Add).set(counter).op(Op.br, 0, Op.end, Op.end);
}

/** max / min of the two i32s on the stack (the window clipped to the image). */
const clamp = (c: Code, op: 'max' | 'min') => {
  const [a, b] = [c.local('i32'), c.local('i32')];
  c.set(b).tee(a).get(b).get(a).get(b).op(op === 'max' ? Op.i32GtS : Op.i32LtS).op(Op.select);
};

/** The windows' loops (every batch, output pixel, four channels), `each` inside with the vector's locals. */
function emitPool(grad: boolean, geometry: readonly number[]): Code {
  const c = new Code(['i32', 'i32', 'i32'], []);
  const p = (name: Param) => PARAMS.indexOf(name);
  geometry.forEach(() => c.local('i32'));
  const [b, oy, ox, ch4, r, col, r1, c1, r0, c0, image, addr, o] = Array.from({ length: 13 }, () => c.local('i32'));
  const [best, value, mask, bestAt] = [c.local('v128'), c.local('v128'), c.local('v128'), c.local('v128')];
  geometry.forEach((v, k) => c.i32(v).set(k + 3));
  if (grad) {
    // dx = 0 first (every element a window does not pick stays 0; a JS fill on a shared memory's view costs more)
    c.get(p('out')).set(addr).get(p('out')).get(p('batch')).get(p('inH')).op(Op.i32Mul).get(p('inW')).op(Op.i32Mul).get(p('ch')).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(image);
    forRange(c, o, () => c.get(addr), () => c.get(image), () => {
      c.get(o).simd(Simd.v128Const, ...new Array<number>(16).fill(0)).simdMemory(Simd.store, 0);
      c.get(o).i32(12).op(Op.i32Add).set(o); // with forRange's + 1: 16 bytes a step (channels come in fours)
    });
  }
  c.i32(0).set(o);
  forRange(c, b, () => c.i32(0), () => c.get(p('batch')), () => {
    // image = x + 4·b·inH·inW·ch
    c.get(p('x')).get(b).get(p('inH')).op(Op.i32Mul).get(p('inW')).op(Op.i32Mul).get(p('ch')).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(image);
    forRange(c, oy, () => c.i32(0), () => c.get(p('outH')), () => {
      c.get(oy).get(p('sh')).op(Op.i32Mul).get(p('top')).op(Op.i32Sub).tee(r0).i32(0);
      clamp(c, 'max');
      c.get(r0).get(p('fh')).op(Op.i32Add).get(p('inH'));
      clamp(c, 'min');
      c.set(r1).set(r0);
      forRange(c, ox, () => c.i32(0), () => c.get(p('outW')), () => {
        c.get(ox).get(p('sw')).op(Op.i32Mul).get(p('left')).op(Op.i32Sub).tee(c0).i32(0);
        clamp(c, 'max');
        c.get(c0).get(p('fw')).op(Op.i32Add).get(p('inW'));
        clamp(c, 'min');
        c.set(c1).set(c0);
        forRange(c, ch4, () => c.i32(0), () => c.get(p('ch')), () => {
          c.simd(Simd.v128Const, ...NEG_INFINITY, ...NEG_INFINITY, ...NEG_INFINITY, ...NEG_INFINITY).set(best);
          if (grad) c.i32(-1).simd(I32X4.splat).set(bestAt);
          // One window element at addr + offset: kept where strictly above the best so far (and its address, for the gradient).
          const element = (offset: number) => {
            c.get(addr).simdMemory(Simd.load, offset).tee(value).get(best).simd(Simd.f32x4Gt).set(mask);
            c.get(value).get(best).get(mask).simd(Simd.bitselect).set(best);
            if (grad) {
              c.get(addr).simd(I32X4.splat).simd(Simd.v128Const, ...[0, 4, 8, 12].flatMap((k) => [0, 8, 16, 24].map((shift) => ((k + offset) >> shift) & 0xff))).simd(I32X4.add);
              c.get(bestAt).get(mask).simd(Simd.bitselect).set(bestAt);
            }
          };
          const [fh, fw, inW, ch] = [geometry[6], geometry[7], geometry[2], geometry[3]];
          // A window inside the image (r1 − r0 = fh, c1 − c0 = fw): its elements at fixed offsets, row by row, unrolled.
          const unroll = fh * fw <= 16;
          if (unroll) {
            c.get(r1).get(r0).op(Op.i32Sub).i32(fh).op(Op.i32GeS).get(c1).get(c0).op(Op.i32Sub).i32(fw).op(Op.i32GeS, Op.i32And).op(Op.if, BLOCK_EMPTY);
            c.get(image).get(r0).get(p('inW')).op(Op.i32Mul).get(c0).op(Op.i32Add).get(p('ch')).op(Op.i32Mul).get(ch4).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(addr);
            for (let dr = 0; dr < fh; dr++) for (let dc = 0; dc < fw; dc++) element(4 * (dr * inW + dc) * ch);
            c.op(Op.else);
          }
          forRange(c, r, () => c.get(r0), () => c.get(r1), () => {
            forRange(c, col, () => c.get(c0), () => c.get(c1), () => {
              // addr = image + 4·((r·inW + col)·ch + ch4)
              c.get(image).get(r).get(p('inW')).op(Op.i32Mul).get(col).op(Op.i32Add).get(p('ch')).op(Op.i32Mul).get(ch4).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(addr);
              element(0);
            });
          });
          if (unroll) c.op(Op.end);
          if (!grad) c.get(p('out')).get(o).op(Op.i32Add).get(best).simdMemory(Simd.store, 0);
          for (let lane = 0; grad && lane < 4; lane++) {
            // dx[at] = dy[o + lane] where the lane has a maximum (at ≥ 0); dx is zero elsewhere (zeroed on entry).
            c.get(bestAt).simd(I32X4.extractLane, lane).tee(addr).i32(0).op(Op.i32GeS).op(Op.if, BLOCK_EMPTY);
            c.get(addr).get(p('x')).op(Op.i32Sub).get(p('out')).op(Op.i32Add);
            c.get(p('dy')).get(o).op(Op.i32Add).memory(Op.f32Load, 2, 4 * lane).memory(Op.f32Store, 2, 0);
            c.op(Op.end);
          }
          c.get(o).i32(16).op(Op.i32Add).set(o);
          c.get(ch4).i32(3).op(Op.i32Add).set(ch4);
        });
      });
    });
  });
  return c;
}

/** By the call's geometry buffer (a program constant); its numbers and memory are compared before use. */
const specialized = new WeakMap<object, { geometry: Float64Array; memory: WebAssembly.Memory; fns: PoolFunctions }>();
/** Modules by geometry, shared by the programs of a session. */
const modules = new Map<string, WebAssembly.Module>();
const MODULES_MAX = 256;

/**
 * The pool functions for geometry g (batch, inH, inW, channels, outH, outW, fh, fw, sh, sw, top, left) when x and
 * out are views of one registered program memory and channels come in fours.
 */
export function wasmPoolFor(x: Float32Array, out: Float32Array, g: Float32Array | readonly number[]): PoolFunctions | undefined {
  const memory = memoryOf(x);
  // The gradient marks "no maximum" with address −1 and tests the sign: addresses must stay below 2 GiB.
  if (!memory || memoryOf(out) !== memory || g[3] % 4 !== 0 || memory.buffer.byteLength > 2 ** 31 || !wasmSimdSupported()) return undefined;
  let entry = specialized.get(g);
  if (!entry || entry.memory !== memory || !entry.geometry.every((v, i) => v === g[i])) {
    entry = { geometry: Float64Array.from(g), memory, fns: instantiate(memory, Array.from(g.slice(0, 12), (v) => v | 0)) };
    specialized.set(g, entry);
  }
  return entry.fns;
}

function instantiate(memory: WebAssembly.Memory, geometry: number[]): PoolFunctions {
  const key = geometry.join(',');
  let module = modules.get(key);
  if (!module) {
    if (modules.size >= MODULES_MAX) modules.clear();
    module = new WebAssembly.Module(encodeModule([{ name: 'maxPool', code: emitPool(false, geometry) }, { name: 'maxPoolGrad', code: emitPool(true, geometry) }], 1));
    modules.set(key, module);
  }
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  return { maxPool: exports.maxPool as PoolFunction, maxPoolGrad: exports.maxPoolGrad as PoolFunction };
}
