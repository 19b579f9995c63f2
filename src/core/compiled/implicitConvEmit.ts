/**
 * The code of implicitConvWasm.ts' kernels, a geometry's numbers constants in it. The windows are read in the
 * image itself: output rows and columns fall into spans whose windows keep the same filter rows and columns inside
 * the image (the middle span all of them, the edges fewer), and a span's blocks read only those, leaving out the
 * padding's terms. Those are 0·w, which leave a float32 sum unchanged (it starts at +0, so it is never −0), so the
 * bits are those of im2col's zero-padded patches times the filter, but for a non-finite weight or gradient, whose
 * 0·∞ = NaN the patches would add where TensorFlow.js adds nothing. The filter gradient pairs two channels of one
 * tap (even inC); with an odd inC it pairs taps across filter columns and reads a zero-bordered copy (emitPadded…).
 */
import { Code, Op, Simd } from '../wasm/binary';
import { EPILOGUE_BIAS, EPILOGUE_RELU } from './gemmWasm';
import { forRange, multiplyAdd, zeroVector } from './simdEmit';

const BLOCK_EMPTY = 0x40;
const LOAD32_SPLAT = 0x09;
const VECTORS = 4;

/** Output positions [from, to) whose windows have filter positions [lo, hi) inside the image. */
interface Span { readonly from: number; readonly to: number; readonly lo: number; readonly hi: number }

/** The spans along one axis: output o reads input o·stride − before + f for filter position f < filter. */
function spansOf(outputs: number, inputs: number, stride: number, before: number, filter: number): Span[] {
  const spans: Span[] = [];
  for (let o = 0; o < outputs; o++) {
    const start = o * stride - before;
    const lo = Math.min(filter, Math.max(0, -start));
    const hi = Math.max(lo, Math.min(filter, inputs - start));
    const last = spans[spans.length - 1];
    if (last && last.lo === lo && last.hi === hi && last.to === o) spans[spans.length - 1] = { ...last, to: o + 1 };
    else spans.push({ from: o, to: o + 1, lo, hi });
  }
  return spans;
}

interface Registers { readonly acc: number[][]; readonly bv: number[]; readonly av: number }

function registers(c: Code): Registers {
  return {
    acc: [0, 1].map(() => Array.from({ length: VECTORS }, () => c.local('v128'))),
    bv: Array.from({ length: VECTORS }, () => c.local('v128')),
    av: c.local('v128'),
  };
}

/**
 * forward(image, filter, out, bias, epilogue): for each output row, pixel pairs (then a last single pixel) × blocks
 * of 16 channels, summed over the window's filter rows inside the image, each row's taps inside it in tap order,
 * then bias and relu as gemm's epilogue, then stored. A pair whose windows keep different filter columns (an edge
 * pixel beside an inner one) sums the columns both keep as a pair and the others pixel by pixel, in column order.
 */
export function emitForward(g: readonly number[], fused: boolean): Code {
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, , , top, left] = g;
  const c = new Code(['i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [image, filter, out, bias, epilogue] = [0, 1, 2, 3, 4];
  const i32 = () => c.local('i32');
  const [b, oy, ox, p, aPtr, bPtr, rowAt, pixelAt, outAt] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const R = registers(c);
  const [rowBytes, pixelBytes] = [4 * inW * inC, 4 * sw * inC];
  /** One k-loop: filter columns [f0, f1) of row fy for the block's pixels `which`. */
  const segment = (fy: number, f0: number, f1: number, which: readonly number[], j: number, vectors: number) => {
    if (f1 <= f0 || which.length === 0) return;
    // aPtr at the first pixel taking part: a load's address plus its offset must not pass 2³² (an edge pixel's
    // neighbour's window may start before the image, even before the memory).
    const first = which[0];
    c.get(pixelAt).i32(first * pixelBytes + fy * rowBytes + 4 * f0 * inC).op(Op.i32Add).set(aPtr);
    c.get(filter).i32(4 * ((fy * fw + f0) * inC * outC + j)).op(Op.i32Add).set(bPtr);
    c.i32((f1 - f0) * inC).set(p);
    c.op(Op.loop, BLOCK_EMPTY);
    for (let q = 0; q < vectors; q++) c.get(bPtr).simdMemory(Simd.load, 16 * q).set(R.bv[q]);
    for (const r of which) {
      c.get(aPtr).simdMemory(LOAD32_SPLAT, (r - first) * pixelBytes).set(R.av);
      for (let q = 0; q < vectors; q++) multiplyAdd(c, fused, R.acc[r][q], R.av, R.bv[q]);
    }
    c.get(aPtr).i32(4).op(Op.i32Add).set(aPtr);
    c.get(bPtr).i32(4 * outC).op(Op.i32Add).set(bPtr);
    c.get(p).i32(1).op(Op.i32Sub).tee(p).op(Op.brIf, 0, Op.end);
  };
  /** The block of pixels ox … (one or two, their column spans `cols`) over the row span's filter rows. */
  const block = (rows: Span, cols: readonly Span[]) => {
    // pixelAt: image at (the window's first row, its first column x0 = ox·sw − left).
    c.get(rowAt).get(ox).i32(pixelBytes).op(Op.i32Mul).op(Op.i32Add).i32(-4 * left * inC).op(Op.i32Add).set(pixelAt);
    const cuts = [...new Set(cols.flatMap((s) => [s.lo, s.hi]))].sort((x, y) => x - y);
    for (let j = 0; j < outC; j += 4 * VECTORS) {
      const vectors = Math.min(VECTORS, (outC - j) / 4);
      cols.forEach((_, r) => { for (let q = 0; q < vectors; q++) zeroVector(c).set(R.acc[r][q]); });
      for (let fy = rows.lo; fy < rows.hi; fy++) {
        for (let k = 0; k + 1 < cuts.length; k++) segment(fy, cuts[k], cuts[k + 1], cols.flatMap((s, r) => (s.lo <= cuts[k] && cuts[k + 1] <= s.hi ? [r] : [])), j, vectors);
      }
      emitBiasRelu(c, R.acc, cols.length, vectors, bias, epilogue, j);
      c.get(outAt).get(ox).i32(4 * outC).op(Op.i32Mul).op(Op.i32Add).set(aPtr);
      cols.forEach((_, r) => { for (let q = 0; q < vectors; q++) c.get(aPtr).get(R.acc[r][q]).simdMemory(Simd.store, 4 * (r * outC + j) + 16 * q); });
    }
  };
  const rowSpans = spansOf(outH, inH, sh, top, fh);
  const pairs = pairsOf(spansOf(outW, inW, sw, left, fw), outW);
  forRange(c, b, 0, batch, 1, () => {
    for (const rows of rowSpans) {
      forRange(c, oy, rows.from, rows.to, 1, () => {
        // rowAt: image at (b, oy·sh − top, 0); outAt: out at (b, oy, 0).
        c.get(image).get(b).i32(inH).op(Op.i32Mul).get(oy).i32(sh).op(Op.i32Mul).op(Op.i32Add).i32(-top).op(Op.i32Add).i32(rowBytes).op(Op.i32Mul).op(Op.i32Add).set(rowAt);
        c.get(out).get(b).i32(outH).op(Op.i32Mul).get(oy).op(Op.i32Add).i32(4 * outW * outC).op(Op.i32Mul).op(Op.i32Add).set(outAt);
        for (const run of pairs) {
          if (run.to - run.from === run.cols.length) {
            c.i32(run.from).set(ox);
            block(rows, run.cols);
          } else {
            forRange(c, ox, run.from, run.to, 2, () => block(rows, run.cols));
          }
        }
      });
    }
  });
  return c;
}

/** A row's pixels in blocks of two (a last one alone), consecutive blocks with the same column spans in one run. */
function pairsOf(spans: readonly Span[], outW: number): { from: number; to: number; cols: Span[] }[] {
  const spanOf = (o: number) => spans.find((s) => s.from <= o && o < s.to) as Span;
  const runs: { from: number; to: number; cols: Span[] }[] = [];
  for (let o = 0; o < outW; o += 2) {
    const cols = o + 1 < outW ? [spanOf(o), spanOf(o + 1)] : [spanOf(o)];
    const last = runs[runs.length - 1];
    if (last && last.to === o && last.cols.length === cols.length && last.cols.every((s, r) => s === cols[r])) last.to = o + cols.length;
    else runs.push({ from: o, to: o + cols.length, cols });
  }
  return runs;
}

/** gemm's epilogue on the block's accumulators: + bias[j …] when asked, then relu (x < 0 selects 0: −0 and NaN stay). */
function emitBiasRelu(c: Code, acc: number[][], pixels: number, vectors: number, bias: number, epilogue: number, j: number): void {
  c.get(epilogue).i32(EPILOGUE_BIAS).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
  for (let q = 0; q < vectors; q++) {
    for (let r = 0; r < pixels; r++) c.get(acc[r][q]).get(bias).simdMemory(Simd.load, 4 * j + 16 * q).simd(Simd.f32x4Add).set(acc[r][q]);
  }
  c.op(Op.end);
  c.get(epilogue).i32(EPILOGUE_RELU).op(Op.i32And).op(Op.if, BLOCK_EMPTY);
  for (let r = 0; r < pixels; r++) {
    for (let q = 0; q < vectors; q++) {
      zeroVector(c).get(acc[r][q]).get(acc[r][q]);
      zeroVector(c).simd(Simd.f32x4Lt).simd(Simd.bitselect).set(acc[r][q]);
    }
  }
  c.op(Op.end);
}

interface GradientLocals { readonly b: number; readonly oy: number; readonly px: number; readonly rowA: number; readonly aPtr: number; readonly dyPtr: number; readonly outAt: number; readonly tapAt: number[]; readonly R: Registers; readonly fused: boolean }
/** A block of the filter gradient: `rows` taps × channels j …, over output rows [oyFrom, oyTo) and `pixels` pixels per row. */
interface GradientBlock { readonly rows: number; readonly j: number; readonly vectors: number; readonly outC: number; readonly oyFrom: number; readonly oyTo: number; readonly pixels: number; readonly pixelBytes: number; readonly rowStep: number; readonly dyRowSkip: number }

/**
 * The block's sums of this image's pixels (aPtr and dyPtr at the first one), added onto dfilter's (0 for the first
 * image), each element in pixel order: a loop over a row's pixels, not straight-line code (V8 spilled an unrolled
 * row's accumulators: 1.4x slower).
 */
function emitGradientBlock(c: Code, L: GradientLocals, s: GradientBlock): void {
  const { acc, bv, av } = L.R;
  c.get(L.b).op(Op.if, BLOCK_EMPTY);
  for (let r = 0; r < s.rows; r++) for (let q = 0; q < s.vectors; q++) c.get(L.outAt).simdMemory(Simd.load, 4 * (r * s.outC + s.j) + 16 * q).set(acc[r][q]);
  c.op(Op.else);
  for (let r = 0; r < s.rows; r++) for (let q = 0; q < s.vectors; q++) zeroVector(c).set(acc[r][q]);
  c.op(Op.end);
  if (s.pixels > 0 && s.oyTo > s.oyFrom) {
    forRange(c, L.oy, s.oyFrom, s.oyTo, 1, () => {
      c.get(L.aPtr).set(L.rowA);
      c.i32(s.pixels).set(L.px);
      c.op(Op.loop, BLOCK_EMPTY);
      for (let q = 0; q < s.vectors; q++) c.get(L.dyPtr).simdMemory(Simd.load, 16 * q).set(bv[q]);
      for (let r = 0; r < s.rows; r++) {
        c.get(L.rowA).get(L.tapAt[r]).op(Op.i32Add).simdMemory(LOAD32_SPLAT, 0).set(av);
        for (let q = 0; q < s.vectors; q++) multiplyAdd(c, L.fused, acc[r][q], av, bv[q]);
      }
      c.get(L.rowA).i32(s.pixelBytes).op(Op.i32Add).set(L.rowA);
      c.get(L.dyPtr).i32(4 * s.outC).op(Op.i32Add).set(L.dyPtr);
      c.get(L.px).i32(1).op(Op.i32Sub).tee(L.px).op(Op.brIf, 0, Op.end);
      c.get(L.aPtr).i32(s.rowStep).op(Op.i32Add).set(L.aPtr);
      if (s.dyRowSkip !== 0) c.get(L.dyPtr).i32(s.dyRowSkip).op(Op.i32Add).set(L.dyPtr);
    });
  }
  for (let r = 0; r < s.rows; r++) for (let q = 0; q < s.vectors; q++) c.get(L.outAt).get(acc[r][q]).simdMemory(Simd.store, 4 * (r * s.outC + s.j) + 16 * q);
}

function gradientLocals(c: Code, fused: boolean): GradientLocals & { readonly pair: number; readonly imageAt: number; readonly dyAt: number } {
  const i32 = () => c.local('i32');
  return { b: i32(), oy: i32(), px: i32(), rowA: i32(), aPtr: i32(), dyPtr: i32(), outAt: i32(), tapAt: [i32(), i32()], pair: i32(), imageAt: i32(), dyAt: i32(), R: registers(c), fused };
}

/**
 * filterGradient(image, dy, dfilter) for an even inC, reading the image itself: an image at a time (its rows stay
 * in cache), for each tap (fy, fx) its pixels whose windows hold it inside the image, two channels of it × a block
 * of 16 output channels at a time, summed over those pixels in order.
 */
export function emitFilterGradient(g: readonly number[], fused: boolean): Code {
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw, sh, sw, , , top, left] = g;
  const c = new Code(['i32', 'i32', 'i32'], []);
  const [image, dy, dfilter] = [0, 1, 2];
  const L = gradientLocals(c, fused);
  const [rowBytes, pixelBytes] = [4 * inW * inC, 4 * sw * inC];
  const rows = spansOf(outH, inH, sh, top, fh);
  const cols = spansOf(outW, inW, sw, left, fw);
  /** The outputs [from, to) whose windows hold filter position f inside (one run: the spans are in order). */
  const holding = (spans: Span[], f: number) => {
    const inside = spans.filter((s) => s.lo <= f && f < s.hi);
    return inside.length === 0 ? { from: 0, to: 0 } : { from: inside[0].from, to: inside[inside.length - 1].to };
  };
  c.i32(0).set(L.tapAt[0]).i32(4).set(L.tapAt[1]);
  forRange(c, L.b, 0, batch, 1, () => {
    c.get(image).get(L.b).i32(inH * rowBytes).op(Op.i32Mul).op(Op.i32Add).set(L.imageAt);
    c.get(dy).get(L.b).i32(4 * outH * outW * outC).op(Op.i32Mul).op(Op.i32Add).set(L.dyAt);
    c.get(dfilter).set(L.outAt);
    for (let fy = 0; fy < fh; fy++) {
      for (let fx = 0; fx < fw; fx++) {
        const [ys, xs] = [holding(rows, fy), holding(cols, fx)];
        const pixels = xs.to - xs.from;
        forRange(c, L.pair, 0, inC, 2, () => {
          for (let j = 0; j < outC; j += 4 * VECTORS) {
            // aPtr: image at (ys.from·sh − top + fy, xs.from·sw − left + fx), channel `pair`; dyPtr: dy at (ys.from, xs.from), channel j.
            const first = ((ys.from * sh - top + fy) * inW + xs.from * sw - left + fx) * inC * 4;
            c.get(L.imageAt).get(L.pair).i32(4).op(Op.i32Mul).op(Op.i32Add).i32(first).op(Op.i32Add).set(L.aPtr);
            c.get(L.dyAt).i32(4 * ((ys.from * outW + xs.from) * outC + j)).op(Op.i32Add).set(L.dyPtr);
            emitGradientBlock(c, L, { rows: 2, j, vectors: Math.min(VECTORS, (outC - j) / 4), outC, oyFrom: ys.from, oyTo: ys.to, pixels, pixelBytes, rowStep: sh * rowBytes, dyRowSkip: 4 * (outW - pixels) * outC });
          }
          c.get(L.outAt).i32(2 * 4 * outC).op(Op.i32Add).set(L.outAt);
        });
      }
    }
  });
  return c;
}

/**
 * filterGradient(padded, dy, dfilter) for an odd inC, over the zero-bordered images (rows × cols pixels): pairs of
 * taps in tap order (tap t at fy·(a row) + (t − fy·run)·4 bytes of every window, fy = t / run, so a pair may straddle
 * two filter rows), then a last single tap, each over every pixel in order.
 */
export function emitPaddedFilterGradient(g: readonly number[], paddedRows: number, paddedCols: number, fused: boolean): Code {
  const [batch, , , inC, outH, outW, outC, fh, fw, sh, sw] = g;
  const c = new Code(['i32', 'i32', 'i32'], []);
  const [image, dy, dfilter] = [0, 1, 2];
  const L = gradientLocals(c, fused);
  const run = fw * inC;
  const taps = fh * run;
  const [rowBytes, pixelBytes] = [4 * paddedCols * inC, 4 * sw * inC];
  const blocks = (rows: number) => {
    for (let j = 0; j < outC; j += 4 * VECTORS) {
      c.get(L.imageAt).set(L.aPtr);
      c.get(L.dyAt).i32(4 * j).op(Op.i32Add).set(L.dyPtr);
      emitGradientBlock(c, L, { rows, j, vectors: Math.min(VECTORS, (outC - j) / 4), outC, oyFrom: 0, oyTo: outH, pixels: outW, pixelBytes, rowStep: sh * rowBytes, dyRowSkip: 0 });
    }
    c.get(L.outAt).i32(rows * 4 * outC).op(Op.i32Add).set(L.outAt);
  };
  /** tapAt[r] = the byte offset in a window of the tap on the stack. */
  const offsetOf = (r: number) => {
    const t = L.tapAt[r];
    c.set(t);
    c.get(t).i32(run).op(Op.i32DivU).i32(rowBytes).op(Op.i32Mul);
    c.get(t).get(t).i32(run).op(Op.i32DivU).i32(run).op(Op.i32Mul).op(Op.i32Sub).i32(4).op(Op.i32Mul).op(Op.i32Add).set(t);
  };
  forRange(c, L.b, 0, batch, 1, () => {
    c.get(image).get(L.b).i32(paddedRows * rowBytes).op(Op.i32Mul).op(Op.i32Add).set(L.imageAt);
    c.get(dy).get(L.b).i32(4 * outH * outW * outC).op(Op.i32Mul).op(Op.i32Add).set(L.dyAt);
    c.get(dfilter).set(L.outAt);
    if (taps >= 2) {
      forRange(c, L.pair, 0, Math.floor(taps / 2), 1, () => {
        for (const r of [0, 1]) {
          c.get(L.pair).i32(2).op(Op.i32Mul).i32(r).op(Op.i32Add);
          offsetOf(r);
        }
        blocks(2);
      });
    }
    if (taps % 2 === 1) {
      c.i32(taps - 1);
      offsetOf(0);
      blocks(1);
    }
  });
  return c;
}
