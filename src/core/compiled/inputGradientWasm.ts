/**
 * Conv2DBackpropInput without patches: dx computed phase by phase as products that read dy where it is.
 * im2col's adjoint would first write dPatches = dy · filterᵀ (pixels × taps·inC, 1.2 MB for the cnn bench's
 * second layer) and then add every patch back into dx (col2im). Here the pixels of dx fall into sh × sw phases
 * (y mod sh, x mod sw); in one phase the same taps reach every pixel, each from dy at a fixed offset
 * (oy = py + dOy): so a phase is a product whose row for pixel (b, py, px) is the runs dy[b, py + dOy, px + dOx, :]
 * of its taps, one after the other, against filterᵀ's rows for those taps. Each element of dx is written once,
 * by a float32x4 block of 2 pixels × 16 channels held in registers over all its taps (as gemmWasm.ts' blocks),
 * summed tap by tap (fy, then fx), each over dy's channels in order. dy is first copied into a zero-bordered
 * buffer wherever a tap would read past its edges (tf's 'same' padding), so every read is inside; those taps add
 * 0·w, which changes no finite sum, but with an infinite weight is NaN where TensorFlow.js adds nothing.
 * A module per geometry and fusing (its numbers are constants in the code), on any memory (kernelsOn.ts).
 * Applies with dilation 1 (tfjs's conv2d gradient refuses other dilations) and inC a multiple of 4.
 */
import { Code, Op, Simd } from '../wasm/binary';
import { kernelsOn } from '../wasm/kernelsOn';
import { V128_AND, V128_OR } from '../wasm/simdLanes64';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { emitPadImage } from './emitPatches';
import { fusedProducts, memoryOfAll } from './gemmKernels';
import { forRange, multiplyAdd, zeroVector } from './simdEmit';

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

/** The kernel's parameters holding the sums' address and their partial sums'. */
const SUMS = 4;
const PARTIALS = 5;
/**
 * Partial sums per channel the epilogue keeps (in the scratch buffer after dy's border): consecutive blocks add
 * into different ones, so one block's additions do not wait on the previous block's store.
 */
const SUM_SLOTS = 4;

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

/** Numbers of the scratch buffer the phases use: dy's zero-bordered copy, then the epilogue's partial sums. */
export function inputGradientScratchFloats(g: ConvGeometry): number {
  return 4 * Math.ceil(paddedDyFloats(g) / 4) + SUM_SLOTS * g[3];
}

type InputGradient = (dy: number, filterT: number, dx: number, mask: number, sums: number, partials: number) => void;

/**
 * What the kernel does to dx before it stores it (a relu's and its bias's gradients, inputGradientEpilogues.ts):
 * dx·step(mask) as tf's Step computes it (mask > 0: 1, NaN: NaN, else alpha), each product one float32 multiply;
 * with `sums`, the products summed per channel in float32: a block's two pixels added, that into one of SUM_SLOTS
 * partial sums (by the block's place in its row), the partial sums added in order at the end.
 */
export interface DxEpilogue {
  readonly mask: Float32Array;
  readonly alpha: number;
  readonly sums?: Float32Array;
}
type PadDy = (dy: number, padded: number) => void;

/** A geometry's plan and functions on one memory, by the call's geometry buffer (a program constant); its numbers and memory are compared before use. */
const specialized = new WeakMap<object, { readonly geometry: Float64Array; readonly memory: WebAssembly.Memory; readonly form: string; readonly pad?: PadDy; readonly paddedFloats: number; readonly scratchFloats: number; readonly dx: InputGradient }>();

/**
 * dx = Conv2DBackpropInput(dy, filter) from filterT (the filter transposed, [outC, fh·fw·inC]), then the epilogue if
 * given, when dy, filterT, dx, `scratch` (inputGradientScratchFloats numbers) and the epilogue's arrays are views of one
 * registered program memory, SIMD is there and the geometry has a plan; false (nothing written) otherwise.
 */
export function wasmInputGradient(dy: Float32Array, filterT: Float32Array, dx: Float32Array, scratch: Float32Array, g: ConvGeometry, epilogue?: DxEpilogue): boolean {
  const memory = epilogue ? memoryOfAll(dy, filterT, dx, scratch, epilogue.mask, ...(epilogue.sums ? [epilogue.sums] : [])) : memoryOfAll(dy, filterT, dx, scratch);
  if (!memory || !wasmSimdSupported()) return false;
  const form = formOf(fusedProducts(), epilogue);
  let entry = specialized.get(g);
  if (!entry || entry.memory !== memory || entry.form !== form || !entry.geometry.every((v, i) => v === g[i])) {
    const made = instantiate(memory, g, form, fusedProducts(), epilogue);
    if (!made) return false;
    entry = { geometry: Float64Array.from(g), memory, form, ...made };
    specialized.set(g, entry);
  }
  if (scratch.length < entry.scratchFloats) return false;
  if (entry.pad) entry.pad(dy.byteOffset, scratch.byteOffset);
  const partials = scratch.byteOffset + 16 * Math.ceil(entry.paddedFloats / 4);
  entry.dx(entry.pad ? scratch.byteOffset : dy.byteOffset, filterT.byteOffset, dx.byteOffset, epilogue?.mask.byteOffset ?? 0, epilogue?.sums?.byteOffset ?? 0, partials);
  return true;
}

/** What the module's code depends on besides the geometry: fusing, and the epilogue's form. */
function formOf(fused: boolean, epilogue: DxEpilogue | undefined): string {
  return `${fused ? 'fused' : 'mul+add'}${epilogue ? ` step ${epilogue.alpha}${epilogue.sums ? ' sums' : ''}` : ''}`;
}

/** The geometry's functions on `memory` (the module emitted once per geometry and form, and sharing); undefined without a plan. */
function instantiate(memory: WebAssembly.Memory, g: ConvGeometry, form: string, fused: boolean, epilogue: DxEpilogue | undefined): { pad?: PadDy; paddedFloats: number; scratchFloats: number; dx: InputGradient } | undefined {
  const plan = phasePlan(g);
  if (!plan) return undefined;
  const geometry = Array.from(g, (v) => v | 0);
  const paddedFloats = paddedDyFloats(g);
  const padded = paddedFloats > 0;
  const code = { alpha: epilogue?.alpha ?? 0, step: epilogue !== undefined, sums: epilogue?.sums !== undefined };
  const exports = kernelsOn(`inputGradient ${geometry.join(',')} ${form}`, memory, () => [
    { name: 'dx', code: emitInputGradient(geometry, plan, fused, code.step ? code : undefined) },
    ...(padded ? [{ name: 'pad', code: emitPadImage([geometry[0], geometry[4], geometry[5], geometry[6], 0, 0, 0, 0, 0, 0, 0, 0, plan.top, plan.left], plan.height, plan.width) }] : []),
  ]);
  return { dx: exports.dx as InputGradient, pad: padded ? (exports.pad as PadDy) : undefined, paddedFloats, scratchFloats: inputGradientScratchFloats(g) };
}

/** The epilogue as the code sees it: Step's alpha and whether it sums. */
interface EpilogueCode { readonly alpha: number; readonly sums: boolean }

interface Locals {
  readonly b: number; readonly py: number; readonly px: number; readonly p: number; readonly aPtr: number; readonly bPtr: number; readonly rowA: number; readonly rowOut: number;
  /** The block's first pixel in dx; the mask's address less dx's (the mask is laid out as dx). */
  readonly outAt: number; readonly maskDelta: number;
  /** The block's partial sums (the epilogue's). */
  readonly slotAt: number;
  readonly acc: number[][]; readonly bv: number[]; readonly av: number; readonly y: number;
}

/** dx(dyPadded, filterT, dx): every phase in turn, the geometry's numbers constants. */
export function emitInputGradient(g: readonly number[], plan: PhasePlan, fused: boolean, epilogue?: EpilogueCode): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const i32 = () => c.local('i32');
  const v128 = () => c.local('v128');
  const L: Locals = {
    b: i32(), py: i32(), px: i32(), p: i32(), aPtr: i32(), bPtr: i32(), rowA: i32(), rowOut: i32(), outAt: i32(), maskDelta: i32(), slotAt: i32(),
    acc: Array.from({ length: BLOCK_PIXELS }, () => Array.from({ length: BLOCK_VECTORS }, v128)),
    bv: Array.from({ length: BLOCK_VECTORS }, v128), av: v128(), y: v128(),
  };
  const [batch, inH, inW, inC, , , outC, , , sh] = g;
  const [dy, dx, mask] = [0, 2, 3];
  c.get(mask).get(dx).op(Op.i32Sub).set(L.maskDelta);
  // The partial sums start at 0 (each run adds every pixel into them).
  for (let q = 0; epilogue?.sums && q < (SUM_SLOTS * inC) / 4; q++) zeroVector(c.get(PARTIALS)).simdMemory(Simd.store, 16 * q);
  const phases = plan.phases.filter((phase) => phase.rows > 0 && phase.cols > 0);
  const rows = Math.max(0, ...phases.map((phase) => phase.rows));
  // Every phase's row py in turn, so dx's rows sh·py … sh·py + sh − 1 are written together (in order, as a
  // prefetcher follows), not a phase's pixels across the whole batch first.
  forRange(c, L.b, 0, batch, 1, () => forRange(c, L.py, 0, rows, 1, () => {
    for (const phase of phases) {
      if (phase.rows < rows) c.get(L.py).i32(phase.rows).op(Op.i32LtS, Op.if, BLOCK_EMPTY);
      // rowA: dyPadded at (b, py + top, left); rowOut: dx at (b, ry + sh·py, rx).
      c.get(dy).get(L.b).i32(plan.height).op(Op.i32Mul).get(L.py).op(Op.i32Add).i32(plan.top).op(Op.i32Add);
      c.i32(plan.width).op(Op.i32Mul).i32(plan.left).op(Op.i32Add).i32(4 * outC).op(Op.i32Mul).op(Op.i32Add).set(L.rowA);
      c.get(dx).get(L.b).i32(inH).op(Op.i32Mul).get(L.py).i32(sh).op(Op.i32Mul).op(Op.i32Add).i32(phase.ry).op(Op.i32Add);
      c.i32(inW).op(Op.i32Mul).i32(phase.rx).op(Op.i32Add).i32(4 * inC).op(Op.i32Mul).op(Op.i32Add).set(L.rowOut);
      const pairs = phase.cols - (phase.cols % BLOCK_PIXELS);
      if (pairs > 0) forRange(c, L.px, 0, pairs, BLOCK_PIXELS, () => emitPixels(c, L, g, plan, phase, BLOCK_PIXELS, fused, epilogue));
      if (pairs < phase.cols) {
        c.i32(pairs).set(L.px);
        emitPixels(c, L, g, plan, phase, 1, fused, epilogue);
      }
      if (phase.rows < rows) c.op(Op.end);
    }
  }));
  // sums = the partial sums added in order.
  for (let q = 0; epilogue?.sums && q < inC / 4; q++) {
    c.get(SUMS);
    for (let slot = 0; slot < SUM_SLOTS; slot++) {
      c.get(PARTIALS).simdMemory(Simd.load, 4 * slot * inC + 16 * q);
      if (slot > 0) c.simd(Simd.f32x4Add);
    }
    c.simdMemory(Simd.store, 16 * q);
  }
  return c;
}

/** Pixels px … px + pixels − 1 of the phase row: each block of channels summed over every tap, then stored. */
function emitPixels(c: Code, L: Locals, g: readonly number[], plan: PhasePlan, phase: Phase, pixels: number, fused: boolean, epilogue?: EpilogueCode): void {
  const [, , , inC, , , outC, fh, fw, , sw] = g;
  const filterT = 1;
  const rowBytesB = 4 * fh * fw * inC;
  for (let j = 0; j < inC; j += 4 * BLOCK_VECTORS) {
    const vectors = Math.min(BLOCK_VECTORS, (inC - j) / 4);
    for (let r = 0; r < pixels; r++) for (let q = 0; q < vectors; q++) zeroVector(c).set(L.acc[r][q]);
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
          multiplyAdd(c, fused, L.acc[r][q], L.av, L.bv[q]);
        }
      }
      c.get(L.aPtr).i32(4).op(Op.i32Add).set(L.aPtr);
      c.get(L.bPtr).i32(rowBytesB).op(Op.i32Add).set(L.bPtr);
      c.get(L.p).i32(1).op(Op.i32Sub).tee(L.p).op(Op.brIf, 0, Op.end);
    }
    // dx at px·sw pixels along the row; pixel r is r·sw further, its channels j + 4q … at 16q more.
    c.get(L.rowOut).get(L.px).i32(4 * sw * inC).op(Op.i32Mul).op(Op.i32Add).set(L.outAt);
    for (let r = 0; r < pixels; r++) {
      for (let q = 0; q < vectors; q++) {
        const offset = 4 * (r * sw * inC + j) + 16 * q;
        if (epilogue) emitStep(c, L, L.acc[r][q], offset, epilogue.alpha);
        c.get(L.outAt).get(L.acc[r][q]).simdMemory(Simd.store, offset);
      }
    }
    if (epilogue?.sums) emitPartialSums(c, L, inC, j, vectors, pixels);
  }
}

/** The block's partial sums (slot (px / 2) mod SUM_SLOTS) += its pixels' products, the two pixels added first. */
function emitPartialSums(c: Code, L: Locals, inC: number, j: number, vectors: number, pixels: number): void {
  // px is even here: (px / 2) mod SUM_SLOTS slots of 4·inC bytes are (px mod 2·SUM_SLOTS)·2·inC bytes.
  c.get(PARTIALS).get(L.px).i32(2 * SUM_SLOTS - 1).op(Op.i32And).i32(2 * inC).op(Op.i32Mul).op(Op.i32Add).set(L.slotAt);
  for (let q = 0; q < vectors; q++) {
    const at = 4 * j + 16 * q;
    c.get(L.slotAt).get(L.slotAt).simdMemory(Simd.load, at).get(L.acc[0][q]);
    if (pixels > 1) c.get(L.acc[1][q]).simd(Simd.f32x4Add);
    c.simd(Simd.f32x4Add).simdMemory(Simd.store, at);
  }
}

/** acc ·= step(y), y the mask's vector at outAt + offset: 1 where y > 0, y where y is NaN, else alpha (tf's Step). */
function emitStep(c: Code, L: Locals, acc: number, offset: number, alpha: number): void {
  const splat = (v: number) => c.simd(Simd.v128Const, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
  c.get(L.outAt).get(L.maskDelta).op(Op.i32Add).simdMemory(Simd.load, offset).set(L.y);
  const positive = () => zeroVector(c.get(L.y)).simd(Simd.f32x4Gt);
  const isNaN = () => c.get(L.y).get(L.y).simd(Simd.f32x4Ne);
  if (alpha === 0) {
    // (y > 0 ? 1's bits : 0) | (y ≠ y ? y's bits : 0): at most one is not 0.
    splat(1);
    positive().simd(V128_AND);
    c.get(L.y);
    isNaN().simd(V128_AND).simd(V128_OR);
  } else {
    // bitselect(a, b, m): a's bits where m's are set, b's elsewhere.
    c.get(L.y);
    splat(1);
    splat(alpha);
    positive().simd(Simd.bitselect);
    isNaN().simd(Simd.bitselect);
  }
  c.get(acc).simd(Simd.f32x4Mul).set(acc);
}
