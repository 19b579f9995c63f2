/**
 * The code of inputGradientWasm.ts' kernel, a geometry's numbers constants in it: every phase's row py in turn
 * (dx's rows sh·py … written together, in order, as a prefetcher follows), pixel pairs (a last one alone) ×
 * blocks of 16 channels. A tap whose dy row or column falls outside dy is left out for that pixel: rows of
 * phases fall into spans that keep the same taps, and a pair whose pixels keep different taps (an edge pixel
 * beside an inner one) takes the taps both keep as a pair and the others for the one pixel, in tap order.
 * The epilogue (inputGradientEpilogues.ts) multiplies by step(y) and sums per channel as the block is stored.
 */
import { Code, Op, Simd } from '../wasm/binary';
import { V128_AND, V128_OR } from '../wasm/simdLanes64';
import type { Phase, PhasePlan, Tap } from './inputGradientWasm';
import { forRange, multiplyAdd, zeroVector } from './simdEmit';

const BLOCK_EMPTY = 0x40;
/** v128.load32_splat. */
const LOAD32_SPLAT = 0x09;
/** float32x4 vectors of channels per block (blocks are 2 pixels). */
const BLOCK_VECTORS = 4;
/** The kernel's parameters holding the sums' address and their partial sums'. */
const SUMS = 4;
const PARTIALS = 5;
/**
 * Partial sums per channel the epilogue keeps (in the call's scratch buffer): consecutive blocks add into
 * different ones, so one block's additions do not wait on the previous block's store.
 */
export const SUM_SLOTS = 4;

/** The epilogue as the code sees it: Step's alpha and whether it sums. */
export interface EpilogueCode { readonly alpha: number; readonly sums: boolean }

interface Locals {
  readonly b: number; readonly py: number; readonly px: number; readonly p: number; readonly aPtr: number; readonly bPtr: number; readonly rowA: number; readonly rowOut: number;
  /** The block's first pixel in dx; the mask's address less dx's (the mask is laid out as dx). */
  readonly outAt: number; readonly maskDelta: number;
  /** The block's partial sums (the epilogue's). */
  readonly slotAt: number;
  readonly acc: number[][]; readonly bv: number[]; readonly av: number; readonly y: number;
}

/** A block's taps in order, each with the block's pixels (0, 1) that keep it. */
type BlockTaps = readonly { readonly tap: Tap; readonly pixels: readonly number[] }[];

/** dx(dy, filterT, dx, mask, sums, partials). */
export function emitInputGradient(g: readonly number[], plan: PhasePlan, fused: boolean, epilogue?: EpilogueCode): Code {
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const i32 = () => c.local('i32');
  const v128 = () => c.local('v128');
  const L: Locals = {
    b: i32(), py: i32(), px: i32(), p: i32(), aPtr: i32(), bPtr: i32(), rowA: i32(), rowOut: i32(), outAt: i32(), maskDelta: i32(), slotAt: i32(),
    acc: [0, 1].map(() => Array.from({ length: BLOCK_VECTORS }, v128)),
    bv: Array.from({ length: BLOCK_VECTORS }, v128), av: v128(), y: v128(),
  };
  const [batch, inH, inW, inC, outH, outW, outC, , , sh] = g;
  const [dy, dx, mask] = [0, 2, 3];
  c.get(mask).get(dx).op(Op.i32Sub).set(L.maskDelta);
  // The partial sums start at 0 (each run adds every pixel into them).
  for (let q = 0; epilogue?.sums && q < (SUM_SLOTS * inC) / 4; q++) zeroVector(c.get(PARTIALS)).simdMemory(Simd.store, 16 * q);
  const phases = plan.phases.filter((phase) => phase.rows > 0 && phase.cols > 0);
  const inRow = (tap: Tap, py: number) => py + tap.dOy >= 0 && py + tap.dOy < outH;
  const inColumn = (tap: Tap, px: number) => px + tap.dOx >= 0 && px + tap.dOx < outW;
  forRange(c, L.b, 0, batch, 1, () => {
    for (const rows of rowSpans(phases, inRow)) {
      forRange(c, L.py, rows.from, rows.to, 1, () => {
        for (const phase of phases.filter((p) => rows.from < p.rows)) {
          const taps = phase.taps.filter((tap) => inRow(tap, rows.from));
          // rowA: dy at (b, py, 0); rowOut: dx at (b, ry + sh·py, rx).
          c.get(dy).get(L.b).i32(outH).op(Op.i32Mul).get(L.py).op(Op.i32Add).i32(4 * outW * outC).op(Op.i32Mul).op(Op.i32Add).set(L.rowA);
          c.get(dx).get(L.b).i32(inH).op(Op.i32Mul).get(L.py).i32(sh).op(Op.i32Mul).op(Op.i32Add).i32(phase.ry).op(Op.i32Add);
          c.i32(inW).op(Op.i32Mul).i32(phase.rx).op(Op.i32Add).i32(4 * inC).op(Op.i32Mul).op(Op.i32Add).set(L.rowOut);
          for (const run of pixelRuns(phase.cols, taps, inColumn)) {
            const block = () => emitPixels(c, L, g, run.taps, run.pixels, fused, epilogue);
            if (run.to - run.from === run.pixels) {
              c.i32(run.from).set(L.px);
              block();
            } else {
              forRange(c, L.px, run.from, run.to, 2, block);
            }
          }
        }
      });
    }
  });
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

/** The rows py, in spans [from, to) over which every phase is there or not and keeps the same taps. */
function rowSpans(phases: readonly Phase[], inRow: (tap: Tap, py: number) => boolean): { from: number; to: number }[] {
  const rows = Math.max(0, ...phases.map((phase) => phase.rows));
  const keyOf = (py: number) => phases.map((p) => (py < p.rows ? p.taps.map((t) => (inRow(t, py) ? 1 : 0)).join('') : '-')).join('|');
  const spans: { from: number; to: number; key: string }[] = [];
  for (let py = 0; py < rows; py++) {
    const key = keyOf(py);
    const last = spans[spans.length - 1];
    if (last && last.key === key) last.to = py + 1;
    else spans.push({ from: py, to: py + 1, key });
  }
  return spans;
}

/** A phase row's pixels in blocks of two (a last one alone), consecutive blocks keeping the same taps in one run. */
function pixelRuns(cols: number, taps: readonly Tap[], inColumn: (tap: Tap, px: number) => boolean): { from: number; to: number; pixels: number; taps: BlockTaps }[] {
  const runs: { from: number; to: number; pixels: number; taps: BlockTaps; key: string }[] = [];
  for (let px = 0; px < cols; px += 2) {
    const pixels = px + 1 < cols ? 2 : 1;
    const blockTaps = taps.map((tap) => ({ tap, pixels: [0, 1].slice(0, pixels).filter((r) => inColumn(tap, px + r)) }));
    const key = `${pixels} ${blockTaps.map((t) => t.pixels.join('')).join(',')}`;
    const last = runs[runs.length - 1];
    if (last && last.key === key) last.to = px + pixels;
    else runs.push({ from: px, to: px + pixels, pixels, taps: blockTaps, key });
  }
  return runs;
}

/** Pixels px … px + pixels − 1 of the phase row: each block of channels summed over its taps, then stored. */
function emitPixels(c: Code, L: Locals, g: readonly number[], taps: BlockTaps, pixels: number, fused: boolean, epilogue?: EpilogueCode): void {
  const [, , , inC, , outW, outC, fh, fw, , sw] = g;
  const filterT = 1;
  const rowBytesB = 4 * fh * fw * inC;
  for (let j = 0; j < inC; j += 4 * BLOCK_VECTORS) {
    const vectors = Math.min(BLOCK_VECTORS, (inC - j) / 4);
    for (let r = 0; r < pixels; r++) for (let q = 0; q < vectors; q++) zeroVector(c).set(L.acc[r][q]);
    for (const { tap, pixels: which } of taps) {
      if (which.length === 0) continue;
      // aPtr: dy at (py + dOy, px + first + dOx), the first pixel taking part (a load's address plus its offset must
      // not pass 2³²); bPtr: filterT's row 0 at this tap's channels j….
      const first = which[0];
      c.get(L.rowA).get(L.px).i32(4 * outC).op(Op.i32Mul).op(Op.i32Add).i32(4 * outC * (tap.dOy * outW + tap.dOx + first)).op(Op.i32Add).set(L.aPtr);
      c.get(filterT).i32(4 * (tap.tap * inC + j)).op(Op.i32Add).set(L.bPtr);
      c.i32(outC).set(L.p);
      c.op(Op.loop, BLOCK_EMPTY);
      for (let q = 0; q < vectors; q++) c.get(L.bPtr).simdMemory(Simd.load, 16 * q).set(L.bv[q]);
      for (const r of which) {
        c.get(L.aPtr).simdMemory(LOAD32_SPLAT, 4 * outC * (r - first)).set(L.av);
        for (let q = 0; q < vectors; q++) multiplyAdd(c, fused, L.acc[r][q], L.av, L.bv[q]);
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
