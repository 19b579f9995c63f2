/**
 * Conv2DBackpropInput without patches: dx computed phase by phase as products that read dy where it is.
 * im2col's adjoint would first write dPatches = dy · filterᵀ (pixels × taps·inC, 1.2 MB for the cnn bench's
 * second layer) and then add every patch back into dx (col2im). Here the pixels of dx fall into sh × sw phases
 * (y mod sh, x mod sw); in one phase the same taps reach every pixel, each from dy at a fixed offset
 * (oy = py + dOy): so a phase is a product whose row for pixel (b, py, px) is the runs dy[b, py + dOy, px + dOx, :]
 * of its taps, one after the other, against filterᵀ's rows for those taps. Each element of dx is written once,
 * by a float32x4 block of 2 pixels × 16 channels held in registers over all its taps (as gemmWasm.ts' blocks),
 * summed tap by tap (fy, then fx), each over dy's channels in order. dy is first copied into a zero-bordered
 * buffer wherever a tap would read past its edges (tf's 'same' padding), so every read is inside.
 * A module per geometry and fusing (its numbers are constants in the code), on any memory (kernelsOn.ts).
 * Applies with dilation 1 (tfjs's conv2d gradient refuses other dilations) and inC a multiple of 4.
 */
import { Code, Op, Simd } from '../wasm/binary';
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { emitPadImage } from './emitPatches';
import { fusedProducts, memoryOfAll } from './gemmKernels';

/** A tap reaching every pixel of a phase: its index fy·fw + fx, and where it reads dy: (py + dOy, px + dOx). */
interface Tap { readonly tap: number; readonly dOy: number; readonly dOx: number }
/** The pixels (ry + sh·py, rx + sw·px), py < rows, px < cols, and their taps (none: those pixels are 0). */
interface Phase { readonly ry: number; readonly rx: number; readonly rows: number; readonly cols: number; readonly taps: readonly Tap[] }

/** The phases of a geometry and dy's zero border (rows above, columns left, padded height and width). */
export interface PhasePlan {
  readonly phases: readonly Phase[];
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

const BLOCK_EMPTY = 0x40;
/** v128.load32_splat. */
const LOAD32_SPLAT = 0x09;
/** Pixels per block (each a row of the phase's product) and float32x4 vectors of channels per block. */
const BLOCK_PIXELS = 2;
const BLOCK_VECTORS = 4;

const mod = (v: number, s: number) => ((v % s) + s) % s;

/** The geometry's phases, or undefined where this kernel does not apply (dilation ≠ 1, inC not a multiple of 4). */
export function phasePlan(g: ConvGeometry): PhasePlan | undefined {
  const [, inH, inW, inC, outH, outW, , fh, fw, sh, sw, dh, dw, top, left] = Array.from(g, (v) => v | 0);
  if (dh !== 1 || dw !== 1 || inC % 4 !== 0 || inC === 0) return undefined;
  const phases: Phase[] = [];
  for (let ry = 0; ry < Math.min(sh, inH); ry++) {
    for (let rx = 0; rx < Math.min(sw, inW); rx++) {
      const taps: Tap[] = [];
      for (let fy = 0; fy < fh; fy++) {
        for (let fx = 0; fx < fw; fx++) {
          // dx row y = ry + sh·py gets tap fy from dy row oy when y + top − fy = sh·oy.
          if (mod(ry + top - fy, sh) !== 0 || mod(rx + left - fx, sw) !== 0) continue;
          taps.push({ tap: fy * fw + fx, dOy: (ry + top - fy) / sh, dOx: (rx + left - fx) / sw });
        }
      }
      phases.push({ ry, rx, rows: Math.ceil((inH - ry) / sh), cols: Math.ceil((inW - rx) / sw), taps });
    }
  }
  const reads = phases.flatMap((p) => p.taps.map((t) => ({ ...t, rows: p.rows, cols: p.cols })));
  const border = (low: number, high: number) => ({ before: Math.max(0, -low), after: Math.max(0, high) });
  const ys = border(Math.min(0, ...reads.map((t) => t.dOy)), Math.max(0, ...reads.map((t) => t.rows - 1 + t.dOy - (outH - 1))));
  const xs = border(Math.min(0, ...reads.map((t) => t.dOx)), Math.max(0, ...reads.map((t) => t.cols - 1 + t.dOx - (outW - 1))));
  return { phases, top: ys.before, left: xs.before, height: outH + ys.before + ys.after, width: outW + xs.before + xs.after };
}

/** Numbers of dy's zero-bordered copy the geometry needs (0 when no tap reads past dy's edges, or without a plan). */
export function paddedDyFloats(g: ConvGeometry): number {
  const plan = phasePlan(g);
  const [batch, , , , outH, outW, outC] = Array.from(g, (v) => v | 0);
  return !plan || (plan.height === outH && plan.width === outW) ? 0 : batch * plan.height * plan.width * outC;
}

type InputGradient = (dy: number, filterT: number, dx: number) => void;
type PadDy = (dy: number, padded: number) => void;

/** A geometry's plan and functions on one memory, by the call's geometry buffer (a program constant); its numbers and memory are compared before use. */
const specialized = new WeakMap<object, { readonly geometry: Float64Array; readonly memory: WebAssembly.Memory; readonly fused: boolean; readonly pad?: PadDy; readonly paddedFloats: number; readonly dx: InputGradient }>();

/**
 * dx = Conv2DBackpropInput(dy, filter) from filterT (the filter transposed, [outC, fh·fw·inC]) when dy, filterT, dx
 * and `scratch` (at least paddedDyFloats numbers) are views of one registered program memory, SIMD is there and
 * the geometry has a plan; false (nothing written) otherwise.
 */
export function wasmInputGradient(dy: Float32Array, filterT: Float32Array, dx: Float32Array, scratch: Float32Array, g: ConvGeometry): boolean {
  const memory = memoryOfAll(dy, filterT, dx, scratch);
  if (!memory || !wasmSimdSupported()) return false;
  const fused = fusedProducts();
  let entry = specialized.get(g);
  if (!entry || entry.memory !== memory || entry.fused !== fused || !entry.geometry.every((v, i) => v === g[i])) {
    const made = instantiate(memory, g, fused);
    if (!made) return false;
    entry = { geometry: Float64Array.from(g), memory, fused, ...made };
    specialized.set(g, entry);
  }
  if (entry.pad) {
    if (scratch.length < entry.paddedFloats) return false;
    entry.pad(dy.byteOffset, scratch.byteOffset);
  }
  entry.dx(entry.pad ? scratch.byteOffset : dy.byteOffset, filterT.byteOffset, dx.byteOffset);
  return true;
}

/** The geometry's functions on `memory` (the module emitted once per geometry, fusing and sharing); undefined without a plan. */
function instantiate(memory: WebAssembly.Memory, g: ConvGeometry, fused: boolean): { pad?: PadDy; paddedFloats: number; dx: InputGradient } | undefined {
  const plan = phasePlan(g);
  if (!plan) return undefined;
  const geometry = Array.from(g, (v) => v | 0);
  const paddedFloats = paddedDyFloats(g);
  const padded = paddedFloats > 0;
  const exports = kernelsOn(`inputGradient ${geometry.join(',')} ${fused ? 'fused' : 'mul+add'}`, memory, () => [
    { name: 'dx', code: emitInputGradient(geometry, plan, fused) },
    ...(padded ? [{ name: 'pad', code: emitPadImage([geometry[0], geometry[4], geometry[5], geometry[6], 0, 0, 0, 0, 0, 0, 0, 0, plan.top, plan.left], plan.height, plan.width) }] : []),
  ]);
  return { dx: exports.dx as InputGradient, pad: padded ? (exports.pad as PadDy) : undefined, paddedFloats };
}

interface Locals { readonly b: number; readonly py: number; readonly px: number; readonly p: number; readonly aPtr: number; readonly bPtr: number; readonly rowA: number; readonly rowOut: number; readonly acc: number[][]; readonly bv: number[]; readonly av: number }

/** for (v = 0; v < end; v += step) body(), end a constant. */
function forConst(c: Code, v: number, end: number, step: number, body: () => void): void {
  c.i32(0).set(v);
  c.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
  c.get(v).i32(end - step).op(Op.i32GtS, Op.brIf, 1);
  body();
  c.get(v).i32(step).op(Op.i32Add).set(v);
  c.op(Op.br, 0, Op.end, Op.end);
}

/** dx(dyPadded, filterT, dx): every phase in turn, the geometry's numbers constants. */
export function emitInputGradient(g: readonly number[], plan: PhasePlan, fused: boolean): Code {
  const c = new Code(['i32', 'i32', 'i32'], []);
  const i32 = () => c.local('i32');
  const v128 = () => c.local('v128');
  const L: Locals = {
    b: i32(), py: i32(), px: i32(), p: i32(), aPtr: i32(), bPtr: i32(), rowA: i32(), rowOut: i32(),
    acc: Array.from({ length: BLOCK_PIXELS }, () => Array.from({ length: BLOCK_VECTORS }, v128)),
    bv: Array.from({ length: BLOCK_VECTORS }, v128), av: v128(),
  };
  const [batch, inH, inW, inC, , , outC, , , sh] = g;
  const [dy, dx] = [0, 2];
  const phases = plan.phases.filter((phase) => phase.rows > 0 && phase.cols > 0);
  const rows = Math.max(0, ...phases.map((phase) => phase.rows));
  // Every phase's row py in turn, so dx's rows sh·py … sh·py + sh − 1 are written together (in order, as a
  // prefetcher follows), not a phase's pixels across the whole batch first.
  forConst(c, L.b, batch, 1, () => forConst(c, L.py, rows, 1, () => {
    for (const phase of phases) {
      if (phase.rows < rows) c.get(L.py).i32(phase.rows).op(Op.i32LtS, Op.if, BLOCK_EMPTY);
      // rowA: dyPadded at (b, py + top, left); rowOut: dx at (b, ry + sh·py, rx).
      c.get(dy).get(L.b).i32(plan.height).op(Op.i32Mul).get(L.py).op(Op.i32Add).i32(plan.top).op(Op.i32Add);
      c.i32(plan.width).op(Op.i32Mul).i32(plan.left).op(Op.i32Add).i32(4 * outC).op(Op.i32Mul).op(Op.i32Add).set(L.rowA);
      c.get(dx).get(L.b).i32(inH).op(Op.i32Mul).get(L.py).i32(sh).op(Op.i32Mul).op(Op.i32Add).i32(phase.ry).op(Op.i32Add);
      c.i32(inW).op(Op.i32Mul).i32(phase.rx).op(Op.i32Add).i32(4 * inC).op(Op.i32Mul).op(Op.i32Add).set(L.rowOut);
      const pairs = phase.cols - (phase.cols % BLOCK_PIXELS);
      if (pairs > 0) forConst(c, L.px, pairs, BLOCK_PIXELS, () => emitPixels(c, L, g, plan, phase, BLOCK_PIXELS, fused));
      if (pairs < phase.cols) {
        c.i32(pairs).set(L.px);
        emitPixels(c, L, g, plan, phase, 1, fused);
      }
      if (phase.rows < rows) c.op(Op.end);
    }
  }));
  return c;
}

/** Pixels px … px + pixels − 1 of the phase row: each block of channels summed over every tap, then stored. */
function emitPixels(c: Code, L: Locals, g: readonly number[], plan: PhasePlan, phase: Phase, pixels: number, fused: boolean): void {
  const [, , , inC, , , outC, fh, fw, , sw] = g;
  const filterT = 1;
  const rowBytesB = 4 * fh * fw * inC;
  const zero = () => c.simd(Simd.v128Const, ...new Array<number>(16).fill(0));
  for (let j = 0; j < inC; j += 4 * BLOCK_VECTORS) {
    const vectors = Math.min(BLOCK_VECTORS, (inC - j) / 4);
    for (let r = 0; r < pixels; r++) for (let q = 0; q < vectors; q++) zero().set(L.acc[r][q]);
    for (const { tap, dOy, dOx } of phase.taps) {
      // aPtr: dy at (py + dOy, px + dOx); bPtr: filterT's row 0 at this tap's channels j….
      c.get(L.rowA).get(L.px).i32(4 * outC).op(Op.i32Mul).op(Op.i32Add).i32(4 * outC * (dOy * plan.width + dOx)).op(Op.i32Add).set(L.aPtr);
      c.get(filterT).i32(4 * (tap * inC + j)).op(Op.i32Add).set(L.bPtr);
      c.i32(outC).set(L.p);
      c.op(Op.loop, BLOCK_EMPTY);
      for (let q = 0; q < vectors; q++) c.get(L.bPtr).simdMemory(Simd.load, 16 * q).set(L.bv[q]);
      for (let r = 0; r < pixels; r++) {
        c.get(L.aPtr).simdMemory(LOAD32_SPLAT, 4 * outC * r).set(L.av);
        for (let q = 0; q < vectors; q++) {
          if (fused) c.get(L.av).get(L.bv[q]).get(L.acc[r][q]).simd(Simd.f32x4RelaxedMadd).set(L.acc[r][q]);
          else c.get(L.acc[r][q]).get(L.av).get(L.bv[q]).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(L.acc[r][q]);
        }
      }
      c.get(L.aPtr).i32(4).op(Op.i32Add).set(L.aPtr);
      c.get(L.bPtr).i32(rowBytesB).op(Op.i32Add).set(L.bPtr);
      c.get(L.p).i32(1).op(Op.i32Sub).tee(L.p).op(Op.brIf, 0, Op.end);
    }
    for (let r = 0; r < pixels; r++) {
      for (let q = 0; q < vectors; q++) {
        // dx at (px + r)·sw pixels along the row, channels j + 4q….
        c.get(L.rowOut).get(L.px).i32(4 * sw * inC).op(Op.i32Mul).op(Op.i32Add);
        c.get(L.acc[r][q]).simdMemory(Simd.store, 4 * (r * sw * inC + j) + 16 * q);
      }
    }
  }
}
