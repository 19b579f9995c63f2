/**
 * Reductions into several elements (loopIR's RowReduction: layer norm's and softmax's per-row max
 * and sums, the column sums of bias gradients) inside a WebAssembly loop (emitLoop.ts). Each update
 * is the JS loop's Float32Array update: load the float32 element, combine in float64, round, store,
 * in order of i, so the bits are the JS loop's. In the vector loop the four lanes update one after
 * another; a column sum whose columns are a multiple of 4 updates four columns at once (distinct
 * elements, each in its own order, so the same bits), and a row sum whose rows are a multiple of 4 long
 * updates its one element once per vector (the four lanes combined in order, rounded after each).
 * When the value is a float32 (laneKinds' kind f32), those two combine in float32 directly: a sum, product,
 * max or min of two float32 rounded to float32 is the float64 one rounded (EXACT_IN_F32), so the bits are
 * the same, with a shorter chain from one vector's update of a column to the next one's.
 */
import { Op, Simd, type Code } from './binary';
import { vectorRange } from './laneKinds';
import { INITIAL, type Expr, type LoopIR, type ReduceOp, type RowReduction } from './loopIR';

type Mode = 'scalar' | 'vector';

const COMBINE: Record<ReduceOp, [scalar: number, vector: number]> = {
  sum: [Op.f64Add, Simd.f64x2Add], prod: [Op.f64Mul, Simd.f64x2Mul], max: [Op.f64Max, Simd.f64x2Max], min: [Op.f64Min, Simd.f64x2Min],
};
const COMBINE32: Record<ReduceOp, [scalar: number, vector: number]> = {
  sum: [Op.f32Add, Simd.f32x4Add], prod: [Op.f32Mul, Simd.f32x4Mul], max: [Op.f32Max, Simd.f32x4Max], min: [Op.f32Min, Simd.f32x4Min],
};
const BLOCK_EMPTY = 0x40;

/** What the loop's emitter lends: its code, layout, index local i, an all-zero v128, and its float64 expression emitter. */
export interface RowContext {
  readonly code: Code;
  readonly layout: (buf: number) => number;
  readonly i: number;
  readonly zero: () => number;
  /** Pushes e in float64: scalar, or the float64x2 of lanes 2·half and 2·half + 1. */
  readonly emit64: (e: Expr, mode: Mode, half: number) => Code;
  /** Pushes e as a float32x4 of lanes 0 … 3, when `isF32(e)`. */
  readonly emit32x4: (e: Expr) => Code;
  /** Whether e's value is a float32 (its float64 form is exactly a float32). */
  readonly isF32: (e: Expr) => boolean;
}

/** v128 locals the held column reductions may take in all (the body keeps its own values in registers too). */
const MAX_HELD = 8;

export class RowReductions {
  private readonly rows: readonly RowReduction[];
  /** Column reductions whose columns stay in v128 locals through the vector loop (hold), by reduction: 4 columns a local. */
  private readonly held = new Map<RowReduction, number[]>();
  /** In the unrolled vector loop, which block of four columns the body's copy is for. */
  private block = 0;
  /** Whether the vector loop starts at a multiple of 4 (so i % m, m a multiple of 4, is four consecutive columns). */
  private readonly alignedStart: boolean;
  private readonly scratch: { address: number; halves: [number, number]; old: number } | undefined;

  constructor(ir: LoopIR, private readonly context: RowContext) {
    this.rows = ir.rowReductions ?? [];
    this.alignedStart = vectorRange(ir).lo % 4 === 0;
    const code = context.code;
    this.scratch = this.rows.length === 0 ? undefined : { address: code.local('i32'), halves: [code.local('v128'), code.local('v128')], old: code.local('v128') };
  }

  /** Before the loops: each reduction's elements set to its op's initial value. */
  start(): void {
    for (const r of this.rows) {
      this.overRows(r, () => this.context.code.f32(INITIAL[r.op]));
    }
  }

  /** After the loops: each element of a mean divided by its count (float64, rounded as JS's `/=` on a Float32Array). */
  end(): void {
    for (const r of this.rows) {
      if (r.divideBy === undefined) continue;
      const divideBy = r.divideBy;
      this.overRows(r, (address) => this.context.code.get(address).memory(Op.f32Load, 2, this.context.layout(r.buf)).op(Op.f64PromoteF32).f64(divideBy).op(Op.f64Div, Op.f32DemoteF64));
    }
  }

  /**
   * The column width the vector loop can be unrolled by so that its columns stay in locals: that of the first
   * column reduction (a multiple of 4 columns, at most 32) when the vector range starts at a multiple of it.
   */
  columnPeriod(vectorStart: number, vectorEnd: number): number | undefined {
    const first = this.rows.find((r) => r.at.kind === 'modulo' && r.at.m % 4 === 0 && r.at.m <= 32);
    const m = first?.at.kind === 'modulo' ? first.at.m : undefined;
    return m !== undefined && this.alignedStart && vectorStart % m === 0 && vectorEnd - vectorStart >= m ? m : undefined;
  }

  /**
   * Before a vector loop unrolled by `period` elements from a multiple of it: each column reduction of that width
   * loads its columns into locals, which the body's copies combine into (setBlock) and release stores. Each
   * column still takes its values in order of i, rounded after each: the same bits, without a store and a load
   * between one update of a column and the next.
   */
  hold(period: number): void {
    const code = this.context.code;
    let taken = 0;
    for (const r of this.rows) {
      if (r.at.kind !== 'modulo' || r.at.m !== period || taken + period / 4 > MAX_HELD) continue;
      const locals = Array.from({ length: period / 4 }, () => code.local('v128'));
      locals.forEach((local, b) => code.i32(0).simdMemory(Simd.load, this.context.layout(r.buf) + 16 * b).set(local));
      this.held.set(r, locals);
      taken += locals.length;
    }
  }

  /** The unrolled body's copy now emitted is for columns 4·block … 4·block + 3. */
  setBlock(block: number): void {
    this.block = block;
  }

  /** After the vector loop: the held columns stored back (the scalar loop after it updates them in memory). */
  release(): void {
    const code = this.context.code;
    for (const [r, locals] of this.held) locals.forEach((local, b) => code.i32(0).get(local).simdMemory(Simd.store, this.context.layout(r.buf) + 16 * b));
    this.held.clear();
  }

  /** After the body's statements of element i (vector mode: elements i … i + 3). */
  update(mode: Mode): void {
    const scratch = this.scratch;
    if (!scratch) return;
    const { code, emit64 } = this.context;
    for (const r of this.rows) {
      if (mode === 'scalar') {
        this.updateLane(r, 0, () => emit64(r.value, mode, 0));
        continue;
      }
      const held = this.held.get(r);
      if (held) {
        this.updateHeld(r, held[this.block % held.length]);
        continue;
      }
      const columns = r.at.kind === 'modulo' && r.at.m % 4 === 0 && this.alignedStart ? r.at.m : undefined;
      const oneRow = r.at.kind === 'divide' && r.at.d % 4 === 0 && this.alignedStart;
      if (this.context.isF32(r.value) && (columns !== undefined || oneRow)) {
        if (columns !== undefined) this.updateColumns32(r, columns);
        else this.updateOneRow32(r);
        continue;
      }
      scratch.halves.forEach((slot, half) => emit64(r.value, mode, half).set(slot));
      if (columns !== undefined) {
        this.updateColumns(r, columns);
        continue;
      }
      if (oneRow) {
        this.updateOneRow(r);
        continue;
      }
      for (const lane of [0, 1, 2, 3]) this.updateLane(r, lane, () => code.get(scratch.halves[lane >> 1]).simd(Simd.f64x2ExtractLane, lane & 1));
    }
  }

  /** buf[at(i + lane)] = fr(buf[at(i + lane)] ⊕ value), the value pushed by `value` as a float64. */
  private updateLane(r: RowReduction, lane: number, value: () => void): void {
    const { code, layout } = this.context;
    const address = (this.scratch as { address: number }).address;
    this.targetIndex(r, lane);
    code.i32(2).op(Op.i32Shl).tee(address);
    code.get(address).memory(Op.f32Load, 2, layout(r.buf)).op(Op.f64PromoteF32);
    value();
    code.op(COMBINE[r.op][0], Op.f32DemoteF64).memory(Op.f32Store, 2, layout(r.buf));
  }

  /**
   * Elements i … i + 3 all in row i / d (d a multiple of 4, i too): the element loaded once, the four lanes
   * combined in order with a float32 rounding after each, as the four loads and stores would, and stored
   * once. The same bits, without three stores each waiting on the next load, or three divisions.
   */
  private updateOneRow(r: RowReduction): void {
    const { code, layout } = this.context;
    const { address, halves } = this.scratch as NonNullable<RowReductions['scratch']>;
    this.targetIndex(r, 0);
    code.i32(2).op(Op.i32Shl).tee(address);
    code.get(address).memory(Op.f32Load, 2, layout(r.buf)).op(Op.f64PromoteF32);
    for (const lane of [0, 1, 2, 3]) {
      code.get(halves[lane >> 1]).simd(Simd.f64x2ExtractLane, lane & 1);
      code.op(COMBINE[r.op][0], Op.f32DemoteF64);
      if (lane < 3) code.op(Op.f64PromoteF32);
    }
    code.memory(Op.f32Store, 2, layout(r.buf));
  }

  /** updateOneRow for a float32 value: the four lanes combined in float32, in order. */
  private updateOneRow32(r: RowReduction): void {
    const { code, layout, emit32x4 } = this.context;
    const { address, old } = this.scratch as NonNullable<RowReductions['scratch']>;
    emit32x4(r.value).set(old);
    this.targetIndex(r, 0);
    code.i32(2).op(Op.i32Shl).tee(address);
    code.get(address).memory(Op.f32Load, 2, layout(r.buf));
    for (const lane of [0, 1, 2, 3]) code.get(old).simd(Simd.f32x4ExtractLane, lane).op(COMBINE32[r.op][0]);
    code.memory(Op.f32Store, 2, layout(r.buf));
  }

  /** updateColumns for a float32 value: one float32x4 load, combine and store. */
  private updateColumns32(r: RowReduction, m: number): void {
    const { code, layout, i, emit32x4 } = this.context;
    const { address } = this.scratch as NonNullable<RowReductions['scratch']>;
    code.get(i).i32(m).op(Op.i32RemU).i32(2).op(Op.i32Shl).tee(address);
    code.get(address).simdMemory(Simd.load, layout(r.buf));
    emit32x4(r.value).simd(COMBINE32[r.op][1]).simdMemory(Simd.store, layout(r.buf));
  }

  /** A held block of columns combined with the four lanes (updateColumns32 and updateColumns on a local). */
  private updateHeld(r: RowReduction, local: number): void {
    const { code, zero, emit32x4, emit64, isF32 } = this.context;
    if (isF32(r.value)) {
      code.get(local);
      emit32x4(r.value).simd(COMBINE32[r.op][1]).set(local);
      return;
    }
    const halves = (this.scratch as NonNullable<RowReductions['scratch']>).halves;
    halves.forEach((slot, half) => emit64(r.value, 'vector', half).set(slot));
    code.get(local).simd(Simd.f64x2PromoteLowF32x4).get(halves[0]).simd(COMBINE[r.op][1]).simd(Simd.f32x4DemoteF64x2Zero);
    code.get(local).get(zero()).shuffle32([2, 3, 4, 4]).simd(Simd.f64x2PromoteLowF32x4).get(halves[1]).simd(COMBINE[r.op][1]).simd(Simd.f32x4DemoteF64x2Zero);
    code.shuffle32([0, 1, 4, 5]).set(local);
  }

  /** Columns i % m … i % m + 3 updated as one vector: two float64x2 halves combined, rounded, stored. */
  private updateColumns(r: RowReduction, m: number): void {
    const { code, layout, i, zero } = this.context;
    const { address, halves, old } = this.scratch as NonNullable<RowReductions['scratch']>;
    code.get(i).i32(m).op(Op.i32RemU).i32(2).op(Op.i32Shl).tee(address);
    code.simdMemory(Simd.load, layout(r.buf)).set(old);
    code.get(address);
    code.get(old).simd(Simd.f64x2PromoteLowF32x4).get(halves[0]).simd(COMBINE[r.op][1]).simd(Simd.f32x4DemoteF64x2Zero);
    code.get(old).get(zero()).shuffle32([2, 3, 4, 4]).simd(Simd.f64x2PromoteLowF32x4).get(halves[1]).simd(COMBINE[r.op][1]).simd(Simd.f32x4DemoteF64x2Zero);
    code.shuffle32([0, 1, 4, 5]).simdMemory(Simd.store, layout(r.buf));
  }

  /** Pushes the element of r's buffer that element i + lane updates. */
  private targetIndex(r: RowReduction, lane: number): void {
    const { code, layout, i } = this.context;
    code.get(i);
    if (lane !== 0) code.i32(lane).op(Op.i32Add);
    switch (r.at.kind) {
      case 'divide':
        code.i32(r.at.d).op(Op.i32DivU);
        return;
      case 'modulo':
        code.i32(r.at.m).op(Op.i32RemU);
        return;
      case 'map':
        code.i32(2).op(Op.i32Shl).memory(Op.i32Load, 2, layout(r.at.map));
    }
  }

  /** for (row = 0; row < r.rows; row++) buf[row] = value (pushed as a float32 by `value`, given the row's byte address local). */
  private overRows(r: RowReduction, value: (address: number) => void): void {
    const { code, layout } = this.context;
    const address = (this.scratch as { address: number }).address;
    code.i32(0).set(address);
    code.op(Op.block, BLOCK_EMPTY, Op.loop, BLOCK_EMPTY);
    code.get(address).i32(4 * r.rows).op(Op.i32GeS, Op.brIf, 1);
    code.get(address);
    value(address);
    code.memory(Op.f32Store, 2, layout(r.buf));
    code.get(address).i32(4).op(Op.i32Add).set(address);
    code.op(Op.br, 0, Op.end, Op.end);
  }
}
